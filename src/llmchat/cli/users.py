"""`llmchat users`: manage users directly in the configured database."""

from __future__ import annotations

from typing import Annotated, Any

import typer
from rich.table import Table

from llmchat import auth
from llmchat.cli._common import JsonOpt, Store, console, print_json, run_with_store

app = typer.Typer(help="Manage users: create them, list them, change their role or password.", no_args_is_help=True)

EmailArg = Annotated[str, typer.Argument(help="The user's email address (their login).")]
_ROLES = ", ".join(auth.ROLES)


def user_json(user: auth.UserInfo) -> dict[str, Any]:
    return {
        "id": user.id,
        "email": user.email,
        "role": user.role,
        "is_active": user.is_active,
        "created_at": user.created_at.isoformat(),
    }


def _ask_password(password: str | None) -> str:
    return password or typer.prompt("Password", hide_input=True, confirmation_prompt=True)


@app.command()
def create(
    email: EmailArg,
    role: Annotated[str, typer.Option(help=f"One of: {_ROLES}.")] = "user",
    password: Annotated[
        str | None, typer.Option(help="The password (at least 8 characters); asked for, hidden, when omitted.")
    ] = None,
    as_json: JsonOpt = False,
) -> None:
    """Create a user. The first user can be the admin: the service only bootstraps one when there is no user."""
    secret = _ask_password(password)
    user = run_with_store(lambda s: auth.create_user(s.session, email, secret, role))
    if as_json:
        print_json(user_json(user))
    else:
        console.print(f"Created {user.role} {user.email}.", highlight=False)


@app.command("list")
def list_(as_json: JsonOpt = False) -> None:
    """List every user with their role and whether they may sign in."""
    users = run_with_store(lambda s: auth.list_users(s.session))
    if as_json:
        print_json([user_json(u) for u in users])
        return
    table = Table("Email", "Role", "Active", "Created", "ID")
    for u in users:
        table.add_row(u.email, u.role, "yes" if u.is_active else "no", f"{u.created_at:%Y-%m-%d %H:%M}", u.id)
    console.print(table)


@app.command("set-role")
def set_role(
    email: EmailArg,
    role: Annotated[str, typer.Argument(help=f"The new role, one of: {_ROLES}.")],
    as_json: JsonOpt = False,
) -> None:
    """Change a user's role. The last active admin cannot be demoted."""

    async def work(store: Store) -> auth.UserInfo:
        user = await auth.get_user_by_email(store.session, email)
        return await auth.update_user(store.session, user.id, role=role)

    user = run_with_store(work)
    if as_json:
        print_json(user_json(user))
    else:
        console.print(f"{user.email} is now {user.role}.", highlight=False)


@app.command("set-password")
def set_password(
    email: EmailArg,
    password: Annotated[
        str | None, typer.Option(help="The new password (at least 8 characters); asked for, hidden, when omitted.")
    ] = None,
) -> None:
    """Set a user's password, e.g. to recover a lost admin password."""
    secret = _ask_password(password)

    async def work(store: Store) -> auth.UserInfo:
        user = await auth.get_user_by_email(store.session, email)
        return await auth.update_user(store.session, user.id, password=secret)

    user = run_with_store(work)
    console.print(f"Password of {user.email} changed.", highlight=False)
