"""Translating what the MCP SDK, httpx2 and the OS raise into llmchat errors that name the server and cause.

Messages never quote exception text that may carry a URL with credentials or a header value: causes are
described from exception types, HTTP statuses and MCP error codes.
"""

from __future__ import annotations

import errno
import socket
from collections.abc import Iterator
from typing import TypeVar

import httpx2
from mcp.shared.exceptions import MCPError
from mcp_types import CONNECTION_CLOSED, METHOD_NOT_FOUND

from llmchat.errors import LLMChatError, McpUnreachable
from llmchat.mcp._transports import TransportWatch
from llmchat.mcp.spec import ServerSpec
from llmchat.net import AddressRefused

E = TypeVar("E", bound=BaseException)


def causes(exc: BaseException) -> Iterator[BaseException]:
    """`exc` and everything inside it: exception-group members, causes and contexts, depth first."""
    seen: set[int] = set()
    stack = [exc]
    while stack:
        current = stack.pop()
        if id(current) in seen:
            continue
        seen.add(id(current))
        yield current
        if isinstance(current, BaseExceptionGroup):
            stack.extend(reversed(current.exceptions))
        for linked in (current.__context__, current.__cause__):
            if linked is not None:
                stack.append(linked)


def find(exc: BaseException, kind: type[E]) -> E | None:
    """The first exception of type `kind` inside `exc`."""
    return next((c for c in causes(exc) if isinstance(c, kind)), None)


def never_delivered(exc: BaseException) -> bool:
    """True when the failure happened while connecting, so the server cannot have seen the request."""
    return any(isinstance(c, httpx2.ConnectError | httpx2.ConnectTimeout | socket.gaierror) for c in causes(exc))


def describe(spec: ServerSpec, exc: BaseException, watch: TransportWatch) -> str:
    """Why the server could not be used, in a few words: 'connection refused', 'authentication rejected'..."""
    status = _http_status(exc, watch)
    for cause in causes(exc):
        if isinstance(cause, socket.gaierror):
            return "its host name could not be resolved (DNS)"
        if isinstance(cause, ConnectionRefusedError):
            return "connection refused"
        if isinstance(cause, OSError) and cause.errno in (errno.EHOSTUNREACH, errno.ENETUNREACH):
            return "no route to its host"
        if isinstance(cause, httpx2.TimeoutException | TimeoutError):
            return f"it did not answer within {spec.timeout:g} s"
        if isinstance(cause, FileNotFoundError | PermissionError) and spec.transport == "stdio":
            return f"the command could not be started ({cause.strerror or type(cause).__name__})"
    if status in (401, 403):
        return f"authentication rejected (HTTP {status}); check its token or headers"
    if status == 404:
        return "no MCP endpoint at this URL (HTTP 404)"
    if status is not None:
        return f"it answered HTTP {status}"
    mcp_error = find(exc, MCPError)
    if mcp_error is not None:
        if mcp_error.code == CONNECTION_CLOSED:
            return "the server closed the connection" + (
                " (did its process exit?)" if spec.transport == "stdio" else ""
            )
        if mcp_error.code == METHOD_NOT_FOUND or mcp_error.message.startswith("Unexpected content type"):
            return "it does not answer as an MCP server"
        return f"it answered with an MCP error ({mcp_error.code})"
    if find(exc, httpx2.ConnectError) is not None:
        return "the connection failed"
    return f"unexpected failure ({type(exc).__name__})"


def open_error(spec: ServerSpec, exc: BaseException, watch: TransportWatch) -> LLMChatError:
    """The error to raise when a session to `spec` could not be opened."""
    return _refused(spec, exc) or McpUnreachable(
        f"MCP server '{spec.name}' ({spec.target}) is unreachable: {describe(spec, exc, watch)}."
    )


def lost_error(spec: ServerSpec, tool: str, exc: BaseException, watch: TransportWatch) -> LLMChatError:
    """The error to raise when the session dropped while tool `tool` was running."""
    return _refused(spec, exc) or McpUnreachable(
        f"Lost the connection to MCP server '{spec.name}' ({spec.target}) during tool '{tool}': "
        f"{describe(spec, exc, watch)}. It will be reopened on the next call."
    )


def _refused(spec: ServerSpec, exc: BaseException) -> AddressRefused | None:
    """The SSRF refusal inside `exc`, if any, naming the server."""
    refused = find(exc, AddressRefused)
    return None if refused is None else AddressRefused(f"MCP server '{spec.name}' ({spec.target}): {refused.message}")


def _http_status(exc: BaseException, watch: TransportWatch) -> int | None:
    status_error = find(exc, httpx2.HTTPStatusError)
    if status_error is not None:
        return status_error.response.status_code
    return watch.http_status
