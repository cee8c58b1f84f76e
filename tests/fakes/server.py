"""The base of every fake provider: a real HTTP server (uvicorn in a thread) that records requests and plays replies.

A subclass routes requests and renders replies in its provider's wire format; this module does the rest:
recording, the reply queue, `require_key`, `HttpError`, `Hang` and `Malformed`.
"""

from __future__ import annotations

import asyncio
import contextlib
import http
import json
import socket
import threading
from collections import deque
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Any, Self, TypeVar

import uvicorn
from starlette.requests import Request
from starlette.responses import JSONResponse, Response, StreamingResponse
from starlette.types import Receive, Scope, Send

from tests.fakes.replies import Hang, HttpError, Malformed, Reply, Text, ToolCalls

T = TypeVar("T")


@dataclass
class RecordedRequest:
    """One request as the fake received it; header names are lower case."""

    method: str
    path: str
    query: dict[str, str]
    headers: dict[str, str]
    json: Any
    body: bytes = b""
    peer: str = ""
    """The client's `host:port`: the same for requests sent over one kept-alive connection."""
    meta: dict[str, str] = field(default_factory=dict)


async def paced(chunks: list[T], delay: float) -> AsyncIterator[T]:
    """`chunks` one by one, `delay` seconds apart."""
    for i, chunk in enumerate(chunks):
        if i and delay:
            await asyncio.sleep(delay)
        yield chunk


def sse(data: Any, event: str | None = None) -> bytes:
    """One server-sent event; `data` is JSON-encoded unless it is already a string."""
    payload = data if isinstance(data, str) else json.dumps(data)
    head = f"event: {event}\n" if event else ""
    return f"{head}data: {payload}\n\n".encode()


class _HangResponse(Response):
    """Send nothing for `seconds` (stop early if the client disconnects), then answer with `then`."""

    def __init__(self, seconds: float, then: Response) -> None:
        super().__init__()
        self.seconds = seconds
        self.then = then

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        try:
            async with asyncio.timeout(self.seconds):
                while (await receive())["type"] != "http.disconnect":
                    pass
            return
        except TimeoutError:
            await self.then(scope, receive, send)


