"""First start creates the admin from the settings, or with a generated password printed once. Both databases."""

from __future__ import annotations

import logging
import re
from pathlib import Path

import httpx
import pytest

from llmchat.app import create_app
from llmchat.errors import ConfigurationError
from llmchat.services import Services
from llmchat.settings import Settings
from tests.fixtures.app import ADMIN_EMAIL, ADMIN_PASSWORD, make_settings


async def _login_status(settings: Settings, email: str, password: str) -> int:
    """Start the app on these settings and try to sign in."""
    application = create_app(settings)
    async with (
        application.router.lifespan_context(application),
        httpx.AsyncClient(transport=httpx.ASGITransport(app=application), base_url="http://testserver") as client,
    ):
        response = await client.post("/auth/login", json={"email": email, "password": password})
    return response.status_code


async def test_generated_admin_password_is_printed_once_and_never_logged(
    tmp_path: Path, database_url: str, capsys: pytest.CaptureFixture[str], caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    settings = make_settings(tmp_path, database_url, admin_password=None)

    services = await Services.start(settings)
    await services.stop()
    first = capsys.readouterr().err
    services = await Services.start(settings)
    await services.stop()
    second = capsys.readouterr().err

    match = re.search(rf"Created admin {ADMIN_EMAIL} with password: (\S+)", first)
    assert match, first
    password = match.group(1)
    assert second == ""
    assert password not in caplog.text
    assert await _login_status(settings, ADMIN_EMAIL, password) == 200


async def test_configured_admin_password_is_used_and_not_printed(
    tmp_path: Path, database_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    settings = make_settings(tmp_path, database_url)
    assert await _login_status(settings, ADMIN_EMAIL, ADMIN_PASSWORD) == 200
    assert ADMIN_PASSWORD not in capsys.readouterr().err


async def test_no_admin_is_created_when_users_exist(tmp_path: Path, database_url: str) -> None:
    await _login_status(make_settings(tmp_path, database_url), ADMIN_EMAIL, ADMIN_PASSWORD)
    later = make_settings(tmp_path, database_url, admin_email="second@example.com")
    assert await _login_status(later, "second@example.com", ADMIN_PASSWORD) == 401


@pytest.mark.parametrize(
    ("override", "message"),
    [
        ({"admin_password": "short"}, "Invalid setting LLMCHAT_ADMIN_PASSWORD: password must be at least 8"),
        ({"admin_email": "admin"}, "Invalid setting LLMCHAT_ADMIN_EMAIL: email must look like"),
    ],
)
async def test_invalid_admin_settings_fail_fast(
    tmp_path: Path, sqlite_url: str, override: dict[str, str], message: str
) -> None:
    with pytest.raises(ConfigurationError, match=message):
        await Services.start(make_settings(tmp_path, sqlite_url, **override))
