"""A minimal, fast OpenAI-compatible chat-completions server for benchmarks, run in its own process.

`python -m benchmarks.fake_llm --port 0 --token-delay 0` prints `PORT <n>` once it listens. It speaks just
enough HTTP/1.1 (keep-alive, Content-Length bodies, chunked responses) over raw asyncio streams so its own
cost stays small and is measured directly in the same run.

What it answers, from the last message of the request:
- a user message that mentions `echo`, when a tool named `echo` is offered: a call to `echo`;
- a tool result: a short text answer;
- anything else: a text answer of `tokens=N` tokens (default 20), one SSE chunk per token when streaming,
  with `delay_ms=D` between tokens (default: the `--token-delay` option). Token i is `t<i> `, so a client
  can check that every token arrived, in order.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import itertools
import json
import re
import signal
import sys
import time
from typing import Any

DEFAULT_TOKENS = 20
MODEL_ID = "bench-model"
_TOKENS = re.compile(r"tokens=(\d+)")
_DELAY = re.compile(r"delay_ms=(\d+(?:\.\d+)?)")
_ids = itertools.count(1)


def expected_text(tokens: int) -> str:
    """The answer text of `tokens` tokens, as the fake streams it."""
    return "".join(f"t{i} " for i in range(tokens))


class Script:
    """What to answer to one request."""

    def __init__(self, body: dict[str, Any], default_delay: float) -> None:
        messages: list[dict[str, Any]] = body.get("messages") or []
        last = messages[-1] if messages else {}
        text = _content_text(last.get("content"))
        tools = {t.get("function", {}).get("name") for t in body.get("tools") or []}
        self.tool_call = last.get("role") == "user" and "echo" in text and "echo" in tools
        self.after_tool = last.get("role") == "tool"
        tokens = _TOKENS.search(text) if last.get("role") == "user" else None
        delay = _DELAY.search(text) if last.get("role") == "user" else None
        self.tokens = int(tokens[1]) if tokens else DEFAULT_TOKENS
        self.delay = float(delay[1]) / 1000 if delay else default_delay
        self.prompt_tokens = sum(len(_content_text(m.get("content"))) // 4 + 1 for m in messages)
        self.stream = bool(body.get("stream"))
        self.usage_in_stream = bool((body.get("stream_options") or {}).get("include_usage"))

    def answer_tokens(self) -> list[str]:
        if self.after_tool:
            return ["The ", "tool ", "answered."]
        return [f"t{i} " for i in range(self.tokens)]


def _content_text(content: object) -> str:
    if isinstance(content, str):
        return content
    if isinstance(content, list):
        return " ".join(str(part.get("text", "")) for part in content if isinstance(part, dict))
    return ""


def _usage(script: Script, completion: int) -> dict[str, int]:
    return {
        "prompt_tokens": script.prompt_tokens,
        "completion_tokens": completion,
        "total_tokens": script.prompt_tokens + completion,
    }


def completion_body(script: Script) -> bytes:
    """A non-streaming chat.completion."""
    call_id = f"call_{next(_ids)}"
    if script.tool_call:
        message: dict[str, Any] = {
            "role": "assistant",
            "content": None,
            "tool_calls": [
                {
                    "id": call_id,
                    "type": "function",
                    "function": {"name": "echo", "arguments": json.dumps({"message": "benchmark"})},
                }
            ],
        }
        finish, completion = "tool_calls", 5
    else:
        tokens = script.answer_tokens()
        message = {"role": "assistant", "content": "".join(tokens)}
        finish, completion = "stop", len(tokens)
    return json.dumps(
        {
            "id": f"chatcmpl-{call_id}",
            "object": "chat.completion",
            "created": int(time.time()),
            "model": MODEL_ID,
            "choices": [{"index": 0, "message": message, "finish_reason": finish, "logprobs": None}],
            "usage": _usage(script, completion),
        },
        separators=(",", ":"),
    ).encode()


def _chunk(head: str, delta: str, finish: str | None = None) -> bytes:
    """One SSE event holding a chat.completion.chunk; `delta` is already JSON."""
    fin = "null" if finish is None else f'"{finish}"'
    data = f'{head}"choices":[{{"index":0,"delta":{delta},"finish_reason":{fin}}}]}}'
    return f"data: {data}\n\n".encode()


async def stream_body(script: Script, write: Any) -> None:
    """The answer as SSE, one chunk per token; `write(bytes)` sends one HTTP chunk (awaitable)."""
    call_id = f"call_{next(_ids)}"
    created = int(time.time())
    head = f'{{"id":"chatcmpl-{call_id}","object":"chat.completion.chunk","created":{created},"model":"{MODEL_ID}",'
    await write(_chunk(head, '{"role":"assistant","content":""}'))
    if script.tool_call:
        arguments = json.dumps(json.dumps({"message": "benchmark"}))
        call = f'{{"index":0,"id":"{call_id}","type":"function","function":{{"name":"echo","arguments":{arguments}}}}}'
        await write(_chunk(head, f'{{"tool_calls":[{call}]}}'))
        finish, completion = "tool_calls", 5
    else:
        tokens = script.answer_tokens()
        delay = script.delay
        if delay <= 0:
            await write(b"".join(_chunk(head, f'{{"content":"{t}"}}') for t in tokens))
        else:
            for token in tokens:
                await asyncio.sleep(delay)
                await write(_chunk(head, f'{{"content":"{token}"}}'))
        finish, completion = "stop", len(tokens)
    tail = _chunk(head, "{}", finish)
    if script.usage_in_stream:
        usage = json.dumps(_usage(script, completion), separators=(",", ":"))
        tail += f'data: {head}"choices":[],"usage":{usage}}}\n\n'.encode()
    await write(tail + b"data: [DONE]\n\n")


MODELS_BODY = json.dumps(
    {"object": "list", "data": [{"id": MODEL_ID, "object": "model", "created": 1_700_000_000, "owned_by": "bench"}]}
).encode()


class FakeLLM:
    """The server: `await FakeLLM(delay).serve(port)`; handles keep-alive connections concurrently."""

    def __init__(self, token_delay: float) -> None:
        self.token_delay = token_delay
        self.requests = 0

    async def serve(self, host: str, port: int) -> asyncio.Server:
        return await asyncio.start_server(self._connection, host, port, backlog=1024)

    async def _connection(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            while True:
                try:
                    head = await reader.readuntil(b"\r\n\r\n")
                except (asyncio.IncompleteReadError, asyncio.LimitOverrunError):
                    return
                lines = head.decode("latin-1").split("\r\n")
                method, path, _ = lines[0].split(" ", 2)
                length = 0
                close = False
                for line in lines[1:]:
                    name, _, value = line.partition(":")
                    name = name.strip().lower()
                    if name == "content-length":
                        length = int(value)
                    elif name == "connection" and value.strip().lower() == "close":
                        close = True
                body = await reader.readexactly(length) if length else b""
                self.requests += 1
                await self._respond(method, path, body, writer)
                if close:
                    return
        except (ConnectionError, asyncio.IncompleteReadError):
            return
        finally:
            with contextlib.suppress(Exception):
                writer.close()

    async def _respond(self, method: str, path: str, body: bytes, writer: asyncio.StreamWriter) -> None:
        path = path.split("?", 1)[0]
        if method == "POST" and path.endswith("/chat/completions"):
            script = Script(json.loads(body), self.token_delay)
            if script.stream:
                writer.write(
                    b"HTTP/1.1 200 OK\r\ncontent-type: text/event-stream\r\n"
                    b"transfer-encoding: chunked\r\ncache-control: no-cache\r\n\r\n"
                )

                async def write(data: bytes) -> None:
                    writer.write(b"%x\r\n%s\r\n" % (len(data), data))
                    await writer.drain()

                await stream_body(script, write)
                writer.write(b"0\r\n\r\n")
                await writer.drain()
                return
            self._send(writer, 200, completion_body(script))
        elif method == "GET" and path.endswith("/models"):
            self._send(writer, 200, MODELS_BODY)
        else:
            self._send(writer, 404, b'{"error":{"message":"not found","type":"invalid_request_error"}}')
        await writer.drain()

    @staticmethod
    def _send(writer: asyncio.StreamWriter, status: int, body: bytes) -> None:
        reason = b"OK" if status == 200 else b"Not Found"
        writer.write(
            b"HTTP/1.1 %d %s\r\ncontent-type: application/json\r\ncontent-length: %d\r\n\r\n%s"
            % (status, reason, len(body), body)
        )


async def _main(host: str, port: int, token_delay: float) -> None:
    server = await FakeLLM(token_delay).serve(host, port)
    print(f"PORT {server.sockets[0].getsockname()[1]}", flush=True)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    async with server:
        await stop.wait()


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="Fake OpenAI-compatible LLM for benchmarks.")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--token-delay", type=float, default=0.0, help="Seconds between streamed tokens.")
    args = parser.parse_args(argv)
    if args.host not in ("127.0.0.1", "localhost", "::1"):
        sys.exit("the fake LLM listens on loopback only")
    asyncio.run(_main(args.host, args.port, args.token_delay))


if __name__ == "__main__":
    main()
