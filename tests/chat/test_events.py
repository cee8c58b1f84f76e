"""Events: the exact JSON of SPEC 1, one SSE frame each, and back."""

from __future__ import annotations

import json

import pytest

from llmchat.chat.events import (
    Error,
    Event,
    Final,
    SseDecoder,
    Thinking,
    Token,
    ToolEnd,
    ToolError,
    ToolInvocation,
    ToolProgress,
    ToolStart,
    Usage,
    encode_sse,
)

T0, T1 = "2026-01-01T00:00:00+00:00", "2026-01-01T00:00:01+00:00"
INVOCATIONS = [
    ToolInvocation("c1", "echo", {"message": "hi"}, T0, T1, output="Echo: hi"),
    ToolInvocation("c2", "get-sum", {"a": 1}, T0, T1, error="b is required"),
    ToolInvocation("c3", "echo", {"message": "again"}, T0, T1, output={"json": True}),
]

EXPECTED: list[tuple[Event, dict[str, object]]] = [
    (Token("Hel"), {"content": "Hel"}),
    (Thinking("hmm"), {"content": "hmm"}),
    (
        ToolStart("c1", "echo", "everything", {"message": "hi"}, T0),
        {
            "type": "tool_start",
            "id": "c1",
            "tool": "echo",
            "server": "everything",
            "input": {"message": "hi"},
            "start": T0,
        },
    ),
    (
        ToolProgress("c1", "echo", 1, 3, "step 1"),
        {"type": "tool_progress", "id": "c1", "tool": "echo", "progress": 1, "total": 3, "message": "step 1"},
    ),
    (
        ToolEnd("c1", "echo", "everything", "Echo: hi", T1),
        {"type": "tool_end", "id": "c1", "tool": "echo", "server": "everything", "output": "Echo: hi", "end": T1},
    ),
    (
        ToolError("c2", "get-sum", "everything", "b is required", T1),
        {
            "type": "tool_error",
            "id": "c2",
            "tool": "get-sum",
            "server": "everything",
            "error": "b is required",
            "time": T1,
        },
    ),
    (
        Final("Hello", "conv", INVOCATIONS, 12, Usage(5, 7), cancelled=True),
        {
            "type": "final",
            "content": "Hello",
            "conversation_id": "conv",
            "tool_used": True,
            "tools": ["echo", "get-sum"],
            "tool_invocations": [
                {"id": "c1", "tool": "echo", "input": {"message": "hi"}, "output": "Echo: hi", "start": T0, "end": T1},
                {"id": "c2", "tool": "get-sum", "input": {"a": 1}, "error": "b is required", "start": T0, "end": T1},
                {
                    "id": "c3",
                    "tool": "echo",
                    "input": {"message": "again"},
                    "output": {"json": True},
                    "start": T0,
                    "end": T1,
                },
            ],
            "elapsed_ms": 12,
            "usage": {"input_tokens": 5, "output_tokens": 7},
            "cancelled": True,
        },
    ),
    (
        Error("The LLM provider failed.", recoverable=True),
        {"type": "error", "error": "The LLM provider failed.", "recoverable": True},
    ),
]


@pytest.mark.parametrize(("event", "data"), EXPECTED, ids=[e.type for e, _ in EXPECTED])
def test_each_event_is_one_sse_frame_with_the_spec_shape(event: Event, data: dict[str, object]) -> None:
    frame = encode_sse(event, 7).decode()

    head, _, rest = frame.partition("data: ")
    assert head == f"id: 7\nevent: {event.type}\n"
    assert rest.endswith("\n\n") and "\n" not in rest[:-2]
    assert json.loads(rest) == data


def test_frames_decode_back_to_the_same_events() -> None:
    stream = b"".join(encode_sse(event, i) for i, (event, _) in enumerate(EXPECTED)) + b": ping\n\n"
    decoder = SseDecoder()

    decoded = [e for line in stream.decode().split("\n") if (e := decoder.feed(line)) is not None]

    assert decoded == [event for event, _ in EXPECTED]


def test_text_with_newlines_and_unicode_stays_in_one_data_line() -> None:
    frame = encode_sse(Token("línea 1\nlínea 2 ✓"), 1)

    assert frame.count(b"\n") == 4
    assert "línea 2 ✓".encode() in frame
