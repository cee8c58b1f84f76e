"""Roles grant permissions; routes ask for them with AdminUser, InvokeUser and ReaderUser."""

from __future__ import annotations

import httpx
import pytest
from fastapi import APIRouter, FastAPI

from llmchat.api.deps import AdminUser, InvokeUser, ReaderUser
from llmchat.auth import Principal, permissions_for
from tests.fixtures.auth import MakeUser

probe = APIRouter(prefix="/probe")


@probe.get("/invoke")
async def _invoke(user: InvokeUser) -> str:
    return user.role


@probe.get("/read")
async def _read(user: ReaderUser) -> str:
    return user.role


@probe.get("/admin")
async def _admin(user: AdminUser) -> str:
    return user.role


ALLOWED = {
    "admin": {"invoke", "read", "admin"},
    "user": {"invoke", "read"},
    "viewer": {"read"},
}
PERMISSION = {"invoke": "llm.invoke", "read": "llm.read", "admin": "admin"}


@pytest.fixture
def probed(app: FastAPI) -> FastAPI:
    app.include_router(probe)
    return app


@pytest.mark.parametrize("role", ["admin", "user", "viewer"])
async def test_each_role_reaches_what_its_permissions_allow(
    probed: FastAPI, client: httpx.AsyncClient, make_user: MakeUser, role: str
) -> None:
    _, headers = await make_user(role)
    for route, permission in PERMISSION.items():
        response = await client.get(f"/probe/{route}", headers=headers)
        if route in ALLOWED[role]:
            assert response.status_code == 200, (role, route)
        else:
            assert response.status_code == 403, (role, route)
            assert response.json() == {"detail": f"This needs the '{permission}' permission."}


async def test_user_cannot_manage_users(client: httpx.AsyncClient, make_user: MakeUser) -> None:
    _, headers = await make_user("user")
    response = await client.get("/users", headers=headers)
    assert response.status_code == 403
    assert response.json() == {"detail": "This needs the 'admin' permission."}


async def test_permission_checks_come_after_authentication(probed: FastAPI, client: httpx.AsyncClient) -> None:
    assert (await client.get("/probe/read")).status_code == 401


def test_principal_has_its_role_permissions() -> None:
    viewer = Principal("id", "v@example.com", "viewer", permissions_for("viewer"), "bearer", None)
    assert viewer.has("llm.read")
    assert not viewer.has("llm.invoke")
    assert permissions_for("retired-role") == frozenset()
