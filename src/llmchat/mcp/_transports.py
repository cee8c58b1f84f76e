"""One SDK transport per kind of server, behind one function: the rest of llmchat never sees which.

Each transport is wrapped so that we learn what the SDK keeps to itself: the HTTP status of the last failed
request (a 401 otherwise reaches us as a generic JSON-RPC error) and the end of the server's message
stream (a stdio server that exited, an SSE stream that broke), which means the session is gone.

The wrapper also keeps an idle session small: the SDK's dispatcher holds the last message it received in its
loop variable while it waits for the next one, which for an idle session is the tools/list response (~40 kB
of parsed JSON for server-everything's 13 tools) or the last tool result. So each message goes to the
dispatcher in an envelope of ours, emptied when the dispatcher asks for the next message: by then it has
routed the previous one (a response's result is handed to the waiting request, a request or notification
to its handler), and it never looks at it again.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from types import TracebackType

import anyio
import httpx2
from mcp.client import Transport
from mcp.client._transport import ReadStream, TransportStreams
from mcp.client.sse import sse_client
from mcp.client.stdio import StdioServerParameters, stdio_client
from mcp.client.streamable_http import MCP_SESSION_ID, streamable_http_client
from mcp.shared.message import SessionMessage
from mcp_types import JSONRPCNotification

from llmchat.mcp.spec import ServerSpec
from llmchat.net import guarded_client

Incoming = SessionMessage | Exception


@dataclass
class TransportWatch:
    """What one session's transport observed, for error messages and for noticing a dropped session."""

    http_status: int | None = None
    closed: bool = False
    session_rejected: bool = False
    """The server answered 400 or 404 to a request of our session: it restarted or forgot the session
    (the spec says 404; some servers say 400). Such a request was refused before it ran."""

    async def on_response(self, response: httpx2.Response) -> None:
        """Keep the status of the latest response if it failed (a success clears an earlier probe's 400)."""
        status = response.status_code
        self.http_status = status if status >= 400 else None
        if status in (400, 404) and MCP_SESSION_ID in response.request.headers:
            self.session_rejected = True


def open_transport(spec: ServerSpec, watch: TransportWatch, *, read_timeout: float) -> Transport:
    """The SDK transport for `spec`, reporting to `watch`. HTTP ones connect through the SSRF guard."""
    return _watched(_inner_transport(spec, watch, read_timeout), watch)


def _inner_transport(spec: ServerSpec, watch: TransportWatch, read_timeout: float) -> Transport:
    if spec.transport == "stdio":
        assert spec.command is not None  # ServerSpec checks it
        params = StdioServerParameters(command=spec.command, args=list(spec.args), env=dict(spec.env) or None)
        return stdio_client(params)
    assert spec.url is not None  # ServerSpec checks it
    default_timeout = httpx2.Timeout(spec.timeout, read=read_timeout)

    def client_factory(
        headers: dict[str, str] | None = None, timeout: httpx2.Timeout | None = None, auth: httpx2.Auth | None = None
    ) -> httpx2.AsyncClient:
        """Matches the SDK's client-factory protocol, so SSE gets the same guarded client."""
        return guarded_client(
            spec.policy, headers=headers, timeout=timeout or default_timeout, auth=auth, on_response=watch.on_response
        )

    if spec.transport == "sse":
        return sse_client(
            spec.url,
            headers=dict(spec.headers),
            timeout=spec.timeout,
            sse_read_timeout=read_timeout,
            httpx_client_factory=client_factory,
        )
    return _streamable_http(spec.url, client_factory(dict(spec.headers)))


@asynccontextmanager
async def _streamable_http(url: str, client: httpx2.AsyncClient) -> AsyncIterator[TransportStreams]:
    async with client, streamable_http_client(url, http_client=client) as streams:
        yield streams


@asynccontextmanager
async def _watched(inner: Transport, watch: TransportWatch) -> AsyncIterator[TransportStreams]:
    async with inner as (read_stream, write_stream):
        yield _WatchedReadStream(read_stream, watch), write_stream


_SPENT = JSONRPCNotification(jsonrpc="2.0", method="llmchat/spent")
"""What an envelope holds once the dispatcher has moved on from its message."""


class _WatchedReadStream:
    """Passes messages through in envelopes of ours (see the module docstring); records the end of the stream."""

    def __init__(self, inner: ReadStream[Incoming], watch: TransportWatch) -> None:
        self._inner = inner
        self._watch = watch
        self._last: SessionMessage | None = None

    @property
    def last_context(self) -> object:
        """The sender's context, which the SDK's dispatcher restores around each message."""
        return getattr(self._inner, "last_context", None)

    async def receive(self) -> Incoming:
        last, self._last = self._last, None
        if last is not None:  # the dispatcher is done with it: let the message go while the session idles
            last.message, last.metadata = _SPENT, None
        try:
            item = await self._inner.receive()
        except (anyio.EndOfStream, anyio.ClosedResourceError):
            self._watch.closed = True
            raise
        if isinstance(item, SessionMessage):
            item = self._last = SessionMessage(item.message, item.metadata)
        return item

    async def aclose(self) -> None:
        await self._inner.aclose()

    def __aiter__(self) -> _WatchedReadStream:
        return self

    async def __anext__(self) -> Incoming:
        try:
            return await self.receive()
        except anyio.EndOfStream:
            raise StopAsyncIteration from None

    async def __aenter__(self) -> _WatchedReadStream:
        return self

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        await self.aclose()
