"""Dependencies that routes ask for by type: services, a database session, the current user."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Annotated

from fastapi import Depends, Query, Request
from sqlalchemy.ext.asyncio import AsyncSession

from llmchat.auth import (
    ADMIN,
    CSRF_COOKIE,
    CSRF_HEADER,
    JWT_COOKIE,
    LLM_INVOKE,
    LLM_READ,
    Principal,
    authenticate_bearer,
    authenticate_jwt,
    check_csrf,
)
from llmchat.errors import Forbidden, Unauthorized
from llmchat.pagination import MAX_LIMIT
from llmchat.services import Services
from llmchat.settings import Settings


def get_services(request: Request) -> Services:
    services: Services = request.app.state.services
    return services


ServicesDep = Annotated[Services, Depends(get_services)]


def get_settings(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


SettingsDep = Annotated[Settings, Depends(get_settings)]


async def get_db(services: ServicesDep) -> AsyncIterator[AsyncSession]:
    async with services.db.session() as session:
        yield session


DbSession = Annotated[AsyncSession, Depends(get_db)]

# The paging parameters of the paged lists; the response is a `llmchat.pagination.Page`.
Limit = Annotated[int, Query(ge=1, le=MAX_LIMIT, description="Items per page.")]
Offset = Annotated[int, Query(ge=0, description="Items to skip.")]


def _bearer_token(authorization: str | None) -> str | None:
    """The credential of an `Authorization: Bearer ...` header; other schemes are not ours (e.g. a proxy's)."""
    scheme, _, credential = (authorization or "").partition(" ")
    return credential.strip() if scheme.lower() == "bearer" else None


async def current_user(request: Request, services: ServicesDep) -> Principal:
    """The caller, from a bearer token (JWT or API token) or else the login cookie (CSRF-checked on writes)."""
    bearer = _bearer_token(request.headers.get("authorization"))
    if bearer is not None:
        async with services.db.session() as session:
            return await authenticate_bearer(session, bearer, services.jwt_secret)
    cookie = request.cookies.get(JWT_COOKIE)
    if not cookie:
        raise Unauthorized("Authentication required.")
    async with services.db.session() as session:
        principal = await authenticate_jwt(session, cookie, services.jwt_secret, via="cookie")
    check_csrf(request.method, request.cookies.get(CSRF_COOKIE), request.headers.get(CSRF_HEADER))
    return principal


CurrentUser = Annotated[Principal, Depends(current_user)]


def require(permission: str) -> Callable[[Principal], Awaitable[Principal]]:
    """A dependency that lets the caller through only with `permission` (403 naming it otherwise)."""

    async def dependency(user: CurrentUser) -> Principal:
        if not user.has(permission):
            raise Forbidden(f"This needs the '{permission}' permission.")
        return user

    return dependency


AdminUser = Annotated[Principal, Depends(require(ADMIN))]
InvokeUser = Annotated[Principal, Depends(require(LLM_INVOKE))]
ReaderUser = Annotated[Principal, Depends(require(LLM_READ))]
