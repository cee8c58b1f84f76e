"""`McpConnection`: one MCP session to one server, opened once, reused for every tool call, reopened if it drops.

The SDK's task groups and cancel scopes must be entered and exited by the same task, while a chat session
opens its connections in one request and uses and closes them in others. So each session is owned by a
background task that enters the SDK's context managers, waits to be told to stop, and exits them; callers
in any task send requests through the session, which is safe across tasks of one event loop.
"""

from __future__ import annotations

import asyncio
import logging
import weakref
from collections.abc import Awaitable, Callable, Coroutine
from typing import Any

import mcp
import mcp_types as types
from mcp.shared.dispatcher import ProgressFnT
from mcp.shared.exceptions import MCPError
from pydantic import ValidationError

from llmchat import __version__
from llmchat.errors import McpUnreachable, Timeout
from llmchat.mcp._errors import find, lost_error, never_delivered, open_error
from llmchat.mcp._transports import TransportWatch, open_transport
from llmchat.mcp.results import ToolOutcome, outcome_from_result
from llmchat.mcp.spec import ServerSpec
from llmchat.net import AddressRefused

log = logging.getLogger("llmchat.mcp")

ProgressCallback = Callable[[float, float | None, str | None], Awaitable[None]]
"""Called with (progress, total, message) for each MCP progress notification of a tool call."""

CLIENT_INFO = types.Implementation(name="llmchat", version=__version__)
CLOSE_TIMEOUT = 10.0
_MAX_TOOL_PAGES = 100
_background: set[asyncio.Task[None]] = set()  # strong references: asyncio keeps only weak ones


class _SessionGone(Exception):
    """The session ended before the request could be sent."""


class _CallFailed(Exception):
    """A tools/call got an MCP error; `alone` says no other call overlapped it, so a connect failure was ours."""

    def __init__(self, error: MCPError, *, alone: bool) -> None:
        super().__init__(error.message)
        self.error = error
        self.alone = alone


class _Listing:
    """A server's tools as listed, shared by every session that listed the same ones."""

    __slots__ = ("__weakref__", "tools")

    def __init__(self, tools: tuple[types.Tool, ...]) -> None:
        self.tools = tools


_NO_TOOLS = _Listing(())
_listings: weakref.WeakValueDictionary[tuple[object, ...], _Listing] = weakref.WeakValueDictionary()
"""The latest listing per server, while a session holds it: 200 sessions to one server keep one copy of its
tools (~55 kB for server-everything's 13) instead of 200."""


def _shared_listing(spec: ServerSpec, tools: list[types.Tool]) -> _Listing:
    """The listing an open session to the same server already holds if it is equal to `tools`, else `tools`."""
    key = (spec.transport, spec.url, spec.command, spec.args)
    known = _listings.get(key)
    if known is not None and known.tools == tuple(tools):
        return known
    listing = _listings[key] = _Listing(tuple(tools))
    return listing


class _Session:
    """One SDK session and the background task that owns it."""

    def __init__(self, spec: ServerSpec, read_timeout: float) -> None:
        self.spec = spec
        self.watch = TransportWatch()
        self.client: mcp.Client | None = None
        self.listing = _NO_TOOLS
        self.failure: BaseException | None = None
        self.lost = False
        self.in_flight = 0
        self.calls_started = 0
        self._transport = open_transport(spec, self.watch, read_timeout=read_timeout)
        self._settled = asyncio.Event()
        self._stop = asyncio.Event()
        self._task = _in_background(self._own(), name=f"mcp session: {spec.name}")

    @property
    def alive(self) -> bool:
        watch = self.watch
        return self.client is not None and not (self.lost or watch.closed or watch.session_rejected)

    async def _own(self) -> None:
        try:
            async with mcp.Client(self._transport, client_info=CLIENT_INFO, cache=None) as client:
                self.listing = _shared_listing(self.spec, await _list_tools(client))
                self.client = client
                self._settled.set()
                await self._stop.wait()
        except BaseException as exc:  # the owner records why its session ended; nobody else awaits this task
            self.failure = exc
        finally:
            self.client = None
            self._settled.set()

    async def ready(self) -> None:
        """Wait for the handshake and the tool listing; raise a translated error if they failed."""
        try:
            await asyncio.wait_for(self._settled.wait(), self.spec.timeout)
        except TimeoutError:
            self._abandon()
            raise open_error(self.spec, TimeoutError(), self.watch) from None
        except asyncio.CancelledError:
            self._abandon()
            raise
        if self.client is None:
            failure = self.failure or RuntimeError("session ended during the handshake")
            error = open_error(self.spec, failure, self.watch)
            log.info("MCP server %r could not be opened: %s", self.spec.name, error.message)
            raise error from None

    async def call(
        self, name: str, arguments: dict[str, Any], read_timeout: float, progress: ProgressCallback | None
    ) -> types.CallToolResult:
        """Send one tools/call on this session."""
        client = self.client
        if client is None or not self.alive:
            raise _SessionGone
        alone = self.in_flight == 0
        self.in_flight += 1
        self.calls_started += 1
        started = self.calls_started
        try:
            return await client.call_tool(
                name, arguments, read_timeout_seconds=read_timeout, progress_callback=_sdk_progress(progress)
            )
        except MCPError as exc:
            raise _CallFailed(exc, alone=alone and self.calls_started == started) from None
        finally:
            self.in_flight -= 1

    async def ended(self, wait: float) -> BaseException | None:
        """Give the owner task up to `wait` seconds to finish, then return why the session ended (if known).

        A transport that failed takes its owner down within milliseconds; a closed stream leaves it waiting."""
        if not self.watch.closed:
            await asyncio.wait({self._task}, timeout=wait)
        return self.failure

    async def stop(self) -> None:
        """Exit the SDK's context managers in the owner task; cancel it if it does not finish in time."""
        self._stop.set()
        _, pending = await asyncio.wait({self._task}, timeout=CLOSE_TIMEOUT)
        if pending:
            self._task.cancel()
            await asyncio.wait({self._task})

    def _abandon(self) -> None:
        self._stop.set()
        self._task.cancel()


