"""A fake OpenAI-format server: chat completions (JSON and SSE) and the models list, under any path prefix.

Serves OpenAI (`{url}/v1`), the OpenAI-compatible gateways (`{url}/openai/v1`, `{url}/ollama/v1`, ...) and the
Azure layout `/openai/deployments/{deployment}/chat/completions?api-version=...`, recording the deployment
and API version in `RecordedRequest.meta`.
"""

from __future__ import annotations

import itertools
import re
import time
from collections.abc import AsyncIterator
from typing import Any

from starlette.responses import Response

from tests.fakes.replies import Text, ToolCalls
from tests.fakes.server import FakeServer, RecordedRequest, paced, sse

_AZURE_DEPLOYMENT = re.compile(r"/openai/deployments/(?P<deployment>[^/]+)/chat/completions$")
_ERROR_KINDS = {
    401: ("invalid_request_error", "invalid_api_key"),
    404: ("invalid_request_error", "model_not_found"),
    429: ("requests", "rate_limit_exceeded"),
}


class FakeOpenAI(FakeServer):
    """Speaks the OpenAI chat completions wire format."""

    default_models = ("gpt-4o-mini", "gpt-4o")
    _ids = itertools.count(1)

    def route(self, request: RecordedRequest) -> Response:
        if request.method == "POST" and request.path.endswith("/chat/completions"):
            if match := _AZURE_DEPLOYMENT.search(request.path):
                request.meta["deployment"] = match["deployment"]
                request.meta["api_version"] = request.query.get("api-version", "")
            return self.chat(request, stream=bool((request.json or {}).get("stream")))
        if request.method == "GET" and request.path.endswith("/models"):
            return self.listing({"object": "list", "data": [self.model_entry(m) for m in self.models]})
        return self.error(404, f"Unknown path {request.path}")

    def model_entry(self, model_id: str) -> dict[str, Any]:
        return {"id": model_id, "object": "model", "created": 1_700_000_000, "owned_by": "fake"}

    def presented_key(self, request: RecordedRequest) -> str | None:
        return request.headers.get("api-key") or super().presented_key(request)

    def error_body(self, status: int, message: str) -> dict[str, Any]:
        kind, code = _ERROR_KINDS.get(status, ("server_error" if status >= 500 else "invalid_request_error", None))
        return {"error": {"message": message, "type": kind, "param": None, "code": code}}

    def render(self, reply: Text | ToolCalls, request: RecordedRequest) -> dict[str, Any]:
        message: dict[str, Any] = {"role": "assistant", "content": None, "refusal": None}
        if isinstance(reply, Text):
            message["content"] = reply.content
            finish = "stop"
        else:
            message["content"] = reply.text or None
            message["tool_calls"] = [
                {
                    "id": call.id or f"call_{next(self._ids)}",
                    "type": "function",
                    "function": {"name": call.name, "arguments": call.arguments_json},
                }
                for call in reply.calls
            ]
            finish = "tool_calls"
        return {
            **self._envelope(request, "chat.completion"),
            "choices": [{"index": 0, "message": message, "finish_reason": finish, "logprobs": None}],
            "usage": _usage(reply),
        }

    async def render_stream(self, reply: Text | ToolCalls, request: RecordedRequest) -> AsyncIterator[bytes]:
        envelope = self._envelope(request, "chat.completion.chunk")

        def chunk(delta: dict[str, Any], finish: str | None = None) -> bytes:
            choice = {"index": 0, "delta": delta, "finish_reason": finish, "logprobs": None}
            return sse({**envelope, "choices": [choice]})

        yield chunk({"role": "assistant", "content": ""})
        if isinstance(reply, Text):
            async for piece in paced(reply.parts(), reply.delay):
                yield chunk({"content": piece})
            finish = "stop"
        else:
            for piece in reply.text_parts():
                yield chunk({"content": piece})
            for index, call in enumerate(reply.calls):
                start = {"index": index, "id": call.id or f"call_{next(self._ids)}", "type": "function"}
                yield chunk({"tool_calls": [{**start, "function": {"name": call.name, "arguments": ""}}]})
                for piece in call.arguments_chunks():
                    yield chunk({"tool_calls": [{"index": index, "function": {"arguments": piece}}]})
            finish = "tool_calls"
        yield chunk({}, finish)
        if ((request.json or {}).get("stream_options") or {}).get("include_usage"):
            yield sse({**envelope, "choices": [], "usage": _usage(reply)})
        yield sse("[DONE]")

    def _envelope(self, request: RecordedRequest, kind: str) -> dict[str, Any]:
        model = (request.json or {}).get("model") or request.meta.get("deployment", "")
        return {"id": f"chatcmpl-{next(self._ids)}", "object": kind, "created": int(time.time()), "model": model}


def _usage(reply: Text | ToolCalls) -> dict[str, int]:
    prompt, completion = reply.usage
    return {"prompt_tokens": prompt, "completion_tokens": completion, "total_tokens": prompt + completion}
