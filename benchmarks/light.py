"""A minimal HTTP/1.1 streaming client on raw asyncio streams, for the many-streams measure.

With a few hundred paced streams at once every chunk arrives on its own, and httpx spends ~150 µs of CPU per
chunk (its async stack per read): on a 2-core machine the client alone would take most of a core from the
service being measured. This client reads with plain asyncio streams, so the load measures measure the
service, not the harness. It is used for the direct floor and the service alike.
"""

from __future__ import annotations

import asyncio
import json
import math
import time
from collections.abc import Callable
from urllib.parse import urlsplit

from benchmarks.client import BenchError, SseFrames, StreamResult


async def post_stream(
    url: str, body: dict[str, object], on_frame: Callable[[str, str, StreamResult], None], token: str | None = None
) -> StreamResult:
    """POST `body` as JSON to `url` and feed each SSE frame (event, data) to `on_frame` as it arrives."""
    parts = urlsplit(url)
    host, port = parts.hostname or "127.0.0.1", parts.port or 80
    payload = json.dumps(body).encode()
    head = [
        f"POST {parts.path or '/'} HTTP/1.1",
        f"Host: {host}:{port}",
        "Content-Type: application/json",
        "Accept: text/event-stream",
        f"Content-Length: {len(payload)}",
        "Connection: close",
    ]
    if token:
        head.append(f"Authorization: Bearer {token}")
    result = StreamResult()
    started = time.perf_counter()
    reader, writer = await asyncio.open_connection(host, port)
    try:
        writer.write(("\r\n".join(head) + "\r\n\r\n").encode() + payload)
        status_line, *header_lines = (await reader.readuntil(b"\r\n\r\n")).decode("latin-1").split("\r\n")
        status = int(status_line.split(" ", 2)[1])
        headers = {k.strip().lower(): v.strip() for k, _, v in (h.partition(":") for h in header_lines if h)}
        frames = SseFrames()
        if status != 200:
            raise BenchError(f"HTTP {status}: {(await reader.read(300)).decode(errors='replace')}")
        if headers.get("transfer-encoding", "").lower() == "chunked":
            while True:
                size = int((await reader.readuntil(b"\r\n")).split(b";", 1)[0], 16)
                if size == 0:
                    break
                data = (await reader.readexactly(size + 2))[:-2]
                for event, text in frames.feed(data):
                    on_frame(event, text, result)
        else:
            while data := await reader.read(65536):
                for event, text in frames.feed(data):
                    on_frame(event, text, result)
    finally:
        writer.close()
    result.total = time.perf_counter() - started
    if math.isfinite(result.ttft):
        result.ttft -= started  # the frame handlers note the absolute time
    return result


def _service_frame(event: str, data: str, result: StreamResult) -> None:
    if event == "token":
        if result.token_events == 0:
            result.ttft = time.perf_counter()
        result.token_events += 1
        result.text += json.loads(data)["content"]
    elif event == "final":
        result.final = json.loads(data)
    elif event == "error":
        result.errors.append(json.loads(data).get("error", data))


def _openai_frame(_event: str, data: str, result: StreamResult) -> None:
    if data == "[DONE]":
        return
    choices = json.loads(data).get("choices") or []
    content = choices[0].get("delta", {}).get("content") if choices else None
    if content:
        if result.token_events == 0:
            result.ttft = time.perf_counter()
        result.token_events += 1
        result.text += content


async def service_stream(base_url: str, token: str, user: str, message: str) -> StreamResult:
    """A streaming /llmchat/chat turn: time to the first token event, and the text of every token."""
    body: dict[str, object] = {"user_id": user, "message": message, "streaming": True}
    return await post_stream(f"{base_url}/llmchat/chat", body, _service_frame, token)


async def raw_stream(chat_url: str, body: dict[str, object]) -> StreamResult:
    """A streamed chat completion straight from the fake LLM: time to the first content chunk, and the text."""
    return await post_stream(chat_url, body, _openai_frame)