class McpConnection:
    """A session to one MCP server for the lifetime of a chat session, whatever the transport.

    `open()` connects and lists the tools; `call_tool()` reuses that session, reopening it first if it
    dropped, and resends a call once only when the server provably never received it; `close()` ends it.
    All three may be called from different tasks.
    """

    def __init__(self, spec: ServerSpec, *, tool_timeout: float = 60.0, max_result_bytes: int = 100_000) -> None:
        self.spec = spec
        self.sessions_opened = 0
        self._tool_timeout = tool_timeout
        self._max_result_bytes = max_result_bytes
        self._session: _Session | None = None
        self._listing = _NO_TOOLS
        self._lock = asyncio.Lock()
        self._closed = False

    @property
    def name(self) -> str:
        return self.spec.name

    @property
    def tools(self) -> list[types.Tool]:
        """The server's tools, as listed when the session was (last) opened.

        The `Tool` objects may be shared with other connections to the same server: treat them as read-only."""
        return list(self._listing.tools)

    async def open(self) -> None:
        """Connect, handshake and list the tools. Raises McpUnreachable (or InvalidInput for a refused URL)."""
        await self._live_session()

    async def call_tool(
        self, name: str, arguments: dict[str, Any] | None = None, *, progress: ProgressCallback | None = None
    ) -> ToolOutcome:
        """Call tool `name` (its name on the server). Tool errors come back as an outcome with `is_error`;
        raises Timeout when it does not answer in time and McpUnreachable when the server cannot be reached."""
        for attempt in (1, 2):
            session = await self._live_session()
            try:
                result = await session.call(name, arguments or {}, self._tool_timeout, progress)
            except _SessionGone:
                continue
            except _CallFailed as failed:
                error = failed.error
                if error.code == types.REQUEST_TIMEOUT:
                    raise Timeout(
                        f"Tool '{name}' on MCP server '{self.name}' did not answer within {self._tool_timeout:g} s."
                    ) from None
                rejected = session.watch.session_rejected
                if error.code != types.CONNECTION_CLOSED and not (rejected and attempt == 1):
                    return ToolOutcome(text=f"MCP error {error.code}: {error.message}", is_error=True)
                failure = error if rejected else (await session.ended(wait=0.5) or error)
                session.lost = True
                unsent = rejected or (failed.alone and never_delivered(failure))
                if attempt == 1 and unsent and find(failure, AddressRefused) is None:
                    log.info("MCP session to %r dropped before %r was delivered; reopening", self.name, name)
                    continue
                if self._closed:
                    raise McpUnreachable(f"The connection to MCP server '{self.name}' was closed.") from None
                raise lost_error(self.spec, name, failure, session.watch) from None
            except ValidationError:
                return ToolOutcome(text=f"MCP server '{self.name}' answered with an invalid result.", is_error=True)
            return outcome_from_result(result, self._max_result_bytes)
        raise McpUnreachable(f"MCP server '{self.name}' ({self.spec.target}) keeps dropping the session.")

    async def close(self) -> None:
        """End the session; safe to call twice and from any task."""
        async with self._lock:
            self._closed = True
            session, self._session = self._session, None
        if session is not None:
            await session.stop()

    async def __aenter__(self) -> McpConnection:
        await self.open()
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.close()

    async def _live_session(self) -> _Session:
        session = self._session
        if session is not None and session.alive:
            return session
        async with self._lock:
            if self._closed:
                raise McpUnreachable(f"The connection to MCP server '{self.name}' was closed.")
            if self._session is not None and self._session.alive:
                return self._session
            old, self._session = self._session, None
            if old is not None:  # it is dead: let it wind down without holding up this call
                _in_background(old.stop(), name=f"mcp session end: {self.name}")
            session = _Session(self.spec, read_timeout=max(300.0, self._tool_timeout + self.spec.timeout))
            await session.ready()
            self._session = session
            self._listing = session.listing
            self.sessions_opened += 1
            return session


async def _list_tools(client: mcp.Client) -> list[types.Tool]:
    tools: list[types.Tool] = []
    cursor: str | None = None
    for _ in range(_MAX_TOOL_PAGES):
        page = await client.list_tools(cursor=cursor)
        tools.extend(page.tools)
        cursor = page.next_cursor
        if cursor is None:
            break
    return tools


def _sdk_progress(callback: ProgressCallback | None) -> ProgressFnT | None:
    if callback is None:
        return None

    async def forward(progress: float, total: float | None, message: str | None) -> None:
        await callback(progress, total, message)

    return forward


def _in_background(work: Coroutine[Any, Any, None], *, name: str) -> asyncio.Task[None]:
    task = asyncio.create_task(work, name=name)
    _background.add(task)
    task.add_done_callback(_background.discard)
    return task
