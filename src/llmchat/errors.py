"""One family of errors. Each carries a message a person can act on and the HTTP status it maps to.

Lower-level errors (httpx, mcp, SQLAlchemy) are translated into these at the boundary where they occur;
the API maps them to responses and SSE `error` events in one place.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import ClassVar


class LLMChatError(Exception):
    """Base class: `message` is safe to show to the user; `status_code` is the HTTP status."""

    status_code = 500
    recoverable = False
    headers: ClassVar[Mapping[str, str]] = {}

    def __init__(self, message: str, *, recoverable: bool | None = None) -> None:
        super().__init__(message)
        self.message = message
        if recoverable is not None:
            self.recoverable = recoverable


class ConfigurationError(LLMChatError):
    """A setting is missing or invalid; the service cannot start."""


class InvalidInput(LLMChatError):
    """The request is well-formed but its content cannot be used."""

    status_code = 400
    recoverable = True


class Unauthorized(LLMChatError):
    """No valid credentials were presented."""

    status_code = 401
    headers: ClassVar[Mapping[str, str]] = {"WWW-Authenticate": "Bearer"}


class Forbidden(LLMChatError):
    """The caller is known but may not do this."""

    status_code = 403


class NotFound(LLMChatError):
    """The thing asked for does not exist (or the caller may not see it)."""

    status_code = 404


class Conflict(LLMChatError):
    """The request clashes with the current state: a duplicate name, a turn already running."""

    status_code = 409
    recoverable = True


class UpstreamError(LLMChatError):
    """A service we depend on (LLM provider, MCP server) failed."""

    status_code = 502


class ProviderUnavailable(UpstreamError):
    """The LLM provider refused, failed or answered something we cannot use."""


class RateLimited(UpstreamError):
    """The LLM provider is rate limiting us."""

    status_code = 429
    recoverable = True


class McpUnreachable(UpstreamError):
    """An MCP server could not be reached or refused the connection; the next turn reconnects by itself."""

    status_code = 503
    recoverable = True


class Timeout(LLMChatError):
    """A call we depend on took longer than allowed."""

    status_code = 504
    recoverable = True
