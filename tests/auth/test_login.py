"""POST /auth/login, /auth/logout and GET /auth/me."""

from __future__ import annotations

import time
from pathlib import Path

import httpx
import jwt
from fastapi import FastAPI

from llmchat.app import create_app
from tests.fixtures.app import ADMIN_EMAIL, ADMIN_PASSWORD, make_settings
from tests.fixtures.auth import MakeUser, login


def _set_cookies(response: httpx.Response) -> dict[str, str]:
    """Each Set-Cookie header by cookie name."""
    return {h.split("=", 1)[0]: h for h in response.headers.get_list("set-cookie")}


async def test_login_returns_a_bearer_token_and_sets_cookies(app: FastAPI, client: httpx.AsyncClient) -> None:
    response = await client.post("/auth/login", json={"email": ADMIN_EMAIL, "password": ADMIN_PASSWORD})

    assert response.status_code == 200
    body = response.json()
    assert body["token_type"] == "bearer"
    assert body["expires_in"] == 24 * 60 * 60
    claims = jwt.decode(body["access_token"], app.state.services.jwt_secret, algorithms=["HS256"])
    assert claims["email"] == ADMIN_EMAIL
    assert claims["role"] == "admin"
    assert {"sub", "iat", "exp", "jti"} <= claims.keys()

    cookies = _set_cookies(response)
    assert cookies["jwt_token"].startswith(f"jwt_token={body['access_token']};")
    assert "HttpOnly" in cookies["jwt_token"]
    assert "SameSite=lax" in cookies["jwt_token"]
    assert "Path=/" in cookies["jwt_token"]
    assert "Secure" not in cookies["jwt_token"]
    assert "HttpOnly" not in cookies["csrf_token"]


async def test_cookies_are_secure_when_configured(tmp_path: Path, sqlite_url: str) -> None:
    application = create_app(make_settings(tmp_path, sqlite_url, cookie_secure=True))
    async with (
        application.router.lifespan_context(application),
        httpx.AsyncClient(transport=httpx.ASGITransport(app=application), base_url="http://testserver") as client,
    ):
        response = await client.post("/auth/login", json={"email": ADMIN_EMAIL, "password": ADMIN_PASSWORD})
    assert all("Secure" in cookie for cookie in _set_cookies(response).values())


async def test_wrong_password_and_unknown_email_get_the_same_answer(client: httpx.AsyncClient) -> None:
    wrong = await client.post("/auth/login", json={"email": ADMIN_EMAIL, "password": "not the password"})
    unknown = await client.post("/auth/login", json={"email": "nobody@example.com", "password": "whatever1"})

    for response in (wrong, unknown):
        assert response.status_code == 401
        assert response.json() == {"detail": "Invalid email or password."}
        assert response.headers["www-authenticate"] == "Bearer"
        assert "set-cookie" not in response.headers


async def test_unknown_email_takes_about_as_long_as_a_wrong_password(client: httpx.AsyncClient) -> None:
    async def fastest(email: str) -> float:
        times = []
        for _ in range(3):
            start = time.perf_counter()
            await client.post("/auth/login", json={"email": email, "password": "not the password"})
            times.append(time.perf_counter() - start)
        return min(times)

    await fastest("warm-up@example.com")
    known, unknown = await fastest(ADMIN_EMAIL), await fastest("nobody@example.com")
    assert unknown > known / 2  # without a dummy hash check it would be ~50x faster


async def test_email_is_case_insensitive(client: httpx.AsyncClient) -> None:
    headers = await login(client, "  Admin@Example.COM ", ADMIN_PASSWORD)
    assert (await client.get("/auth/me", headers=headers)).json()["email"] == ADMIN_EMAIL


async def test_me_returns_identity_and_permissions(client: httpx.AsyncClient, make_user: MakeUser) -> None:
    email, headers = await make_user("user")

    response = await client.get("/auth/me", headers=headers)

    assert response.status_code == 200
    body = response.json()
    assert body == {"id": body["id"], "email": email, "role": "user", "permissions": ["llm.invoke", "llm.read"]}


async def test_disabled_user_cannot_sign_in(
    client: httpx.AsyncClient, admin_headers: dict[str, str], make_user: MakeUser
) -> None:
    email, headers = await make_user("user")
    me = (await client.get("/auth/me", headers=headers)).json()
    await client.patch(f"/users/{me['id']}", json={"is_active": False}, headers=admin_headers)

    response = await client.post("/auth/login", json={"email": email, "password": "a long enough password"})

    assert response.status_code == 403
    assert response.json() == {"detail": "This account is disabled; ask an administrator."}


async def test_logout_clears_the_cookies(client: httpx.AsyncClient) -> None:
    await client.post("/auth/login", json={"email": ADMIN_EMAIL, "password": ADMIN_PASSWORD})
    assert (await client.get("/auth/me")).status_code == 200

    response = await client.post("/auth/logout")

    assert response.json() == {"status": "logged_out"}
    assert set(_set_cookies(response)) == {"jwt_token", "csrf_token"}
    assert "jwt_token" not in client.cookies
    assert (await client.get("/auth/me")).status_code == 401


async def test_login_validates_its_body(client: httpx.AsyncClient) -> None:
    response = await client.post("/auth/login", json={"email": ADMIN_EMAIL})
    assert response.status_code == 422
    assert response.json()["detail"] == "Invalid request: password: this field is required"
