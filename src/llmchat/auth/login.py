"""Password login and the JWTs it issues (HS256, signed with the service's JWT secret)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import jwt
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from llmchat.auth.passwords import hash_password, needs_rehash, verify_password
from llmchat.auth.users import ACCOUNT_DISABLED, normalise_email
from llmchat.db.models import User
from llmchat.errors import Forbidden, Unauthorized

ALGORITHM = "HS256"
_INVALID_LOGIN = "Invalid email or password."


@dataclass(frozen=True)
class LoginToken:
    """A signed login token and how many seconds it stays valid."""

    access_token: str = field(repr=False)
    expires_in: int


def issue_login_token(user: User, secret: str, expiry_minutes: int) -> LoginToken:
    now = datetime.now(UTC)
    claims = {
        "sub": user.id,
        "email": user.email,
        "role": user.role,
        "iat": now,
        "exp": now + timedelta(minutes=expiry_minutes),
        "jti": uuid.uuid4().hex,
    }
    return LoginToken(jwt.encode(claims, secret, algorithm=ALGORITHM), expiry_minutes * 60)


def decode_login_token(token: str, secret: str) -> dict[str, Any]:
    """The claims of a valid, unexpired token; Unauthorized otherwise."""
    try:
        claims: dict[str, Any] = jwt.decode(
            token, secret, algorithms=[ALGORITHM], options={"require": ["sub", "iat", "exp", "jti"]}
        )
    except jwt.ExpiredSignatureError:
        raise Unauthorized("Your session has expired; sign in again.") from None
    except jwt.InvalidTokenError:
        raise Unauthorized("Invalid token.") from None
    return claims


async def login(session: AsyncSession, email: str, password: str, secret: str, expiry_minutes: int) -> LoginToken:
    """Check the password and issue a token. Unknown and wrong both fail alike, in about the same time."""
    user = await session.scalar(select(User).where(User.email == normalise_email(email)))
    ok = await verify_password(user.password_hash if user else None, password)
    if user is None or not ok:
        raise Unauthorized(_INVALID_LOGIN)
    if not user.is_active:
        raise Forbidden(ACCOUNT_DISABLED)
    if needs_rehash(user.password_hash):
        user.password_hash = await hash_password(password)
        await session.commit()
    return issue_login_token(user, secret, expiry_minutes)
