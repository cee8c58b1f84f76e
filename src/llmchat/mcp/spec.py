"""`ServerSpec`: everything needed to reach one MCP server, whatever its transport."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Literal, get_args

from llmchat.errors import InvalidInput
from llmchat.net import AddressPolicy, check_url, safe_url

TransportName = Literal["streamable_http", "sse", "stdio"]
TRANSPORTS: tuple[str, ...] = get_args(TransportName)
DEFAULT_OPEN_TIMEOUT = 15.0


@dataclass(frozen=True)
class ServerSpec:
    """One MCP server: a URL (streamable HTTP, SSE) or a command (stdio), with its headers and limits.

    `headers` and `env` may hold secrets: they are left out of `repr` and never appear in messages.
    `policy` is the SSRF policy the HTTP connection obeys; the default is the strict one for user URLs.
    """

    name: str
    transport: TransportName = "streamable_http"
    url: str | None = None
    command: str | None = None
    args: tuple[str, ...] = ()
    env: Mapping[str, str] = field(default_factory=dict, repr=False)
    headers: Mapping[str, str] = field(default_factory=dict, repr=False)
    timeout: float = DEFAULT_OPEN_TIMEOUT
    policy: AddressPolicy = field(default_factory=AddressPolicy)

    def __post_init__(self) -> None:
        if self.transport not in TRANSPORTS:
            raise InvalidInput(f"Unknown MCP transport '{self.transport}'; use one of: {', '.join(TRANSPORTS)}.")
        if self.transport == "stdio" and not self.command:
            raise InvalidInput(f"MCP server '{self.name}' uses stdio and needs a command.")
        if self.transport != "stdio":
            if not self.url:
                raise InvalidInput(f"MCP server '{self.name}' uses {self.transport} and needs a URL.")
            check_url(self.url)

    @property
    def target(self) -> str:
        """Where the server is, safe to show: the URL without credentials or query, or the command (not its
        arguments, which may hold secrets)."""
        if self.transport == "stdio":
            return self.command or ""
        return safe_url(self.url or "")


def bearer(token: str) -> str:
    """The `Authorization` value for `token`, which may already start with `Bearer `."""
    return token if token.lower().startswith("bearer ") else f"Bearer {token}"
