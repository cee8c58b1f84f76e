"""The double-submit CSRF check for cookie-authenticated requests."""

from __future__ import annotations

import pytest

from llmchat.auth.cookies import check_csrf, new_csrf_token
from llmchat.errors import Forbidden


@pytest.mark.parametrize("method", ["GET", "HEAD", "OPTIONS"])
def test_safe_methods_need_no_token(method: str) -> None:
    check_csrf(method, None, None)


@pytest.mark.parametrize("method", ["POST", "PUT", "PATCH", "DELETE"])
def test_unsafe_methods_need_the_header_to_match_the_cookie(method: str) -> None:
    token = new_csrf_token()
    check_csrf(method, token, token)
    for cookie, header in [(token, None), (None, token), (token, token + "x"), ("", "")]:
        with pytest.raises(Forbidden, match="CSRF token missing or invalid"):
            check_csrf(method, cookie, header)
