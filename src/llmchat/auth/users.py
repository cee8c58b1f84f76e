"""Users: create, list, change and delete them, never leaving the service without an active admin."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from llmchat.auth import _account_cache
from llmchat.auth.passwords import check_password_policy, hash_password
from llmchat.auth.roles import ROLES
from llmchat.db.models import User
from llmchat.errors import Conflict, InvalidInput, NotFound

_EMAIL = re.compile(r"[^@\s]+@[^@\s.][^@\s]*")
_LAST_ADMIN = "Cannot remove the last active admin: make another user admin first."
ACCOUNT_DISABLED = "This account is disabled; ask an administrator."


@dataclass(frozen=True)
class UserInfo:
    """A user as shown to administrators: everything but the password hash."""

    id: str
    email: str
    role: str
    is_active: bool
    created_at: datetime

    @classmethod
    def of(cls, user: User) -> UserInfo:
        return cls(user.id, user.email, user.role, user.is_active, user.created_at)


def normalise_email(email: str) -> str:
    return email.strip().lower()


def validate_email(email: str) -> str:
    """The email lower-cased, or InvalidInput naming the field."""
    email = normalise_email(email)
    if len(email) > 320 or not _EMAIL.fullmatch(email) or email.endswith("."):
        raise InvalidInput("email must look like name@example.com.")
    return email


def check_role(role: str) -> None:
    if role not in ROLES:
        raise InvalidInput(f"role must be one of: {', '.join(ROLES)}.")


async def create_user(session: AsyncSession, email: str, password: str, role: str = "user") -> UserInfo:
    email = validate_email(email)
    check_password_policy(password)
    check_role(role)
    if await session.scalar(select(User.id).where(User.email == email)) is not None:
        raise Conflict(f"A user with email {email} already exists.")
    user = User(email=email, password_hash=await hash_password(password), role=role, is_active=True)
    session.add(user)
    try:
        await session.commit()
    except IntegrityError:
        await session.rollback()
        raise Conflict(f"A user with email {email} already exists.") from None
    return UserInfo.of(user)


async def list_users(session: AsyncSession) -> list[UserInfo]:
    users = await session.scalars(select(User).order_by(User.created_at, User.email))
    return [UserInfo.of(u) for u in users]


async def get_user_by_email(session: AsyncSession, email: str) -> UserInfo:
    user = await session.scalar(select(User).where(User.email == normalise_email(email)))
    if user is None:
        raise NotFound(f"No user with email {normalise_email(email)}.")
    return UserInfo.of(user)


async def update_user(
    session: AsyncSession,
    user_id: str,
    *,
    role: str | None = None,
    is_active: bool | None = None,
    password: str | None = None,
) -> UserInfo:
    """Change what is given; refuse to demote or deactivate the last active admin (Conflict)."""
    if role is not None:
        check_role(role)
    if password is not None:
        check_password_policy(password)
    new_hash = await hash_password(password) if password is not None else None  # before any row is locked
    user = await _get(session, user_id)
    stays_admin = (role or user.role) == "admin" and (user.is_active if is_active is None else is_active)
    if not stays_admin:
        await _keep_an_admin(session, user)
    if role is not None:
        user.role = role
    if is_active is not None:
        user.is_active = is_active
    if new_hash is not None:
        user.password_hash = new_hash
    await session.commit()
    _account_cache.forget(user.id)
    return UserInfo.of(user)


async def delete_user(session: AsyncSession, user_id: str) -> None:
    """Delete a user and their API tokens; never the last active admin (Conflict)."""
    user = await _get(session, user_id)
    await _keep_an_admin(session, user)
    await session.delete(user)
    await session.commit()
    _account_cache.forget(user_id)


async def _get(session: AsyncSession, user_id: str) -> User:
    user = await session.get(User, user_id)
    if user is None:
        raise NotFound("User not found.")
    return user


async def _keep_an_admin(session: AsyncSession, leaving: User) -> None:
    """Raise Conflict if `leaving` is the only active admin. Locks the admin rows so two requests cannot race."""
    if leaving.role != "admin" or not leaving.is_active:
        return
    admins = select(User.id).where(User.role == "admin", User.is_active.is_(True)).with_for_update()
    if len((await session.scalars(admins)).all()) <= 1:
        raise Conflict(_LAST_ADMIN)
