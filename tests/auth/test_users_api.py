"""Admin user management under /users. Both databases."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest

from llmchat.settings import Settings
from tests.fixtures.app import ADMIN_EMAIL, ADMIN_PASSWORD, make_settings
from tests.fixtures.auth import USER_PASSWORD, MakeUser, login

LAST_ADMIN = {"detail": "Cannot remove the last active admin: make another user admin first."}


@pytest.fixture
def settings(tmp_path: Path, database_url: str) -> Settings:
    """Every test here runs on SQLite and on PostgreSQL."""
    return make_settings(tmp_path, database_url)


async def _admin_id(client: httpx.AsyncClient, headers: dict[str, str]) -> str:
    me: dict[str, str] = (await client.get("/auth/me", headers=headers)).json()
    return me["id"]


async def test_admin_creates_lists_changes_and_deletes_a_user(
    client: httpx.AsyncClient, admin_headers: dict[str, str]
) -> None:
    created = await client.post(
        "/users", json={"email": "Ada@Example.com", "password": USER_PASSWORD, "role": "viewer"}, headers=admin_headers
    )
    assert created.status_code == 201
    user = created.json()
    assert user == {
        "id": user["id"],
        "email": "ada@example.com",
        "role": "viewer",
        "is_active": True,
        "created_at": user["created_at"],
    }

    listed = (await client.get("/users", headers=admin_headers)).json()
    assert [u["email"] for u in listed] == [ADMIN_EMAIL, "ada@example.com"]

    changed = await client.patch(
        f"/users/{user['id']}", json={"role": "user", "password": "a brand new password"}, headers=admin_headers
    )
    assert changed.json()["role"] == "user"
    headers = await login(client, "ada@example.com", "a brand new password")
    assert (await client.get("/auth/me", headers=headers)).json()["role"] == "user"

    assert (await client.delete(f"/users/{user['id']}", headers=admin_headers)).status_code == 204
    assert (await client.get("/auth/me", headers=headers)).status_code == 401
    assert (await client.delete(f"/users/{user['id']}", headers=admin_headers)).json() == {"detail": "User not found."}


async def test_deleting_a_user_deletes_their_api_tokens(
    client: httpx.AsyncClient, admin_headers: dict[str, str], make_user: MakeUser
) -> None:
    _, headers = await make_user("user")
    user_id = await _admin_id(client, headers)
    token = (await client.post("/auth/tokens", json={"name": "t"}, headers=headers)).json()["token"]

    await client.delete(f"/users/{user_id}", headers=admin_headers)

    assert (await client.get("/auth/me", headers={"Authorization": f"Bearer {token}"})).status_code == 401


async def test_duplicate_email_is_409_whatever_the_case(
    client: httpx.AsyncClient, admin_headers: dict[str, str]
) -> None:
    response = await client.post(
        "/users", json={"email": ADMIN_EMAIL.upper(), "password": USER_PASSWORD}, headers=admin_headers
    )
    assert response.status_code == 409
    assert response.json() == {"detail": f"A user with email {ADMIN_EMAIL} already exists."}


@pytest.mark.parametrize(
    ("body", "status", "detail"),
    [
        ({"email": "not-an-email", "password": USER_PASSWORD}, 400, "email must look like name@example.com."),
        ({"email": "a@b.c", "password": "short"}, 422, "Invalid request: password: String should have at least 8"),
        ({"email": "a@b.c", "password": USER_PASSWORD, "role": "root"}, 422, "Invalid request: role: Input should"),
        ({"password": USER_PASSWORD}, 422, "Invalid request: email: this field is required"),
    ],
)
async def test_invalid_users_are_refused_naming_the_field(
    client: httpx.AsyncClient, admin_headers: dict[str, str], body: dict[str, str], status: int, detail: str
) -> None:
    response = await client.post("/users", json=body, headers=admin_headers)
    assert response.status_code == status
    assert response.json()["detail"].startswith(detail)
    assert USER_PASSWORD not in response.text


async def test_the_last_admin_cannot_be_demoted_disabled_or_deleted(
    client: httpx.AsyncClient, admin_headers: dict[str, str]
) -> None:
    admin_id = await _admin_id(client, admin_headers)

    for response in (
        await client.patch(f"/users/{admin_id}", json={"role": "user"}, headers=admin_headers),
        await client.patch(f"/users/{admin_id}", json={"is_active": False}, headers=admin_headers),
        await client.delete(f"/users/{admin_id}", headers=admin_headers),
    ):
        assert response.status_code == 409
        assert response.json() == LAST_ADMIN
    assert (await client.get("/auth/me", headers=admin_headers)).json()["role"] == "admin"


async def test_an_admin_can_step_down_once_there_is_another(
    client: httpx.AsyncClient, admin_headers: dict[str, str], make_user: MakeUser
) -> None:
    await make_user("admin")
    admin_id = await _admin_id(client, admin_headers)

    response = await client.patch(f"/users/{admin_id}", json={"role": "user"}, headers=admin_headers)

    assert response.json()["role"] == "user"
    assert (await client.get("/users", headers=admin_headers)).status_code == 403


async def test_a_disabled_admin_does_not_count(
    client: httpx.AsyncClient, admin_headers: dict[str, str], make_user: MakeUser
) -> None:
    _, other_headers = await make_user("admin")
    other_id = await _admin_id(client, other_headers)
    await client.patch(f"/users/{other_id}", json={"is_active": False}, headers=admin_headers)
    admin_id = await _admin_id(client, admin_headers)

    response = await client.delete(f"/users/{admin_id}", headers=admin_headers)

    assert response.json() == LAST_ADMIN


async def test_responses_never_hold_secrets(client: httpx.AsyncClient, admin_headers: dict[str, str]) -> None:
    created = await client.post(
        "/users", json={"email": "b@example.com", "password": USER_PASSWORD}, headers=admin_headers
    )
    listed = await client.get("/users", headers=admin_headers)
    patched = await client.patch(
        f"/users/{created.json()['id']}", json={"password": "another password"}, headers=admin_headers
    )

    for response in (created, listed, patched):
        for secret in ("password", "hash", "argon2", USER_PASSWORD, ADMIN_PASSWORD):
            assert secret not in response.text
