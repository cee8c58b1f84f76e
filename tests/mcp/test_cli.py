"""`llmchat servers`, run on the configured database."""

from __future__ import annotations

import json
from typing import Any

from tests.fixtures.cli import as_json

TOKEN = "cli-secret-token-42"


def test_add_list_and_test(
    llmchat: Any, everything_http_url: str, everything_stdio_command: tuple[str, list[str]]
) -> None:
    added = llmchat("servers", "add", "everything", "--url", everything_http_url, "--token", TOKEN)
    assert added.exit_code == 0, added.output
    assert "Added MCP server everything (streamable_http)" in added.stdout
    command, args = everything_stdio_command
    local = as_json(llmchat("servers", "add", "local", "--command", command, *(f"--arg={a}" for a in args), "--json"))
    assert (local["transport"], local["args"]) == ("stdio", args)
    prompted = llmchat(
        "servers", "add", "asked", "--url", "https://mcp.example.com/mcp", "--auth-mode", "bearer", input=TOKEN
    )
    assert prompted.exit_code == 0, prompted.output

    listed = as_json(llmchat("servers", "list", "--json"))
    assert [(s["name"], s["auth_mode"], s["auth_token"]) for s in listed] == [
        ("asked", "bearer", "*****"),
        ("everything", "bearer", "*****"),
        ("local", "none", None),
    ]
    table = llmchat("servers", "list")
    assert "everything" in table.stdout
    assert TOKEN not in table.stdout + json.dumps(listed)

    tested = as_json(llmchat("servers", "test", "everything", "--json"))
    assert tested["ok"] is True
    assert "echo" in tested["tools"]
    by_id = llmchat("servers", "test", local["id"])
    assert (by_id.exit_code, "ok" in by_id.stdout) == (0, True)


def test_failures_are_one_line_and_exit_non_zero(llmchat: Any) -> None:
    llmchat("servers", "add", "gone", "--url", "http://127.0.0.1:9/mcp")
    failed = llmchat("servers", "test", "gone")
    assert failed.exit_code == 1
    assert "connection refused" in failed.stdout
    missing = llmchat("servers", "test", "nothing")
    assert (missing.exit_code, "No MCP server named or with id 'nothing'." in missing.output) == (2, True)
    bad = llmchat("servers", "add", "x", "--transport", "stdio")
    assert (bad.exit_code, "A stdio server needs a command" in bad.output) == (2, True)
    header = llmchat("servers", "add", "y", "--url", "http://e.com/mcp", "--header", "Authorization: Bearer zzz")
    assert header.exit_code == 2
    assert "zzz" not in header.output
    removed = llmchat("servers", "remove", "gone")
    assert "Removed MCP server gone." in removed.stdout
