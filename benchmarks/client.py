"""HTTP clients of the benchmark: the llmchat API as in SPEC 1, and the fake LLM called directly.

Both go through one `httpx.AsyncClient` with a connection pool, so the client's own cost is the same on
either side of a comparison.
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass, field
from typing import Any

import httpx

from benchmarks.fake_llm import MODEL_ID

JsonObject = dict[str, Any]


class BenchError(RuntimeError):
    """An operation under measurement failed (wrong status, missing tokens, an `error` event)."""


def pooled_client(base_url: str = "", connections: int = 512) -> httpx.AsyncClient:
    limits = httpx.Limits(max_connections=connections, max_keepalive_connections=connections)
    timeout = httpx.Timeout(300.0, connect=30.0, pool=300.0)
    return httpx.AsyncClient(base_url=base_url, limits=limits, timeout=timeout)


def _check(response: httpx.Response, what: str) -> JsonObject:
    if response.status_code >= 300:
        raise BenchError(f"{what}: HTTP {response.status_code} {response.text[:300]}")
    body: JsonObject = response.json() if response.content else {}
    return body


@dataclass
class StreamResult:
    """One streamed answer as a client saw it."""

    ttft: float = float("nan")
    """Seconds from sending the request to the first token event (or content chunk)."""
    total: float = 0.0
    text: str = ""
    token_events: int = 0
    final: JsonObject | None = None
    errors: list[str] = field(default_factory=list)


class SseFrames:
    """Splits a byte stream into SSE frames `(event, data)`; a frame without an event name is `message`."""

    def __init__(self) -> None:
        self._buffer = b""

    def feed(self, chunk: bytes) -> list[tuple[str, str]]:
        self._buffer += chunk.replace(b"\r\n", b"\n")
        *frames, self._buffer = self._buffer.split(b"\n\n")
        out: list[tuple[str, str]] = []
        for frame in frames:
            event, data = "message", []
            for line in frame.decode().split("\n"):
                if line.startswith("event:"):
                    event = line[6:].strip()
                elif line.startswith("data:"):
                    data.append(line[5:].removeprefix(" "))
            if data:
                out.append((event, "\n".join(data)))
        return out


class ChatApi:
    """The /llmchat API of one running service, for any number of users (each with their own token)."""

    def __init__(self, http: httpx.AsyncClient, base_url: str) -> None:
        self.http = http
        self.base = base_url.rstrip("/")

    async def login(self, email: str, password: str) -> str:
        body = _check(
            await self.http.post(f"{self.base}/auth/login", json={"email": email, "password": password}), "login"
        )
        token: str = body["access_token"]
        return token

    async def add_model(self, admin_token: str, llm_url: str) -> str:
        """Register the fake LLM as an openai_compatible provider and its model; returns the model's ref."""
        headers = _auth(admin_token)
        provider = _check(
            await self.http.post(
                f"{self.base}/llm/providers",
                headers=headers,
                json={
                    "name": "bench",
                    "provider_type": "openai_compatible",
                    "api_base": f"{llm_url}/v1",
                    "api_key": "sk-bench",
                },
            ),
            "create provider",
        )
        _check(
            await self.http.post(
                f"{self.base}/llm/models",
                headers=headers,
                json={"provider_id": provider["id"], "model_id": MODEL_ID, "model_name": "Benchmark model"},
            ),
            "create model",
        )
        return MODEL_ID

    async def ready(self) -> JsonObject:
        response = await self.http.get(f"{self.base}/ready")
        body: JsonObject = response.json()
        return body

    async def connect(self, token: str, user: str, model: str, mcp_url: str | None) -> JsonObject:
        body: JsonObject = {"user_id": user, "llm": {"model": model}}
        if mcp_url:
            body["server"] = {"url": mcp_url, "transport": "streamable_http", "name": "everything"}
        return _check(await self.http.post(f"{self.base}/llmchat/connect", headers=_auth(token), json=body), "connect")

    async def disconnect(self, token: str, user: str) -> JsonObject:
        return _check(
            await self.http.post(f"{self.base}/llmchat/disconnect", headers=_auth(token), json={"user_id": user}),
            "disconnect",
        )

    async def chat(self, token: str, user: str, message: str) -> JsonObject:
        body = {"user_id": user, "message": message, "streaming": False}
        return _check(await self.http.post(f"{self.base}/llmchat/chat", headers=_auth(token), json=body), "chat")

    async def chat_stream(self, token: str, user: str, message: str) -> StreamResult:
        """A streaming turn: time to the first `event: token`, every token's text, and the `final` event."""
        result = StreamResult()
        frames = SseFrames()
        parts: list[str] = []
        body = {"user_id": user, "message": message, "streaming": True}
        started = time.perf_counter()
        async with self.http.stream("POST", f"{self.base}/llmchat/chat", headers=_auth(token), json=body) as response:
            if response.status_code != 200:
                await response.aread()
                raise BenchError(f"chat stream: HTTP {response.status_code} {response.text[:300]}")
            async for chunk in response.aiter_raw():
                for event, data in frames.feed(chunk):
                    if event == "token":
                        if not parts:
                            result.ttft = time.perf_counter() - started
                        parts.append(json.loads(data)["content"])
                    elif event == "final":
                        result.final = json.loads(data)
                    elif event == "error":
                        result.errors.append(json.loads(data).get("error", data))
        result.total = time.perf_counter() - started
        result.text = "".join(parts)
        result.token_events = len(parts)
        return result


class RawLLM:
    """The fake LLM called directly, as the floor of an LLM call: the same request body, no llmchat."""

    def __init__(self, http: httpx.AsyncClient, llm_url: str, tools: list[JsonObject]) -> None:
        self.http = http
        self.url = f"{llm_url}/v1/chat/completions"
        self.tools = tools

    def body(self, messages: list[JsonObject], *, tools: bool = True, stream: bool = False) -> JsonObject:
        body: JsonObject = {"model": MODEL_ID, "messages": messages, "stream": stream}
        if tools and self.tools:
            body["tools"] = self.tools
        if stream:
            body["stream_options"] = {"include_usage": True}
        return body

    async def complete(self, messages: list[JsonObject], *, tools: bool = True) -> JsonObject:
        response = await self.http.post(self.url, json=self.body(messages, tools=tools))
        return _check(response, "raw LLM call")

    async def stream(self, messages: list[JsonObject], *, tools: bool = True) -> StreamResult:
        """A streamed completion parsed chunk by chunk (json per chunk): the raw parse floor."""
        result = StreamResult()
        frames = SseFrames()
        parts: list[str] = []
        started = time.perf_counter()
        body = self.body(messages, tools=tools, stream=True)
        async with self.http.stream("POST", self.url, json=body) as response:
            if response.status_code != 200:
                raise BenchError(f"raw LLM stream: HTTP {response.status_code}")
            async for chunk in response.aiter_raw():
                for _event, data in frames.feed(chunk):
                    if data == "[DONE]":
                        continue
                    choices = json.loads(data).get("choices") or []
                    content = choices[0].get("delta", {}).get("content") if choices else None
                    if content:
                        if not parts:
                            result.ttft = time.perf_counter() - started
                        parts.append(content)
        result.total = time.perf_counter() - started
        result.text = "".join(parts)
        result.token_events = len(parts)
        return result


def _auth(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}
