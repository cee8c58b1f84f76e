"""`llmchat tokens`: long-lived API tokens for scripts, managed directly in the configured database."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Annotated, Any

import typer
from rich.table import Table
from sqlalchemy.ext.asyncio import AsyncSession

from llmchat import auth
from llmchat.auth.api_tokens import MAX_EXPIRY_DAYS
from llmchat.cli._common import console
from llmchat.cli.users import run_in_session

app = typer.Typer(
    help="Create, list and revoke API tokens (sent as `Authorization: Bearer llmc_...`).", no_args_is_help=True
)

JsonOpt = Annotated[bool, typer.Option("--json", help="Print JSON for scripts instead of text.")]


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

    async def work(session: AsyncSession) -> auth.NewToken:
        user = await auth.get_user_by_email(session, email)
        return await auth.create_api_token(session, user.id, name, expires_in_days)

    new = run_in_session(work)
    if as_json:
        typer.echo(json.dumps({**token_json(new.info), "token": new.token}))
        return
    console.print(f"Created token {new.info.name!r} (id {new.info.id}) for {email}. Copy it now:", highlight=False)
    typer.echo(new.token)


@app.command("list")
def list_(
    email: Annotated[str, typer.Argument(help="Whose tokens to list.")],
    as_json: JsonOpt = False,
) -> None:
    """List a user's tokens that are not revoked (never their secrets)."""

    async def work(session: AsyncSession) -> list[auth.TokenInfo]:
        user = await auth.get_user_by_email(session, email)
        return await auth.list_api_tokens(session, user.id)

    tokens = run_in_session(work)
    if as_json:
        typer.echo(json.dumps([token_json(t) for t in tokens]))
        return
    table = Table("ID", "Name", "Created", "Expires", "Last used")
    for t in tokens:
        table.add_row(t.id, t.name, f"{t.created_at:%Y-%m-%d}", _day(t.expires_at), _day(t.last_used_at))
    console.print(table)


@app.command()
def revoke(token_id: Annotated[str, typer.Argument(help="The token's id, as shown by `llmchat tokens list`.")]) -> None:
    """Revoke a token: requests using it are refused from now on."""
    run_in_session(lambda s: auth.revoke_api_token(s, token_id))
    console.print(f"Revoked token {token_id}.", highlight=False)


def _day(value: datetime | None) -> str:
    return f"{value:%Y-%m-%d}" if value else "-"
