"""Working history: whole turns kept, trimmed from the oldest, never a tool result without its call."""

from __future__ import annotations

import asyncio

from pydantic_ai.messages import (
    ModelMessage,
    ModelMessagesTypeAdapter,
    ModelRequest,
    ModelResponse,
    TextPart,
    ToolCallPart,
    ToolReturnPart,
    UserPromptPart,
)

from llmchat.chat.history import MemoryHistoryStore, is_turn_start, trim_history


def plain_turn(n: int) -> list[ModelMessage]:
    return [ModelRequest(parts=[UserPromptPart(f"q{n}")]), ModelResponse(parts=[TextPart(f"a{n}")])]


def tool_turn(n: int, steps: int = 2) -> list[ModelMessage]:
    """A question, `steps` tool calls each answered, then the answer: 2 + 2 * steps messages."""
    messages: list[ModelMessage] = [ModelRequest(parts=[UserPromptPart(f"q{n}")])]
    for s in range(steps):
        call_id = f"call-{n}-{s}"
        messages.append(ModelResponse(parts=[ToolCallPart("echo", {"message": "x"}, call_id)]))
        messages.append(ModelRequest(parts=[ToolReturnPart("echo", "Echo: x", call_id)]))
    messages.append(ModelResponse(parts=[TextPart(f"a{n}")]))
    return messages


def shape(messages: list[ModelMessage]) -> list[str]:
    """The messages as comparable text (their timestamps differ between builds)."""
    out = []
    for message in messages:
        for part in message.parts:
            if isinstance(part, UserPromptPart | TextPart):
                out.append(f"{part.part_kind}:{part.content}")
            elif isinstance(part, ToolCallPart | ToolReturnPart):
                out.append(f"{part.part_kind}:{part.tool_call_id}")
    return out


def calls_answered(messages: list[ModelMessage]) -> bool:
    """Every tool result in `messages` answers a call that is also in `messages`."""
    calls = {p.tool_call_id for m in messages for p in m.parts if isinstance(p, ToolCallPart)}
    results = {p.tool_call_id for m in messages for p in m.parts if isinstance(p, ToolReturnPart)}
    return results <= calls


def test_trimming_keeps_the_newest_whole_turns() -> None:
    history = [*plain_turn(1), *tool_turn(2), *plain_turn(3)]  # 2 + 6 + 2 messages

    for limit in range(1, len(history) + 1):
        kept = trim_history(history, limit)
        assert is_turn_start(kept[0]), limit
        assert calls_answered(kept), limit
        assert shape(kept) == shape(history[-len(kept) :])
        assert len(kept) <= max(limit, 2), "only the latest turn may exceed the limit"

    assert shape(trim_history(history, 9)) == shape([*tool_turn(2), *plain_turn(3)])
    assert shape(trim_history(history, 7)) == shape(plain_turn(3))


def test_the_latest_turn_is_kept_whole_even_when_longer_than_the_limit() -> None:
    history = [*plain_turn(1), *tool_turn(2, steps=5)]

    assert shape(trim_history(history, 4)) == shape(tool_turn(2, steps=5))


async def test_the_store_appends_trims_expires_and_clears() -> None:
    store = MemoryHistoryStore(max_messages=6, ttl=0.2)
    await store.append("a", plain_turn(1))
    await store.append("a", tool_turn(2))
    await store.append("b", plain_turn(9))

    assert shape(await store.get("a")) == shape(tool_turn(2))
    assert shape(await store.get("b")) == shape(plain_turn(9))
    (await store.get("a")).clear()
    assert shape(await store.get("a")) == shape(tool_turn(2)), "callers get copies"

    await store.clear("b")
    assert await store.get("b") == []
    await asyncio.sleep(0.25)
    assert await store.get("a") == []


def test_a_turn_with_tools_round_trips_through_json() -> None:
    """What a shared store would keep: the messages as JSON."""
    turn = tool_turn(1)

    restored = ModelMessagesTypeAdapter.validate_json(ModelMessagesTypeAdapter.dump_json(turn))

    assert [type(m) for m in restored] == [type(m) for m in turn]
    assert calls_answered(restored)
