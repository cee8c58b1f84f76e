"""Key rotation: secrets written under an old key are readable and re-encrypted under the new one."""

from pathlib import Path

import pytest
from cryptography.fernet import Fernet, InvalidToken
from sqlalchemy import create_engine, text
from typer.testing import CliRunner

from llmchat.cli import app

runner = CliRunner()


def _env(tmp_path: Path, keys: list[str]) -> dict[str, str]:
    return {"LLMCHAT_DATA_DIR": str(tmp_path), "LLMCHAT_ENCRYPTION_KEYS": ",".join(keys)}


def test_rotate_moves_every_secret_to_the_newest_key(tmp_path: Path) -> None:
    old, new = Fernet.generate_key().decode(), Fernet.generate_key().decode()
    added = runner.invoke(
        app,
        [
            "providers",
            "add",
            "p1",
            "--type",
            "openai_compatible",
            "--api-base",
            "http://127.0.0.1:9/v1",
            "--api-key",
            "sk-rotate-me",
        ],
        env=_env(tmp_path, [old]),
    )
    assert added.exit_code == 0, added.output

    rotated = runner.invoke(app, ["keys", "rotate"], env=_env(tmp_path, [new, old]))
    assert rotated.exit_code == 0, rotated.output
    assert "Re-encrypted 1 stored secret" in rotated.output

    engine = create_engine(f"sqlite:///{tmp_path / 'llmchat.db'}")
    with engine.connect() as conn:
        stored = conn.execute(text("SELECT api_key_enc FROM llm_providers")).scalar_one()
    engine.dispose()
    assert Fernet(new.encode()).decrypt(stored.encode()) == b"sk-rotate-me"
    with pytest.raises(InvalidToken):
        Fernet(old.encode()).decrypt(stored.encode())

    listed = runner.invoke(app, ["providers", "list", "--json"], env=_env(tmp_path, [new]))
    assert listed.exit_code == 0, listed.output
    assert "sk-rotate-me" not in listed.output


def test_a_malformed_key_is_one_clear_line(tmp_path: Path) -> None:
    result = runner.invoke(app, ["keys", "rotate"], env=_env(tmp_path, ["not-a-key"]))
    assert result.exit_code == 2
    assert "LLMCHAT_ENCRYPTION_KEYS" in result.output
