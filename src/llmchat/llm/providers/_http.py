"""Direct calls for health checks and model discovery, with failures explained in words a person understands.

Messages name the host, the status or the time limit; never the API key, a header value or a query string.
"""

from __future__ import annotations

import socket
import ssl
from collections.abc import Callable, Iterator
from http import HTTPStatus
from typing import TYPE_CHECKING, Any

import httpx

from llmchat.errors import LLMChatError, ProviderUnavailable, Timeout

if TYPE_CHECKING:
    from llmchat.llm.providers.base import ProviderConnection

_REASONS = {
    401: "the API key was rejected",
    403: "the credentials are not allowed to do this",
    404: "nothing found there; check the API base",
    429: "the provider is rate limiting us",
}


def describe_status(status: int, reason: str | None = None) -> str:
    """E.g. "401 Unauthorized: the API key was rejected"."""
    try:
        phrase = HTTPStatus(status).phrase
    except ValueError:
        phrase = "Error"
    if reason is None:
        reason = _REASONS.get(status, "the provider failed" if status >= 500 else "the provider refused the request")
    return f"{status} {phrase}: {reason}"


def origin(url: str) -> str:
    """`scheme://host:port` of `url`: what we may show about where we connected."""
    parsed = httpx.URL(url)
    port = f":{parsed.port}" if parsed.port else ""
    return f"{parsed.scheme}://{parsed.host}{port}"


def _causes(exc: BaseException) -> Iterator[BaseException]:
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        yield current
        current = current.__cause__ or current.__context__


def _is_timeout(exc: BaseException) -> bool:
    # httpx2, urllib3 and botocore timeouts are recognised by name, so their modules needn't be imported here.
    return isinstance(exc, TimeoutError | httpx.TimeoutException) or type(exc).__name__.endswith(
        ("Timeout", "TimeoutError")
    )


def network_error(exc: BaseException, url: str, timeout: float) -> LLMChatError:
    """The error to raise for a failure to reach `url` (DNS, refusal, TLS, timeout), from any HTTP library."""
    for cause in _causes(exc):
        if _is_timeout(cause):
            return Timeout(f"timed out after {timeout:g}s waiting for {origin(url)}")
        if isinstance(cause, socket.gaierror):
            return ProviderUnavailable(f"DNS lookup failed for {httpx.URL(url).host}")
        if isinstance(cause, ConnectionRefusedError):
            return ProviderUnavailable(f"connection refused at {origin(url)}")
        if isinstance(cause, ssl.SSLError):
            return ProviderUnavailable(f"TLS handshake with {origin(url)} failed")
    return ProviderUnavailable(f"could not reach {origin(url)} ({type(exc).__name__})")


async def fetch_json(
    conn: ProviderConnection,
    url: str,
    *,
    headers: dict[str, str] | None = None,
    params: dict[str, str] | None = None,
    explain: Callable[[httpx.Response], str | None] | None = None,
) -> Any:
    """GET `url` within `conn.timeout` and return its JSON; `explain` may give the reason for an error response.

    A client per call: these are rare admin requests, so a kept-alive pool would only sit idle between them.
    """
    try:
        async with httpx.AsyncClient(timeout=conn.timeout) as client:
            response = await client.get(url, headers=headers, params=params)
    except (httpx.HTTPError, OSError) as exc:
        raise network_error(exc, url, conn.timeout) from exc
    if response.is_error:
        raise ProviderUnavailable(describe_status(response.status_code, explain(response) if explain else None))
    try:
        return response.json()
    except ValueError as exc:
        raise ProviderUnavailable(f"{origin(url)} answered something that is not JSON") from exc


def items(payload: Any, key: str, url: str) -> list[dict[str, Any]]:
    """The list of objects under `key` in a models listing, or ProviderUnavailable if it has another shape."""
    found = payload.get(key) if isinstance(payload, dict) else None
    if not isinstance(found, list):
        raise ProviderUnavailable(f"{origin(url)} answered an unexpected models list")
    return [item for item in found if isinstance(item, dict)]
