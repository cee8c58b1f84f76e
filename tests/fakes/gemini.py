"""A fake Gemini API and Vertex AI: generateContent, streamGenerateContent?alt=sse, model lists, OAuth tokens.

Gemini API layout: `/v1beta/models/{model}:generateContent`, key in `x-goog-api-key`, models at `GET /v1beta/models`.
Vertex layout: `/v1beta1/projects/{project}/locations/{location}/publishers/google/models/{model}:generateContent`
with a bearer token, which google-auth gets for a service account from `POST /token` (point the key's `token_uri`
there); models at `GET /v1beta1/publishers/google/models`. The model, project and location land in `meta`.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import AsyncIterator
from typing import Any

from starlette.responses import JSONResponse, Response

from tests.fakes.replies import Call, Text, ToolCalls
from tests.fakes.server import FakeServer, RecordedRequest, paced, sse

ACCESS_TOKEN = "ya29.fake-access-token"
_GENERATE = re.compile(
    r"(?:/projects/(?P<project>[^/]+)/locations/(?P<location>[^/]+)/publishers/google)?"
    r"/models/(?P<model>[^/:]+):(?P<method>generateContent|streamGenerateContent)$"
)
_STATUSES = {
    400: "INVALID_ARGUMENT",
    401: "UNAUTHENTICATED",
    403: "PERMISSION_DENIED",
    404: "NOT_FOUND",
    429: "RESOURCE_EXHAUSTED",
    500: "INTERNAL",
    503: "UNAVAILABLE",
}


class FakeGemini(FakeServer):
    """Speaks the Gemini `GenerateContentResponse` wire format, for the Gemini API and Vertex AI."""

    default_models = ("gemini-2.5-flash", "gemini-2.5-pro")
    malformed_json = b'{"candidates": [{"content": '
    malformed_stream = b'data: {"candidates": [{"content": \n\n'
    _ids = itertools.count(1)

    def route(self, request: RecordedRequest) -> Response:
        if request.method == "POST" and (match := _GENERATE.search(request.path)):
            request.meta.update({k: v for k, v in match.groupdict().items() if v and k != "method"})
            return self.chat(request, stream=match["method"] == "streamGenerateContent")
        if request.method == "POST" and request.path == "/token":
            return JSONResponse({"access_token": ACCESS_TOKEN, "expires_in": 3600, "token_type": "Bearer"})
        if request.method == "GET" and request.path.endswith("/publishers/google/models"):
            return self.listing({"publisherModels": [self._publisher_model(m) for m in self.models]})
        if request.method == "GET" and request.path.endswith("/models"):
            return self.listing({"models": [self._model(m) for m in self.models]})
        return self.error(404, f"Unknown path {request.path}")

    def needs_key(self, request: RecordedRequest) -> bool:
        return request.path != "/token"

    def presented_key(self, request: RecordedRequest) -> str | None:
        return request.headers.get("x-goog-api-key") or request.query.get("key") or super().presented_key(request)

    def unauthorized(self, request: RecordedRequest) -> Response:
        if "authorization" in request.headers:
            return self.error(401, "Request had invalid authentication credentials.")
        body = self.error_body(400, "API key not valid. Please pass a valid API key.")
        body["error"]["details"] = [{"@type": "type.googleapis.com/google.rpc.ErrorInfo", "reason": "API_KEY_INVALID"}]
        return JSONResponse(body, status_code=400)

    def error_body(self, status: int, message: str) -> dict[str, Any]:
        return {"error": {"code": status, "message": message, "status": _STATUSES.get(status, "UNKNOWN")}}

    def render(self, reply: Text | ToolCalls, request: RecordedRequest) -> dict[str, Any]:
        if isinstance(reply, Text):
            parts: list[dict[str, Any]] = [{"text": reply.content}]
        else:
            parts = ([{"text": reply.text}] if reply.text else []) + [self._call(c) for c in reply.calls]
        return self._response(request, parts, reply, f"resp-{next(self._ids)}", final=True)

    async def render_stream(self, reply: Text | ToolCalls, request: RecordedRequest) -> AsyncIterator[bytes]:
        text, delay = (reply.parts(), reply.delay) if isinstance(reply, Text) else (reply.text_parts(), 0.0)
        calls = [self._call(c) for c in reply.calls] if isinstance(reply, ToolCalls) else []
        pieces = [[{"text": piece}] for piece in text] + ([calls] if calls else [])
        response_id, sent = f"resp-{next(self._ids)}", 0
        async for parts in paced(pieces, delay):
            sent += 1
            yield sse(self._response(request, parts, reply, response_id, final=sent == len(pieces)))

    def _response(
        self,
        request: RecordedRequest,
        parts: list[dict[str, Any]],
        reply: Text | ToolCalls,
        response_id: str,
        *,
        final: bool,
    ) -> dict[str, Any]:
        """One `GenerateContentResponse`; the chunks of a stream share `response_id`, the last carries usage."""
        candidate: dict[str, Any] = {"content": {"role": "model", "parts": parts}, "index": 0}
        response: dict[str, Any] = {
            "candidates": [candidate],
            "modelVersion": request.meta.get("model", ""),
            "responseId": response_id,
        }
        if final:
            prompt, output = reply.usage
            candidate["finishReason"] = "STOP"
            response["usageMetadata"] = {
                "promptTokenCount": prompt,
                "candidatesTokenCount": output,
                "totalTokenCount": prompt + output,
            }
        return response

    def _call(self, call: Call) -> dict[str, Any]:
        function_call = {"name": call.name, "args": call.arguments_object}
        return {"functionCall": {**function_call, "id": call.id} if call.id else function_call}

    def _model(self, model_id: str) -> dict[str, Any]:
        return {
            "name": f"models/{model_id}",
            "displayName": model_id.replace("-", " ").title(),
            "inputTokenLimit": 1_048_576,
            "outputTokenLimit": 65_536,
            "supportedGenerationMethods": ["generateContent", "countTokens"],
        }

    def _publisher_model(self, model_id: str) -> dict[str, Any]:
        return {"name": f"publishers/google/models/{model_id}", "versionId": "001", "launchStage": "GA"}
