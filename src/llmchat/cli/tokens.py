"""`llmchat tokens`: long-lived API tokens for scripts, managed directly in the configured database."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

import typer
from rich.table import Table

from llmchat import auth
from llmchat.auth.api_tokens import MAX_EXPIRY_DAYS
from llmchat.cli._common import JsonOpt, Store, console, print_json, run_with_store

app = typer.Typer(
    help="Create, list and revoke API tokens (sent as `Authorization: Bearer llmc_...`).", no_args_is_help=True
)


def token_json(token: auth.TokenInfo) -> dict[str, Any]:
    return {
        "id": token.id,
        "name": token.name,
        "created_at": token.created_at.isoformat(),
        "expires_at": token.expires_at.isoformat() if token.expires_at else None,
        "last_used_at": token.last_used_at.isoformat() if token.last_used_at else None,
    }


@app.command()
def create(
    email: Annotated[str, typer.Argument(help="The user the token acts as.")],
    name: Annotated[str, typer.Option(help="What the token is for, e.g. 'nightly export'.")],
    expires_in_days: Annotated[
        int | None, typer.Option(min=1, max=MAX_EXPIRY_DAYS, help="Days until it expires; never when omitted.")
    ] = None,
    as_json: JsonOpt = False,
) -> None:
    """Create a token and print it. It is shown only this once; only a hash is stored."""

    async def work(store: Store) -> auth.NewToken:
        user = await auth.get_user_by_email(store.session, email)
        return await auth.create_api_token(store.session, user.id, name, expires_in_days)

    new = run_with_store(work)
    if as_json:
        print_json({**token_json(new.info), "token": new.token})
        return
    console.print(f"Created token {new.info.name!r} (id {new.info.id}) for {email}. Copy it now:", highlight=False)
    typer.echo(new.token)


@app.command("list")
def list_(
    email: Annotated[str, typer.Argument(help="Whose tokens to list.")],
    as_json: JsonOpt = False,
) -> None:
    """List a user's tokens that are not revoked (never their secrets)."""

    async def work(store: Store) -> list[auth.TokenInfo]:
        user = await auth.get_user_by_email(store.session, email)
        return await auth.list_api_tokens(store.session, user.id)

    tokens = run_with_store(work)
    if as_json:
        print_json([token_json(t) for t in tokens])
        return
    table = Table("ID", "Name", "Created", "Expires", "Last used")
    for t in tokens:
        table.add_row(t.id, t.name, f"{t.created_at:%Y-%m-%d}", _day(t.expires_at), _day(t.last_used_at))
    console.print(table)


@app.command()
def revoke(token_id: Annotated[str, typer.Argument(help="The token's id, as shown by `llmchat tokens list`.")]) -> None:
    """Revoke a token: requests using it are refused from now on."""
    run_with_store(lambda s: auth.revoke_api_token(s.session, token_id))
    console.print(f"Revoked token {token_id}.", highlight=False)


def _day(value: datetime | None) -> str:
    return f"{value:%Y-%m-%d}" if value else "-"