class FakeServer:
    """A fake LLM provider on `url` (http://127.0.0.1:PORT); use as a context manager or start()/stop()."""

    default_models: tuple[str, ...] = ()
    stream_media_type = "text/event-stream"
    malformed_json = b'{"id": "broken", "choices": ['
    malformed_stream = b'data: {"id": "broken", "choices": [\n\n'

    def __init__(self) -> None:
        self.requests: list[RecordedRequest] = []
        self.models: list[str] = list(self.default_models)
        self.required_key: str | None = None
        self._replies: deque[Reply] = deque()
        self._listing_replies: deque[HttpError | Hang | Malformed] = deque()
        self._sock = socket.socket()
        self._sock.bind(("127.0.0.1", 0))
        self.port: int = self._sock.getsockname()[1]
        self.url = f"http://127.0.0.1:{self.port}"
        config = uvicorn.Config(self, log_level="warning", lifespan="off", timeout_graceful_shutdown=1)
        self._server = uvicorn.Server(config)
        self._thread = threading.Thread(target=self._serve, name=f"{type(self).__name__}:{self.port}", daemon=True)

    # -- test-facing API ---------------------------------------------------------------------------------

    def script(self, *replies: Reply) -> None:
        """Queue replies, consumed one per chat request; with the queue empty the answer is `Text("ok")`."""
        self._replies.extend(replies)

    def script_models(self, *replies: HttpError | Hang | Malformed) -> None:
        """Queue failures for model-list requests, consumed one per listing (health checks, discovery)."""
        self._listing_replies.extend(replies)

    def require_key(self, key: str | None) -> None:
        """Answer 401 (the provider's real error JSON) to any request not presenting `key`; None turns it off."""
        self.required_key = key

    def reset(self) -> None:
        """Forget recorded requests, scripted replies, the required key and model list changes."""
        self._replies.clear()
        self._listing_replies.clear()
        self.requests.clear()
        self.required_key = None
        self.models = list(self.default_models)

    def start(self) -> Self:
        self._thread.start()
        for _ in range(400):
            if self._server.started:
                return self
            threading.Event().wait(0.01)
        raise RuntimeError(f"{type(self).__name__} did not start")

    def stop(self) -> None:
        self._server.should_exit = True
        self._thread.join(timeout=10)
        self._sock.close()

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # -- subclass hooks ----------------------------------------------------------------------------------

    def route(self, request: RecordedRequest) -> Response:
        """The response to a request that passed the key check."""
        raise NotImplementedError

    def needs_key(self, request: RecordedRequest) -> bool:
        """Whether `require_key` applies to this request (not, say, to an OAuth token endpoint)."""
        return True

    def presented_key(self, request: RecordedRequest) -> str | None:
        """The credential the request carries (default: the Authorization bearer token)."""
        scheme, _, token = request.headers.get("authorization", "").partition(" ")
        return token if scheme.lower() == "bearer" else None

    def error_body(self, status: int, message: str) -> dict[str, Any]:
        """The provider's error JSON."""
        return {"error": {"message": message, "code": status}}

    def render(self, reply: Text | ToolCalls, request: RecordedRequest) -> dict[str, Any]:
        """A non-streamed answer."""
        raise NotImplementedError

    def render_stream(self, reply: Text | ToolCalls, request: RecordedRequest) -> AsyncIterator[bytes]:
        """A streamed answer, as the bytes of the provider's stream framing."""
        raise NotImplementedError

    # -- shared machinery --------------------------------------------------------------------------------

    def error(self, status: int, message: str | None = None, headers: dict[str, str] | None = None) -> Response:
        body = self.error_body(status, message or http.HTTPStatus(status).phrase)
        return JSONResponse(body, status_code=status, headers=headers)

    def unauthorized(self, request: RecordedRequest) -> Response:
        """The provider's answer to a wrong key."""
        return self.error(401, "Incorrect API key provided.")

    def chat(self, request: RecordedRequest, *, stream: bool) -> Response:
        """Answer a chat request with the next scripted reply."""
        reply = self._replies.popleft() if self._replies else Text("ok")
        if isinstance(reply, Text | ToolCalls):
            return self._answer(reply, request, stream)
        if isinstance(reply, Malformed) and stream:
            return Response(reply.raw or self.malformed_stream, media_type=self.stream_media_type)
        return self._failure(reply, self._answer(Text("ok"), request, stream))

    def listing(self, body: dict[str, Any]) -> Response:
        """Answer a model-list request with `body`, unless a failure was scripted for it."""
        if self._listing_replies:
            return self._failure(self._listing_replies.popleft(), JSONResponse(body))
        return JSONResponse(body)

    def _failure(self, reply: HttpError | Hang | Malformed, normal: Response) -> Response:
        """The scripted failure; `normal` is what a `Hang` sends once it is over."""
        if isinstance(reply, HttpError):
            if reply.body is None:
                return self.error(reply.status, headers=reply.headers)
            if isinstance(reply.body, str):
                return Response(reply.body, status_code=reply.status, headers=reply.headers)
            return JSONResponse(reply.body, status_code=reply.status, headers=reply.headers)
        if isinstance(reply, Hang):
            return _HangResponse(reply.seconds, normal)
        return Response(reply.raw or self.malformed_json, media_type="application/json")

    def _answer(self, reply: Text | ToolCalls, request: RecordedRequest, stream: bool) -> Response:
        if stream:
            return StreamingResponse(self.render_stream(reply, request), media_type=self.stream_media_type)
        return JSONResponse(self.render(reply, request))

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            return
        incoming = Request(scope, receive)
        body = await incoming.body()
        try:
            parsed = json.loads(body) if body else None
        except ValueError:
            parsed = None
        request = RecordedRequest(
            method=incoming.method,
            path=incoming.url.path,
            query=dict(incoming.query_params),
            headers=dict(incoming.headers),
            json=parsed,
            body=body,
            peer=":".join(map(str, scope.get("client") or ())),
        )
        self.requests.append(request)
        if self.required_key not in (None, self.presented_key(request)) and self.needs_key(request):
            response = self.unauthorized(request)
        else:
            response = self.route(request)
        await response(scope, receive, send)

    def _serve(self) -> None:
        with contextlib.suppress(asyncio.CancelledError):
            asyncio.run(self._server.serve(sockets=[self._sock]))
