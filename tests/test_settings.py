"""Settings: environment and .env are read; a bad or unknown variable is one line naming it."""

from pathlib import Path

import pytest
from typer.testing import CliRunner

from llmchat.cli import app
from llmchat.errors import ConfigurationError
from llmchat.settings import load_settings


def test_defaults_use_sqlite_in_the_data_directory(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("LLMCHAT_DATA_DIR", str(tmp_path / "d"))
    settings = load_settings()
    assert settings.port == 4444 and settings.host == "127.0.0.1"
    assert settings.effective_database_url == f"sqlite+aiosqlite:///{tmp_path / 'd' / 'llmchat.db'}"


def test_a_dotenv_file_is_read(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / ".env").write_text("LLMCHAT_PORT=5555\nLLMCHAT_SSRF_ALLOWED_NETWORKS=10.1.0.0/16, 192.168.5.0/24\n")
    settings = load_settings()
    assert settings.port == 5555
    assert [str(n) for n in settings.ssrf_allowed_networks] == ["10.1.0.0/16", "192.168.5.0/24"]


@pytest.mark.parametrize(
    ("name", "value", "message"),
    [
        ("LLMCHAT_PORT", "abc", "Invalid setting LLMCHAT_PORT: Input should be a valid integer"),
        ("LLMCHAT_PORT", "70000", "Invalid setting LLMCHAT_PORT: Input should be less than or equal to 65535"),
        ("LLMCHAT_DATABASE_URL", "mysql://x", "Invalid setting LLMCHAT_DATABASE_URL: Value error, use sqlite+"),
        ("LLMCHAT_SSRF_ALLOWED_NETWORKS", "10.0.0.0/33", "Invalid setting LLMCHAT_SSRF_ALLOWED_NETWORKS"),
        ("LLMCHAT_PROT", "1", "Unknown setting LLMCHAT_PROT"),
    ],
)
def test_a_bad_variable_is_named(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, name: str, value: str, message: str
) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv(name, value)
    with pytest.raises(ConfigurationError) as caught:
        load_settings()
    assert caught.value.message.startswith(message)
    assert "\n" not in caught.value.message


def test_serve_stops_with_one_line(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(app, ["serve"], env={"LLMCHAT_PORT": "abc"})
    assert result.exit_code == 2
    assert result.output.strip().splitlines() == [
        "error: Invalid setting LLMCHAT_PORT: Input should be a valid integer, unable to parse string as an integer"
    ]


def test_several_workers_need_redis(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(app, ["serve", "--workers", "2"], env={"LLMCHAT_DATA_DIR": str(tmp_path)})
    assert result.exit_code == 2
    assert "LLMCHAT_REDIS_URL" in result.output


def test_db_upgrade_migrates_the_configured_database(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(app, ["db", "upgrade"], env={"LLMCHAT_DATA_DIR": str(tmp_path)})
    assert result.exit_code == 0, result.output
    assert "up to date" in result.output
    assert (tmp_path / "llmchat.db").stat().st_size > 0
