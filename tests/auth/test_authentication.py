"""Who is calling: bearer tokens and the login cookie, CSRF on cookie writes, inactive and unknown users."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import httpx
import jwt
from fastapi import FastAPI

from llmchat.auth import authenticate_bearer
from tests.fixtures.app import ADMIN_EMAIL, ADMIN_PASSWORD
from tests.fixtures.auth import MakeUser

TOKEN_BODY = {"name": "script"}


async def _cookie_login(client: httpx.AsyncClient) -> str:
    """Sign in as the admin with the cookie jar; return the CSRF token a browser would read."""
    await client.post("/auth/login", json={"email": ADMIN_EMAIL, "password": ADMIN_PASSWORD})
    csrf = client.cookies["csrf_token"]
    assert csrf
    return csrf


async def test_no_credentials_is_401_with_a_challenge(client: httpx.AsyncClient) -> None:
    response = await client.get("/auth/me")
    assert response.status_code == 401
    assert response.json() == {"detail": "Authentication required."}
    assert response.headers["www-authenticate"] == "Bearer"


async def test_bad_bearer_tokens_are_refused(app: FastAPI, client: httpx.AsyncClient) -> None:
    now = datetime.now(UTC)
    claims = {"sub": "x", "iat": now, "jti": "j"}
    secret = app.state.services.jwt_secret
    expired = jwt.encode({**claims, "exp": now - timedelta(minutes=1)}, secret, algorithm="HS256")
    forged = jwt.encode({**claims, "exp": now + timedelta(minutes=5)}, "another secret of 32 characters!", "HS256")
    unknown_user = jwt.encode({**claims, "exp": now + timedelta(minutes=5)}, secret, algorithm="HS256")

    cases = {
        "garbage": "Invalid token.",
        forged: "Invalid token.",
        expired: "Your session has expired; sign in again.",
        unknown_user: "Invalid token.",
        "llmc_not-a-real-token": "Invalid, expired or revoked API token.",
    }
    for token, message in cases.items():
        response = await client.get("/auth/me", headers={"Authorization": f"Bearer {token}"})
        assert (response.status_code, response.json()["detail"]) == (401, message)


async def test_other_authorization_schemes_are_ignored(client: httpx.AsyncClient) -> None:
    await _cookie_login(client)
    response = await client.get("/auth/me", headers={"Authorization": "Basic cHJveHk6cGFzcw=="})
    assert response.json()["email"] == ADMIN_EMAIL


async def test_cookie_authenticates_reads(client: httpx.AsyncClient) -> None:
    await _cookie_login(client)
    assert (await client.get("/auth/me")).json()["email"] == ADMIN_EMAIL


async def test_cookie_writes_need_the_csrf_header(client: httpx.AsyncClient) -> None:
    csrf = await _cookie_login(client)

    missing = await client.post("/auth/tokens", json=TOKEN_BODY)
    wrong = await client.post("/auth/tokens", json=TOKEN_BODY, headers={"X-CSRF-Token": "guess"})
    right = await client.post("/auth/tokens", json=TOKEN_BODY, headers={"X-CSRF-Token": csrf})

    for response in (missing, wrong):
        assert response.status_code == 403
        assert response.json() == {"detail": "CSRF token missing or invalid."}
    assert right.status_code == 201


async def test_bearer_writes_need_no_csrf_header(client: httpx.AsyncClient, admin_headers: dict[str, str]) -> None:
    response = await client.post("/auth/tokens", json=TOKEN_BODY, headers=admin_headers)
    assert response.status_code == 201


async def test_bearer_wins_over_the_cookie(client: httpx.AsyncClient, make_user: MakeUser) -> None:
    viewer_email, viewer_headers = await make_user("viewer")
    await _cookie_login(client)

    me = await client.get("/auth/me", headers=viewer_headers)
    write = await client.post("/auth/tokens", json=TOKEN_BODY, headers=viewer_headers)

    assert me.json()["email"] == viewer_email
    assert write.status_code == 201  # authenticated by bearer, so no CSRF header needed


async def test_role_changes_and_deactivation_apply_to_existing_tokens(
    client: httpx.AsyncClient, admin_headers: dict[str, str], make_user: MakeUser
) -> None:
    _, headers = await make_user("user")
    user_id = (await client.get("/auth/me", headers=headers)).json()["id"]

    await client.patch(f"/users/{user_id}", json={"role": "viewer"}, headers=admin_headers)
    assert (await client.get("/auth/me", headers=headers)).json()["permissions"] == ["llm.read"]

    await client.patch(f"/users/{user_id}", json={"is_active": False}, headers=admin_headers)
    refused = await client.get("/auth/me", headers=headers)
    assert refused.status_code == 403
    assert refused.json() == {"detail": "This account is disabled; ask an administrator."}


async def test_principal_carries_the_login_token_but_not_an_api_token(
    app: FastAPI, client: httpx.AsyncClient, admin_headers: dict[str, str]
) -> None:
    login_token = admin_headers["Authorization"].removeprefix("Bearer ")
    api_token = (await client.post("/auth/tokens", json=TOKEN_BODY, headers=admin_headers)).json()["token"]
    services = app.state.services

    async with services.db.session() as session:
        by_login = await authenticate_bearer(session, login_token, services.jwt_secret)
        by_api_token = await authenticate_bearer(session, api_token, services.jwt_secret)

    assert (by_login.via, by_login.token) == ("bearer", login_token)
    assert (by_api_token.via, by_api_token.token) == ("api_token", None)
    assert by_login.email == by_api_token.email == ADMIN_EMAIL
    assert login_token not in repr(by_login)
