"""First start: create the admin from the settings when there is no user at all."""

from __future__ import annotations

import logging
import sys

from sqlalchemy import select

from llmchat.auth.passwords import check_password_policy, generate_password
from llmchat.auth.users import create_user, validate_email
from llmchat.db import Database, User
from llmchat.errors import ConfigurationError, Conflict, InvalidInput
from llmchat.settings import Settings

log = logging.getLogger("llmchat")


async def bootstrap_admin(db: Database, settings: Settings) -> None:
    """Create the admin once. A generated password is printed to stderr, once, and never logged."""
    async with db.session() as session:
        if await session.scalar(select(User.id).limit(1)) is not None:
            return
        email, password = _admin_credentials(settings)
        generated = password is None
        if password is None:
            password = generate_password()
        try:
            await create_user(session, email, password, role="admin")
        except Conflict:
            return  # another worker created it first
    log.info("Created the admin user %s", email)
    if generated:
        _print_once(f"Created admin {email} with password: {password}")


def _admin_credentials(settings: Settings) -> tuple[str, str | None]:
    try:
        email = validate_email(settings.admin_email)
    except InvalidInput as exc:
        raise ConfigurationError(f"Invalid setting LLMCHAT_ADMIN_EMAIL: {exc.message}") from None
    password = settings.admin_password.get_secret_value() if settings.admin_password else ""
    if not password:
        return email, None
    try:
        check_password_policy(password)
    except InvalidInput as exc:
        raise ConfigurationError(f"Invalid setting LLMCHAT_ADMIN_PASSWORD: {exc.message}") from None
    return email, password


def _print_once(line: str) -> None:
    notice = [line, "Store it now: it will not be shown again (reset it with `llmchat users set-password`)."]
    width = max(len(s) for s in notice) + 2
    box = ["┌" + "─" * width + "┐", *(f"│ {s.ljust(width - 2)} │" for s in notice), "└" + "─" * width + "┘"]
    print("\n".join(box), file=sys.stderr, flush=True)
