"""Long-lived API tokens: shown once, stored hashed, usable as bearer, revocable, expiring. Both databases."""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy import select, update

from llmchat.db import ApiToken
from llmchat.settings import Settings
from tests.fixtures.app import make_settings
from tests.fixtures.auth import MakeUser


@pytest.fixture
def settings(tmp_path: Path, database_url: str) -> Settings:
    """Every test here runs on SQLite and on PostgreSQL."""
    return make_settings(tmp_path, database_url)


async def _create(client: httpx.AsyncClient, headers: dict[str, str], **body: object) -> dict[str, object]:
    response = await client.post("/auth/tokens", json={"name": "ci", **body}, headers=headers)
    assert response.status_code == 201, response.text
    created: dict[str, object] = response.json()
    return created


async def test_create_shows_the_secret_once_and_stores_only_its_hash(
    app: FastAPI, client: httpx.AsyncClient, admin_headers: dict[str, str]
) -> None:
    created = await _create(client, admin_headers, expires_in_days=30)
    token = str(created["token"])
    assert token.startswith("llmc_")
    assert created["name"] == "ci"
    assert created["expires_at"] is not None

    listed = (await client.get("/auth/tokens", headers=admin_headers)).json()
    assert [t["id"] for t in listed] == [created["id"]]
    assert "token" not in listed[0]
    assert token not in str(listed)

    async with app.state.services.db.session() as session:
        stored = await session.scalar(select(ApiToken.token_hash))
    assert stored == hashlib.sha256(token.encode()).hexdigest()


async def test_a_token_authenticates_as_its_owner(client: httpx.AsyncClient, make_user: MakeUser) -> None:
    email, headers = await make_user("viewer")
    token = (await _create(client, headers))["token"]

    me = await client.get("/auth/me", headers={"Authorization": f"Bearer {token}"})

    assert me.json()["email"] == email
    assert me.json()["permissions"] == ["llm.read"]


async def test_revoked_tokens_stop_working(client: httpx.AsyncClient, admin_headers: dict[str, str]) -> None:
    created = await _create(client, admin_headers)
    bearer = {"Authorization": f"Bearer {created['token']}"}
    assert (await client.get("/auth/me", headers=bearer)).status_code == 200

    assert (await client.delete(f"/auth/tokens/{created['id']}", headers=admin_headers)).status_code == 204

    refused = await client.get("/auth/me", headers=bearer)
    assert refused.status_code == 401
    assert refused.json() == {"detail": "Invalid, expired or revoked API token."}
    assert (await client.get("/auth/tokens", headers=admin_headers)).json() == []
    assert (await client.delete(f"/auth/tokens/{created['id']}", headers=admin_headers)).status_code == 404


async def test_expired_tokens_stop_working(
    app: FastAPI, client: httpx.AsyncClient, admin_headers: dict[str, str]
) -> None:
    created = await _create(client, admin_headers, expires_in_days=1)
    async with app.state.services.db.session() as session:
        yesterday = datetime.now(UTC) - timedelta(days=1)
        await session.execute(update(ApiToken).where(ApiToken.id == created["id"]).values(expires_at=yesterday))
        await session.commit()

    response = await client.get("/auth/me", headers={"Authorization": f"Bearer {created['token']}"})

    assert response.status_code == 401


async def test_someone_elses_token_cannot_be_revoked(
    client: httpx.AsyncClient, admin_headers: dict[str, str], make_user: MakeUser
) -> None:
    created = await _create(client, admin_headers)
    _, other = await make_user("user")

    response = await client.delete(f"/auth/tokens/{created['id']}", headers=other)

    assert response.status_code == 404
    assert response.json() == {"detail": "API token not found."}
    assert (await client.get("/auth/tokens", headers=other)).json() == []


async def test_last_used_is_recorded_at_most_once_a_minute(
    client: httpx.AsyncClient, admin_headers: dict[str, str]
) -> None:
    created = await _create(client, admin_headers)
    bearer = {"Authorization": f"Bearer {created['token']}"}

    await client.get("/auth/me", headers=bearer)
    first = (await client.get("/auth/tokens", headers=admin_headers)).json()[0]["last_used_at"]
    await client.get("/auth/me", headers=bearer)
    second = (await client.get("/auth/tokens", headers=admin_headers)).json()[0]["last_used_at"]

    assert first is not None
    assert datetime.fromisoformat(first).tzinfo is not None
    assert second == first


async def test_api_tokens_cannot_mint_more_tokens(client: httpx.AsyncClient, admin_headers: dict[str, str]) -> None:
    token = (await _create(client, admin_headers))["token"]

    response = await client.post("/auth/tokens", json={"name": "x"}, headers={"Authorization": f"Bearer {token}"})

    assert response.status_code == 403
    assert response.json() == {"detail": "API tokens cannot create API tokens; sign in with your password."}


async def test_token_requests_are_validated(client: httpx.AsyncClient, admin_headers: dict[str, str]) -> None:
    no_name = await client.post("/auth/tokens", json={"name": ""}, headers=admin_headers)
    bad_expiry = await client.post("/auth/tokens", json={"name": "x", "expires_in_days": 0}, headers=admin_headers)

    assert no_name.status_code == bad_expiry.status_code == 422
    assert no_name.json()["detail"].startswith("Invalid request: name:")
    assert bad_expiry.json()["detail"].startswith("Invalid request: expires_in_days:")
