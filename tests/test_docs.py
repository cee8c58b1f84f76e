"""The generated parts of the docs match the code (regenerate with `python docs/generate.py`)."""

import importlib.util
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _generator():  # type: ignore[no-untyped-def]
    spec = importlib.util.spec_from_file_location("docs_generate", ROOT / "docs" / "generate.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_readme_configuration_table_is_current() -> None:
    gen = _generator()
    readme = (ROOT / "README.md").read_text()
    assert gen.readme_with_table(readme) == readme, "run: python docs/generate.py"
    assert "make run" in readme and "make test" in readme


def test_cli_reference_is_current() -> None:
    gen = _generator()
    assert gen.cli_reference() == (ROOT / "docs" / "cli.md").read_text(), "run: python docs/generate.py"
