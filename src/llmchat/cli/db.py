"""`llmchat db`: database maintenance."""

from __future__ import annotations

import typer

from llmchat.cli._common import console, reported_errors, settings_or_exit

app = typer.Typer(help="Database maintenance.", no_args_is_help=True)


@app.command()
def upgrade() -> None:
    """Apply every pending migration to the configured database."""
    from llmchat.db.engine import upgrade_blocking

    settings = settings_or_exit()
    with reported_errors():
        settings.data_dir.mkdir(parents=True, exist_ok=True)
        upgrade_blocking(settings.effective_database_url)
    console.print("Database is up to date.")
