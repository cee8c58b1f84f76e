"""A fake Anthropic Messages API: `POST /v1/messages` (JSON and the real SSE event sequence), `GET /v1/models`."""

from __future__ import annotations

import itertools
from collections.abc import AsyncIterator
from typing import Any

from starlette.responses import Response

from tests.fakes.replies import Call, Text, ToolCalls
from tests.fakes.server import FakeServer, RecordedRequest, paced, sse

_ERROR_TYPES = {
    400: "invalid_request_error",
    401: "authentication_error",
    403: "permission_error",
    404: "not_found_error",
    413: "request_too_large",
    429: "rate_limit_error",
    529: "overloaded_error",
}


class FakeAnthropic(FakeServer):
    """Speaks the Anthropic Messages wire format; the key is taken from `x-api-key` or the bearer token."""

    default_models = ("claude-sonnet-4-6", "claude-haiku-4-5")
    malformed_json = b'{"id": "msg_broken", "type": "message", "content": ['
    malformed_stream = b'event: message_start\ndata: {"type": "message_start", "message": {\n\n'
    _ids = itertools.count(1)

    def route(self, request: RecordedRequest) -> Response:
        if request.method == "POST" and request.path.endswith("/v1/messages"):
            return self.chat(request, stream=bool((request.json or {}).get("stream")))
        if request.method == "GET" and request.path.endswith("/v1/models"):
            created = "2025-01-01T00:00:00Z"
            data = [{"type": "model", "id": m, "display_name": m, "created_at": created} for m in self.models]
            first, last = (data[0]["id"], data[-1]["id"]) if data else (None, None)
            return self.listing({"data": data, "has_more": False, "first_id": first, "last_id": last})
        return self.error(404, f"Unknown path {request.path}")

    def presented_key(self, request: RecordedRequest) -> str | None:
        return request.headers.get("x-api-key") or super().presented_key(request)

    def unauthorized(self, request: RecordedRequest) -> Response:
        return self.error(401, "invalid x-api-key")

    def error_body(self, status: int, message: str) -> dict[str, Any]:
        kind = _ERROR_TYPES.get(status, "api_error")
        return {"type": "error", "error": {"type": kind, "message": message}}

    def render(self, reply: Text | ToolCalls, request: RecordedRequest) -> dict[str, Any]:
        content: list[dict[str, Any]] = []
        if isinstance(reply, Text):
            content.append({"type": "text", "text": reply.content})
        else:
            if reply.text:
                content.append({"type": "text", "text": reply.text})
            for call in reply.calls:
                content.append({**self._tool_use(call), "input": call.arguments_object})
        input_tokens, output_tokens = reply.usage
        return {
            **self._message(request),
            "content": content,
            "stop_reason": "end_turn" if isinstance(reply, Text) else "tool_use",
            "usage": {"input_tokens": input_tokens, "output_tokens": output_tokens},
        }

    async def render_stream(self, reply: Text | ToolCalls, request: RecordedRequest) -> AsyncIterator[bytes]:
        input_tokens, output_tokens = reply.usage
        message = {**self._message(request), "content": [], "usage": {"input_tokens": input_tokens, "output_tokens": 1}}
        yield sse({"type": "message_start", "message": message}, "message_start")
        yield sse({"type": "ping"}, "ping")
        index = 0
        text, delay = (reply.parts(), reply.delay) if isinstance(reply, Text) else (reply.text_parts(), 0.0)
        if text:
            block: dict[str, Any] = {"type": "text", "text": ""}
            yield sse({"type": "content_block_start", "index": index, "content_block": block}, "content_block_start")
            async for piece in paced(text, delay):
                delta = {"type": "text_delta", "text": piece}
                yield sse({"type": "content_block_delta", "index": index, "delta": delta}, "content_block_delta")
            yield sse({"type": "content_block_stop", "index": index}, "content_block_stop")
            index += 1
        for call in reply.calls if isinstance(reply, ToolCalls) else []:
            block = {**self._tool_use(call), "input": {}}
            yield sse({"type": "content_block_start", "index": index, "content_block": block}, "content_block_start")
            for piece in call.arguments_chunks():
                delta = {"type": "input_json_delta", "partial_json": piece}
                yield sse({"type": "content_block_delta", "index": index, "delta": delta}, "content_block_delta")
            yield sse({"type": "content_block_stop", "index": index}, "content_block_stop")
            index += 1
        stop = "end_turn" if isinstance(reply, Text) else "tool_use"
        yield sse(
            {
                "type": "message_delta",
                "delta": {"stop_reason": stop, "stop_sequence": None},
                "usage": {"output_tokens": output_tokens},
            },
            "message_delta",
        )
        yield sse({"type": "message_stop"}, "message_stop")

    def _message(self, request: RecordedRequest) -> dict[str, Any]:
        return {
            "id": f"msg_{next(self._ids):024d}",
            "type": "message",
            "role": "assistant",
            "model": (request.json or {}).get("model", ""),
            "stop_reason": None,
            "stop_sequence": None,
        }

    def _tool_use(self, call: Call) -> dict[str, Any]:
        return {"type": "tool_use", "id": call.id or f"toolu_{next(self._ids):024d}", "name": call.name}
