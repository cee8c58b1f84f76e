"""User management (admin only)."""

from __future__ import annotations

from datetime import datetime

from fastapi import APIRouter, status
from pydantic import BaseModel, ConfigDict, Field

from llmchat import auth
from llmchat.api.deps import AdminUser, DbSession
from llmchat.auth.passwords import MAX_PASSWORD_LENGTH, MIN_PASSWORD_LENGTH

router = APIRouter(prefix="/users", tags=["users"])


class UserCreate(BaseModel):
    email: str = Field(max_length=320)
    password: str = Field(min_length=MIN_PASSWORD_LENGTH, max_length=MAX_PASSWORD_LENGTH)
    role: auth.Role = "user"


class UserUpdate(BaseModel):
    role: auth.Role | None = None
    is_active: bool | None = None
    password: str | None = Field(None, min_length=MIN_PASSWORD_LENGTH, max_length=MAX_PASSWORD_LENGTH)


class UserOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: str
    email: str
    role: str
    is_active: bool
    created_at: datetime


@router.get("")
async def list_users(_admin: AdminUser, db: DbSession) -> list[UserOut]:
    """Every user, oldest first."""
    return [UserOut.model_validate(u) for u in await auth.list_users(db)]


@router.post("", status_code=status.HTTP_201_CREATED)
async def create_user(body: UserCreate, _admin: AdminUser, db: DbSession) -> UserOut:
    """Add a user (409 if the email is taken)."""
    return UserOut.model_validate(await auth.create_user(db, body.email, body.password, body.role))


@router.patch("/{user_id}")
async def update_user(user_id: str, body: UserUpdate, _admin: AdminUser, db: DbSession) -> UserOut:
    """Change a user's role, active flag or password (409 for the last active admin)."""
    info = await auth.update_user(db, user_id, role=body.role, is_active=body.is_active, password=body.password)
    return UserOut.model_validate(info)


@router.delete("/{user_id}", status_code=status.HTTP_204_NO_CONTENT)
async def delete_user(user_id: str, _admin: AdminUser, db: DbSession) -> None:
    """Delete a user and their API tokens (409 for the last active admin)."""
    await auth.delete_user(db, user_id)
