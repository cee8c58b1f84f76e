"""A fake Amazon Bedrock: Converse, ConverseStream (AWS event-stream binary framing) and ListFoundationModels.

Point boto3 at `url` with `endpoint_url` and any credentials: requests arrive SigV4-signed, and `require_key`
checks the access key id in the `Authorization: AWS4-HMAC-SHA256 Credential=<key id>/...` header.
"""

from __future__ import annotations

import itertools
import json
import re
import struct
import zlib
from collections.abc import AsyncIterator
from typing import Any

from starlette.responses import JSONResponse, Response

from tests.fakes.replies import Call, Text, ToolCalls
from tests.fakes.server import FakeServer, RecordedRequest, paced

_CONVERSE = re.compile(r"^/model/(?P<model>.+)/(?P<op>converse|converse-stream)$")
_CREDENTIAL = re.compile(r"Credential=(?P<key_id>[^/,\s]+)/")
_ERROR_TYPES = {
    400: "ValidationException",
    403: "AccessDeniedException",
    404: "ResourceNotFoundException",
    429: "ThrottlingException",
    500: "InternalServerException",
    503: "ServiceUnavailableException",
}


def event_message(event_type: str, payload: dict[str, Any]) -> bytes:
    """One message of the AWS event stream: prelude (lengths + CRC32), headers, JSON payload, message CRC32."""
    kinds = {":event-type": event_type, ":content-type": "application/json", ":message-type": "event"}
    headers = b"".join(_header(name, value) for name, value in kinds.items())
    body = json.dumps(payload).encode()
    prelude = struct.pack(">II", 12 + len(headers) + len(body) + 4, len(headers))
    message = prelude + struct.pack(">I", zlib.crc32(prelude)) + headers + body
    return message + struct.pack(">I", zlib.crc32(message))


def _header(name: str, value: str) -> bytes:
    encoded_name, encoded_value = name.encode(), value.encode()
    # type 7 is a string value with a two-byte length
    return bytes([len(encoded_name)]) + encoded_name + b"\x07" + struct.pack(">H", len(encoded_value)) + encoded_value


class FakeBedrock(FakeServer):
    """Speaks the Bedrock runtime Converse API and the control plane's model list."""

    default_models = ("anthropic.claude-3-5-haiku-20241022-v1:0", "amazon.nova-lite-v1:0")
    stream_media_type = "application/vnd.amazon.eventstream"
    malformed_json = b'{"output": {"message": '
    malformed_stream = event_message("messageStart", {"role": "assistant"})[:-4] + b"\x00\x00\x00\x00"
    _ids = itertools.count(1)

    def route(self, request: RecordedRequest) -> Response:
        if request.method == "POST" and (match := _CONVERSE.match(request.path)):
            request.meta["model"] = match["model"]
            return self.chat(request, stream=match["op"] == "converse-stream")
        if request.method == "GET" and request.path == "/foundation-models":
            return self.listing({"modelSummaries": [_summary(m) for m in self.models]})
        return self.error(404, f"Unknown path {request.path}")

    def presented_key(self, request: RecordedRequest) -> str | None:
        match = _CREDENTIAL.search(request.headers.get("authorization", ""))
        return match["key_id"] if match else super().presented_key(request)

    def unauthorized(self, request: RecordedRequest) -> Response:
        return JSONResponse(
            {"message": "The security token included in the request is invalid."},
            status_code=403,
            headers={"x-amzn-ErrorType": "UnrecognizedClientException"},
        )

    def error(self, status: int, message: str | None = None, headers: dict[str, str] | None = None) -> Response:
        kind = _ERROR_TYPES.get(status, "InternalServerException")
        return JSONResponse(
            {"message": message or kind}, status_code=status, headers={"x-amzn-ErrorType": kind, **(headers or {})}
        )

    def render(self, reply: Text | ToolCalls, request: RecordedRequest) -> dict[str, Any]:
        if isinstance(reply, Text):
            content: list[dict[str, Any]] = [{"text": reply.content}]
        else:
            content = [{"text": reply.text}] if reply.text else []
            content += [{"toolUse": {**self._tool_use(c), "input": c.arguments_object}} for c in reply.calls]
        return {
            "output": {"message": {"role": "assistant", "content": content}},
            "stopReason": "end_turn" if isinstance(reply, Text) else "tool_use",
            "usage": _usage(reply),
            "metrics": {"latencyMs": 5},
        }

    async def render_stream(self, reply: Text | ToolCalls, request: RecordedRequest) -> AsyncIterator[bytes]:
        yield event_message("messageStart", {"role": "assistant"})
        index = 0
        text, delay = (reply.parts(), reply.delay) if isinstance(reply, Text) else (reply.text_parts(), 0.0)
        if text:
            async for piece in paced(text, delay):
                yield event_message("contentBlockDelta", {"contentBlockIndex": index, "delta": {"text": piece}})
            yield event_message("contentBlockStop", {"contentBlockIndex": index})
            index += 1
        for call in reply.calls if isinstance(reply, ToolCalls) else []:
            start = {"toolUse": self._tool_use(call)}
            yield event_message("contentBlockStart", {"contentBlockIndex": index, "start": start})
            for piece in call.arguments_chunks():
                delta = {"toolUse": {"input": piece}}
                yield event_message("contentBlockDelta", {"contentBlockIndex": index, "delta": delta})
            yield event_message("contentBlockStop", {"contentBlockIndex": index})
            index += 1
        stop = "end_turn" if isinstance(reply, Text) else "tool_use"
        yield event_message("messageStop", {"stopReason": stop})
        yield event_message("metadata", {"usage": _usage(reply), "metrics": {"latencyMs": 5}})

    def _tool_use(self, call: Call) -> dict[str, Any]:
        return {"toolUseId": call.id or f"tooluse_{next(self._ids)}", "name": call.name}


def _usage(reply: Text | ToolCalls) -> dict[str, int]:
    prompt, output = reply.usage
    return {"inputTokens": prompt, "outputTokens": output, "totalTokens": prompt + output}


def _summary(model_id: str) -> dict[str, Any]:
    provider = model_id.split(".")[0]
    return {
        "modelArn": f"arn:aws:bedrock:us-east-1::foundation-model/{model_id}",
        "modelId": model_id,
        "modelName": model_id.split(".", 1)[-1].split(":")[0],
        "providerName": provider.title(),
        "inputModalities": ["TEXT", "IMAGE"] if provider == "anthropic" else ["TEXT"],
        "outputModalities": ["TEXT"],
        "responseStreamingSupported": True,
        "customizationsSupported": [],
        "inferenceTypesSupported": ["ON_DEMAND"],
        "modelLifecycle": {"status": "ACTIVE"},
    }
