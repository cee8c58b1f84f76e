"""The root Typer app; each sub-command group lives in its own module."""

from __future__ import annotations

import typer

from llmchat.cli import chat as chat_cmd
from llmchat.cli import db as db_cmd
from llmchat.cli import keys as keys_cmd
from llmchat.cli import models as models_cmd
from llmchat.cli import providers as providers_cmd
from llmchat.cli import serve as serve_cmd
from llmchat.cli import servers as servers_cmd
from llmchat.cli import tokens as tokens_cmd
from llmchat.cli import users as users_cmd

app = typer.Typer(
    name="llmchat",
    help="Self-hosted chat with LLMs that call tools from MCP servers.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)
app.command("serve")(serve_cmd.serve)
app.command("chat")(chat_cmd.chat)
app.add_typer(db_cmd.app, name="db")
app.add_typer(keys_cmd.app, name="keys")
app.add_typer(users_cmd.app, name="users")
app.add_typer(tokens_cmd.app, name="tokens")
app.add_typer(providers_cmd.app, name="providers")
app.add_typer(models_cmd.app, name="models")
app.add_typer(servers_cmd.app, name="servers")
