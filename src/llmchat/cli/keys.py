"""`llmchat keys`: encryption keys for secrets at rest."""

from __future__ import annotations

import typer

from llmchat.cli._common import console
from llmchat.crypto import generate_key

app = typer.Typer(help="Encryption keys for secrets stored in the database.", no_args_is_help=True)


@app.command()
def generate() -> None:
    """Print a new key. Put it first in LLMCHAT_ENCRYPTION_KEYS, keep the old ones after it, then run rotate."""
    console.print(generate_key(), highlight=False)
