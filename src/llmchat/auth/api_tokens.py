"""Long-lived API tokens: `llmc_<random>`, shown once; only their SHA-256 is stored."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from llmchat.db.models import ApiToken, User
from llmchat.errors import InvalidInput, NotFound, Unauthorized

TOKEN_PREFIX = "llmc_"  # noqa: S105 - a public marker, not a secret
MAX_EXPIRY_DAYS = 3650
_LAST_USED_EVERY = timedelta(minutes=1)
_INVALID = "Invalid, expired or revoked API token."


@dataclass(frozen=True)
class TokenInfo:
    """An API token as its owner sees it later: never the secret."""

    id: str
    name: str
    created_at: datetime
    expires_at: datetime | None
    last_used_at: datetime | None

    @classmethod
    def of(cls, row: ApiToken) -> TokenInfo:
        return cls(row.id, row.name, row.created_at, row.expires_at, row.last_used_at)


@dataclass(frozen=True)
class NewToken:
    """A token just created: the only time its secret is known."""

    info: TokenInfo
    token: str = field(repr=False)


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


async def create_api_token(
    session: AsyncSession, user_id: str, name: str, expires_in_days: int | None = None
) -> NewToken:
    name = name.strip()
    if not name or len(name) > 200:
        raise InvalidInput("name must be 1 to 200 characters.")
    if expires_in_days is not None and not 1 <= expires_in_days <= MAX_EXPIRY_DAYS:
        raise InvalidInput(f"expires_in_days must be between 1 and {MAX_EXPIRY_DAYS}.")
    now = datetime.now(UTC)
    token = TOKEN_PREFIX + secrets.token_urlsafe(32)
    row = ApiToken(
        user_id=user_id,
        name=name,
        token_hash=hash_token(token),
        created_at=now,
        expires_at=now + timedelta(days=expires_in_days) if expires_in_days else None,
    )
    session.add(row)
    await session.commit()
    return NewToken(TokenInfo.of(row), token)


async def list_api_tokens(session: AsyncSession, user_id: str) -> list[TokenInfo]:
    """The user's tokens that are not revoked (expired ones included, so they can be tidied up)."""
    rows = await session.scalars(
        select(ApiToken).where(ApiToken.user_id == user_id, ApiToken.revoked_at.is_(None)).order_by(ApiToken.created_at)
    )
    return [TokenInfo.of(r) for r in rows]


async def revoke_api_token(session: AsyncSession, token_id: str, user_id: str | None = None) -> None:
    """Revoke a token; with `user_id`, only one of that user's (anyone else's is NotFound)."""
    row = await session.get(ApiToken, token_id)
    if row is None or row.revoked_at is not None or (user_id is not None and row.user_id != user_id):
        raise NotFound("API token not found.")
    row.revoked_at = datetime.now(UTC)
    await session.commit()


async def resolve_api_token(session: AsyncSession, token: str) -> User:
    """The user a valid token belongs to; records its use at most once a minute."""
    row = await session.scalar(select(ApiToken).where(ApiToken.token_hash == hash_token(token)))
    now = datetime.now(UTC)
    if row is None or row.revoked_at is not None:
        raise Unauthorized(_INVALID)
    if row.expires_at is not None and row.expires_at <= now:
        raise Unauthorized(_INVALID)
    if row.last_used_at is None or now - row.last_used_at >= _LAST_USED_EVERY:
        row.last_used_at = now
        await session.commit()
    return row.user
