"""Turn presented credentials (a login JWT or an API token) into a Principal."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from llmchat.auth import _account_cache
from llmchat.auth._account_cache import Account
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
    """A login JWT; the user is re-read at most every few seconds (see `_account_cache`)."""
    claims = decode_login_token(token, jwt_secret)
    user_id = claims["sub"]
    if not isinstance(user_id, str):
        raise Unauthorized("Invalid token.")
    account = _account_cache.recall(user_id)
    if account is None:
        user = await session.get(User, user_id)
        if user is None:
            raise Unauthorized("Invalid token.")
        account = Account(user.id, user.email, user.role, user.is_active)
        _account_cache.remember(account)
    return _principal(account, via, token)


def _principal(user: User | Account, via: Via, token: str | None) -> Principal:
    if not user.is_active:
        raise Forbidden(ACCOUNT_DISABLED)
    return Principal(user.id, user.email, user.role, permissions_for(user.role), via, token)
