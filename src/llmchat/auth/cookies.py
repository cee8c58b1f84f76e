"""The login cookie and its CSRF protection (double submit: a readable cookie echoed in a header)."""

from __future__ import annotations

import hmac
import secrets

from llmchat.errors import Forbidden

JWT_COOKIE = "jwt_token"
CSRF_COOKIE = "csrf_token"
CSRF_HEADER = "X-CSRF-Token"

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "TRACE"})


def new_csrf_token() -> str:
    return secrets.token_urlsafe(32)


def check_csrf(method: str, cookie: str | None, header: str | None) -> None:
    """Refuse an unsafe request authenticated by cookie unless the header repeats the CSRF cookie."""
    if method.upper() in SAFE_METHODS:
        return
    if not cookie or not header or not hmac.compare_digest(cookie.encode(), header.encode()):
        raise Forbidden("CSRF token missing or invalid.")
