"""A turn in its own task: SSE frames with pings while idle, cancelling by closing the stream, errors."""

from __future__ import annotations

from pydantic_ai.messages import ModelMessage

from llmchat.chat.events import PING_FRAME, Final, SseDecoder
from llmchat.chat.running import RunningTurn
from llmchat.chat.turn import Turn, TurnOptions
from llmchat.errors import ProviderUnavailable
from llmchat.mcp import McpToolset
from tests.chat.conftest import openai_setup
from tests.fakes.openai import FakeOpenAI
from tests.fakes.replies import Call, HttpError, Text, ToolCalls

saved: list[list[ModelMessage]] = []


async def save(turn: Turn) -> None:
    saved.append(turn.new_messages)


def start(fake: FakeOpenAI, tools: McpToolset, *, stream: bool) -> RunningTurn:
    turn = Turn(openai_setup(fake, tools), tools, [], "go", TurnOptions(5, 10, stream, "conv"), lambda _: None)
    return RunningTurn(turn, save, stream=stream)


async def test_an_idle_stream_sends_pings(fake_openai: FakeOpenAI, everything: McpToolset) -> None:
    fake_openai.script(ToolCalls([Call("trigger-long-running-operation", {"duration": 1, "steps": 1})]), Text("ok"))

    frames = [frame async for frame in start(fake_openai, everything, stream=True).sse(ping_interval=0.3)]

    body = b"".join(frames)
    assert body.count(PING_FRAME) >= 2
    assert body.index(b"event: tool_start") < body.index(PING_FRAME) < body.index(b"event: tool_end")
    ids = [line for line in body.decode().split("\n") if line.startswith("id: ")]
    assert ids == [f"id: {n}" for n in range(1, len(ids) + 1)]


async def test_closing_the_stream_cancels_the_turn(fake_openai: FakeOpenAI, no_tools: McpToolset) -> None:
    fake_openai.script(Text("a b c d e f", delay=0.3))
    running = start(fake_openai, no_tools, stream=True)
    frames = running.sse()

    first = await anext(frames)
    await frames.aclose()
    final = await running.result()

    assert b"event: token" in first
    assert final.cancelled and final.content.startswith("a ") and final.content != "a b c d e f"
    assert saved[-1] is running.turn.new_messages, "the partial turn is kept"


async def test_a_failed_turn_is_an_error_event_or_raises(fake_openai: FakeOpenAI, no_tools: McpToolset) -> None:
    fake_openai.script(HttpError(500, headers={"x-should-retry": "false"}))
    streamed = start(fake_openai, no_tools, stream=True)
    decoder = SseDecoder()

    events = [
        e for f in [f async for f in streamed.sse()] for line in f.decode().split("\n") if (e := decoder.feed(line))
    ]

    assert [e.to_json() for e in events] == [
        {"type": "error", "error": "The LLM provider failed (HTTP 500). Try again in a moment.", "recoverable": True}
    ]
    fake_openai.script(HttpError(500, headers={"x-should-retry": "false"}))
    try:
        await start(fake_openai, no_tools, stream=False).result()
    except ProviderUnavailable as exc:
        assert exc.status_code == 502
    else:
        raise AssertionError("expected ProviderUnavailable")


async def test_a_turn_cancelled_before_it_started_still_ends_with_final(
    fake_openai: FakeOpenAI, no_tools: McpToolset
) -> None:
    running = start(fake_openai, no_tools, stream=True)
    running.cancel()

    frames = [frame async for frame in running.sse()]

    decoder = SseDecoder()
    events = [e for line in b"".join(frames).decode().split("\n") if (e := decoder.feed(line))]
    assert len(events) == 1 and isinstance(events[0], Final) and events[0].cancelled
