"""The root Typer app; each sub-command group lives in its own module."""

from __future__ import annotations

import typer

from llmchat.cli import db as db_cmd
from llmchat.cli import keys as keys_cmd
from llmchat.cli import serve as serve_cmd

app = typer.Typer(
    name="llmchat",
    help="Self-hosted chat with LLMs that call tools from MCP servers.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
)
app.command("serve")(serve_cmd.serve)
app.add_typer(db_cmd.app, name="db")
app.add_typer(keys_cmd.app, name="keys")
