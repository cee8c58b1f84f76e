"""Sign in and out, who am I, and the caller's API tokens."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from fastapi import APIRouter, Response, status
from pydantic import BaseModel, ConfigDict, Field

from llmchat import auth
from llmchat.api.deps import CurrentUser, DbSession, ServicesDep
from llmchat.auth.api_tokens import MAX_EXPIRY_DAYS
from llmchat.auth.passwords import MAX_PASSWORD_LENGTH
from llmchat.errors import Forbidden

router = APIRouter(prefix="/auth", tags=["auth"])


class LoginRequest(BaseModel):
    email: str = Field(min_length=1, max_length=320)
    password: str = Field(min_length=1, max_length=MAX_PASSWORD_LENGTH)


class LoginResponse(BaseModel):
    access_token: str
    token_type: Literal["bearer"] = "bearer"  # noqa: S105 - the OAuth2 token type, not a secret
    expires_in: int = Field(description="Seconds until the token expires.")


class StatusResponse(BaseModel):
    status: str


class MeResponse(BaseModel):
    id: str
    email: str
    role: str
    permissions: list[str]


class TokenCreate(BaseModel):
    name: str = Field(min_length=1, max_length=200, description="What the token is for, e.g. 'backup script'.")
    expires_in_days: int | None = Field(None, ge=1, le=MAX_EXPIRY_DAYS, description="Omit for no expiry.")


class TokenOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: str
    name: str
    created_at: datetime
    expires_at: datetime | None
    last_used_at: datetime | None


class TokenCreated(TokenOut):
    token: str = Field(description="The secret; shown only in this response.")


@router.post("/login")
async def login(body: LoginRequest, response: Response, db: DbSession, services: ServicesDep) -> LoginResponse:
    """Exchange email and password for a bearer token; also set the login and CSRF cookies for browsers."""
    settings = services.settings
    token = await auth.login(db, body.email, body.password, services.jwt_secret, settings.jwt_expiry_minutes)
    for name, value, httponly in (
        (auth.JWT_COOKIE, token.access_token, True),
        (auth.CSRF_COOKIE, auth.new_csrf_token(), False),
    ):
        response.set_cookie(
            name,
            value,
            max_age=token.expires_in,
            path="/",
            secure=settings.cookie_secure,
            httponly=httponly,
            samesite="lax",
        )
    return LoginResponse(access_token=token.access_token, expires_in=token.expires_in)


@router.post("/logout")
async def logout(response: Response, services: ServicesDep) -> StatusResponse:
    """Clear the login and CSRF cookies (a bearer token stays valid until it expires)."""
    for name, httponly in ((auth.JWT_COOKIE, True), (auth.CSRF_COOKIE, False)):
        response.delete_cookie(
            name, path="/", secure=services.settings.cookie_secure, httponly=httponly, samesite="lax"
        )
    return StatusResponse(status="logged_out")


@router.get("/me")
async def me(user: CurrentUser) -> MeResponse:
    """The caller's identity and permissions."""
    return MeResponse(id=user.id, email=user.email, role=user.role, permissions=sorted(user.permissions))


@router.post("/tokens", status_code=status.HTTP_201_CREATED)
async def create_token(body: TokenCreate, user: CurrentUser, db: DbSession) -> TokenCreated:
    """Create a long-lived API token for the caller. The secret is in this response only."""
    if user.via == "api_token":
        raise Forbidden("API tokens cannot create API tokens; sign in with your password.")
    new = await auth.create_api_token(db, user.id, body.name, body.expires_in_days)
    return TokenCreated(**TokenOut.model_validate(new.info).model_dump(), token=new.token)


@router.get("/tokens")
async def list_tokens(user: CurrentUser, db: DbSession) -> list[TokenOut]:
    """The caller's API tokens that are not revoked, without their secrets."""
    return [TokenOut.model_validate(t) for t in await auth.list_api_tokens(db, user.id)]


@router.delete("/tokens/{token_id}", status_code=status.HTTP_204_NO_CONTENT)
async def revoke_token(token_id: str, user: CurrentUser, db: DbSession) -> None:
    """Revoke one of the caller's API tokens; it stops working at once."""
    await auth.revoke_api_token(db, token_id, user_id=user.id)
