"""`llmchat users` and `llmchat tokens`, run on the configured database (both databases)."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path
from typing import Any

import httpx
import typer
from typer.core import TyperGroup, TyperOption

from llmchat.app import create_app
from llmchat.cli import app
from llmchat.settings import Settings
from tests.fixtures.app import make_settings
from tests.fixtures.cli import as_json

PASSWORD = "a long enough password"


def test_create_list_and_change_users(llmchat: Any) -> None:
    created = as_json(
        llmchat("users", "create", "Ops@Example.com", "--role", "admin", "--password", PASSWORD, "--json")
    )
    assert created["email"] == "ops@example.com"
    assert created["role"] == "admin"

    prompted = llmchat("users", "create", "dev@example.com", input=f"{PASSWORD}\n{PASSWORD}\n")
    assert prompted.exit_code == 0, prompted.output
    assert "Created user dev@example.com." in prompted.stdout
    assert PASSWORD not in prompted.stdout

    assert as_json(llmchat("users", "set-role", "dev@example.com", "viewer", "--json"))["role"] == "viewer"
    listed = as_json(llmchat("users", "list", "--json"))
    assert [(u["email"], u["role"]) for u in listed] == [("ops@example.com", "admin"), ("dev@example.com", "viewer")]

    table = llmchat("users", "list")
    assert "dev@example.com" in table.stdout
    assert "viewer" in table.stdout


def test_errors_are_one_line_and_exit_2(llmchat: Any) -> None:
    llmchat("users", "create", "ops@example.com", "--role", "admin", "--password", PASSWORD)

    cases = {
        ("users", "create", "ops@example.com", "--password", PASSWORD): "already exists",
        ("users", "create", "x@example.com", "--role", "root", "--password", PASSWORD): "role must be one of",
        ("users", "create", "x@example.com", "--password", "short"): "password must be at least 8 characters",
        ("users", "set-role", "ops@example.com", "user"): "Cannot remove the last active admin",
        ("users", "set-role", "nobody@example.com", "user"): "No user with email nobody@example.com",
        ("tokens", "revoke", "nope"): "API token not found.",
    }
    for args, message in cases.items():
        result = llmchat(*args)
        assert result.exit_code == 2, args
        assert message in result.stderr, (args, result.stderr)
        assert "Traceback" not in result.output


def test_set_password(llmchat: Any) -> None:
    llmchat("users", "create", "ops@example.com", "--password", PASSWORD)
    result = llmchat("users", "set-password", "ops@example.com", input="the new password\nthe new password\n")
    assert result.exit_code == 0, result.output
    assert "Password of ops@example.com changed." in result.stdout


def test_tokens_made_on_the_command_line_work_against_the_api(llmchat: Any, tmp_path: Path, database_url: str) -> None:
    llmchat("users", "create", "bot@example.com", "--role", "viewer", "--password", PASSWORD)
    created = as_json(
        llmchat("tokens", "create", "bot@example.com", "--name", "nightly", "--expires-in-days", "7", "--json")
    )
    assert created["token"].startswith("llmc_")
    human = llmchat("tokens", "create", "bot@example.com", "--name", "other")
    assert human.stdout.strip().splitlines()[-1].startswith("llmc_")

    listed = as_json(llmchat("tokens", "list", "bot@example.com", "--json"))
    assert [t["name"] for t in listed] == ["nightly", "other"]
    assert created["token"] not in json.dumps(listed)

    settings = make_settings(tmp_path, database_url)
    assert asyncio.run(_me_status(settings, created["token"])) == 200
    revoked = llmchat("tokens", "revoke", created["id"])
    assert revoked.exit_code == 0, revoked.output
    assert asyncio.run(_me_status(settings, created["token"])) == 401


async def _me_status(settings: Settings, token: str) -> int:
    """Start the app on the same database and call GET /auth/me with the token."""
    application = create_app(settings)
    async with (
        application.router.lifespan_context(application),
        httpx.AsyncClient(transport=httpx.ASGITransport(app=application), base_url="http://testserver") as client,
    ):
        response = await client.get("/auth/me", headers={"Authorization": f"Bearer {token}"})
    return response.status_code


def test_every_command_has_help() -> None:
    root = typer.main.get_command(app)
    assert isinstance(root, TyperGroup)
    for group_name in ("users", "tokens"):
        group = root.commands[group_name]
        assert isinstance(group, TyperGroup)
        assert group.help
        assert set(group.commands) >= {"create", "list"}
        for name, command in group.commands.items():
            assert command.help and len(command.help) > 20, (group_name, name)
            assert all(param.help for param in command.params if isinstance(param, TyperOption)), (group_name, name)
