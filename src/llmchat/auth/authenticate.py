"""Turn presented credentials (a login JWT or an API token) into a Principal."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from llmchat.auth.api_tokens import TOKEN_PREFIX, resolve_api_token
from llmchat.auth.login import decode_login_token
from llmchat.auth.principal import Principal, Via
from llmchat.auth.roles import permissions_for
from llmchat.auth.users import ACCOUNT_DISABLED
from llmchat.db.models import User
from llmchat.errors import Forbidden, Unauthorized


async def authenticate_bearer(session: AsyncSession, token: str, jwt_secret: str) -> Principal:
    """A bearer credential: an API token (by its prefix) or a login JWT."""
    if token.startswith(TOKEN_PREFIX):
        return _principal(await resolve_api_token(session, token), "api_token", None)
    return await authenticate_jwt(session, token, jwt_secret, via="bearer")


async def authenticate_jwt(session: AsyncSession, token: str, jwt_secret: str, via: Via) -> Principal:
    """A login JWT; the user is read afresh so role changes and deactivation apply at once."""
    claims = decode_login_token(token, jwt_secret)
    user_id = claims["sub"]
    user = await session.get(User, user_id) if isinstance(user_id, str) else None
    if user is None:
        raise Unauthorized("Invalid token.")
    return _principal(user, via, token)


def _principal(user: User, via: Via, token: str | None) -> Principal:
    if not user.is_active:
        raise Forbidden(ACCOUNT_DISABLED)
    return Principal(user.id, user.email, user.role, permissions_for(user.role), via, token)
