"""`llmchat keys`: encryption keys for secrets at rest."""

from __future__ import annotations

import typer

from llmchat.cli._common import Store, console, run_with_store
from llmchat.crypto import generate_key
from llmchat.db.rotation import rotate_secrets

app = typer.Typer(help="Encryption keys for secrets stored in the database.", no_args_is_help=True)


@app.command()
def generate() -> None:
    """Print a new key. Put it first in LLMCHAT_ENCRYPTION_KEYS, keep the old ones after it, then run rotate."""
    console.print(generate_key(), highlight=False)


@app.command()
def rotate() -> None:
    """Re-encrypt every stored secret with the first key of LLMCHAT_ENCRYPTION_KEYS; then older keys can go."""

    async def work(store: Store) -> int:
        return await rotate_secrets(store.session, store.secrets)

    changed = run_with_store(work)
    console.print(f"Re-encrypted {changed} stored secret(s) with the newest key.")
