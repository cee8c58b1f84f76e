"""Regenerate the parts of the docs that come from the code: the README's configuration table and docs/cli.md.

Run `python docs/generate.py` after changing a setting or a command; `tests/test_docs.py` fails when they drift.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path
from typing import Any

import typer.core
import typer.main

from llmchat.cli.app import app
from llmchat.settings import Settings

ROOT = Path(__file__).resolve().parent.parent
README = ROOT / "README.md"
CLI_DOC = ROOT / "docs" / "cli.md"
START, END = "<!-- config-table:start -->", "<!-- config-table:end -->"


def config_table() -> str:
    rows = ["| variable | default | meaning |", "| --- | --- | --- |"]
    for name, field in Settings.model_fields.items():
        if field.default_factory is not None:
            default = "(see meaning)" if name == "data_dir" else "(empty)"
        elif field.default is None or field.default == "":
            default = "(empty)"
        else:
            default = f"`{str(field.default).lower() if isinstance(field.default, bool) else field.default}`"
        rows.append(f"| `LLMCHAT_{name.upper()}` | {default} | {field.description or ''} |")
    return "\n".join(rows)


def _help(command: Any, path: list[str]) -> list[str]:
    """Help of `command` and its sub-commands (typer ships its own click, so duck typing)."""
    ctx = command.context_class(command, info_name=" ".join(path), terminal_width=100, max_content_width=100)
    out = [f"## `{' '.join(path)}`", "", "```text", command.get_help(ctx).rstrip(), "```", ""]
    if hasattr(command, "list_commands"):
        for name in command.list_commands(ctx):
            sub = command.get_command(ctx, name)
            if sub is not None and not sub.hidden:
                out.extend(_help(sub, [*path, name]))
    return out


def cli_reference() -> str:
    typer.core.HAS_RICH = False  # plain help text, stable across terminals
    command = typer.main.get_command(app)
    lines = ["# CLI reference", "", "Generated from `--help` by `python docs/generate.py`; do not edit by hand.", ""]
    return "\n".join(lines + _help(command, ["llmchat"])).rstrip() + "\n"


def readme_with_table(text: str) -> str:
    pattern = re.compile(re.escape(START) + ".*?" + re.escape(END), re.DOTALL)
    return pattern.sub(lambda _m: f"{START}\n{config_table()}\n{END}", text)


def main() -> int:
    README.write_text(readme_with_table(README.read_text()))
    CLI_DOC.write_text(cli_reference())
    return 0


if __name__ == "__main__":
    sys.exit(main())
