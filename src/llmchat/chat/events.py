"""The events of a chat turn as typed values, and their one wire format (Server-Sent Events).

The stream, the non-streaming response, the CLI client and the tests all use these classes, so the JSON
shapes of SPEC 1 are written down once, here.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field, fields
from datetime import UTC, datetime
from typing import Any, ClassVar, TypeAlias

JsonObject: TypeAlias = dict[str, Any]


def now_iso() -> str:
    """The current time as ISO-8601 in UTC, as every event timestamp is written."""
    return datetime.now(UTC).isoformat()


@dataclass(slots=True)
class Usage:
    """Tokens used by one turn, summed over its model requests."""

    input_tokens: int = 0
    output_tokens: int = 0

    def to_json(self) -> JsonObject:
        return {"input_tokens": self.input_tokens, "output_tokens": self.output_tokens}


@dataclass(slots=True)
class ToolInvocation:
    """One tool call of a turn, as reported in `tool_invocations`: either `output` or `error` is set."""

    id: str
    tool: str
    input: JsonObject
    start: str
    end: str | None = None
    output: Any = None
    error: str | None = None

    def to_json(self) -> JsonObject:
        out: JsonObject = {"id": self.id, "tool": self.tool, "input": self.input}
        if self.error is not None:
            out["error"] = self.error
        else:
            out["output"] = self.output
        out["start"] = self.start
        out["end"] = self.end
        return out

    @classmethod
    def from_json(cls, data: JsonObject) -> ToolInvocation:
        return cls(
            id=data["id"],
            tool=data["tool"],
            input=data.get("input") or {},
            start=data.get("start", ""),
            end=data.get("end"),
            output=data.get("output"),
            error=data.get("error"),
        )


@dataclass(frozen=True, slots=True)
class Token:
    """A chunk of the answer's text."""

    type: ClassVar[str] = "token"
    content: str

    def to_json(self) -> JsonObject:
        return {"content": self.content}


@dataclass(frozen=True, slots=True)
class Thinking:
    """A chunk of the model's reasoning, for models that expose it."""

    type: ClassVar[str] = "thinking"
    content: str

    def to_json(self) -> JsonObject:
        return {"content": self.content}


class _FlatEvent:
    """An event whose JSON is its `type` followed by each of its fields, in declaration order."""

    __slots__ = ()
    type: ClassVar[str]

    def to_json(self) -> JsonObject:
        out: JsonObject = {"type": self.type}
        for f in fields(self):  # type: ignore[arg-type]  # every subclass is a dataclass
            out[f.name] = getattr(self, f.name)
        return out


@dataclass(frozen=True, slots=True)
class ToolStart(_FlatEvent):
    """The model called a tool; it is running now."""

    type: ClassVar[str] = "tool_start"
    id: str
    tool: str
    server: str
    input: JsonObject
    start: str


@dataclass(frozen=True, slots=True)
class ToolProgress(_FlatEvent):
    """A progress notification from the MCP server about a running tool call."""

    type: ClassVar[str] = "tool_progress"
    id: str
    tool: str
    progress: float
    total: float | None = None
    message: str | None = None


@dataclass(frozen=True, slots=True)
class ToolEnd(_FlatEvent):
    """A tool call finished; `output` is its text, or JSON when the tool returned structured content."""

    type: ClassVar[str] = "tool_end"
    id: str
    tool: str
    server: str
    output: Any
    end: str


@dataclass(frozen=True, slots=True)
class ToolError(_FlatEvent):
    """A tool call failed; the error also went back to the model."""

    type: ClassVar[str] = "tool_error"
    id: str
    tool: str
    server: str
    error: str
    time: str


@dataclass(frozen=True, slots=True)
class Final:
    """The turn is over: the full answer and what it took. `cancelled` when it was stopped early."""

    type: ClassVar[str] = "final"
    content: str
    conversation_id: str
    tool_invocations: list[ToolInvocation] = field(default_factory=list)
    elapsed_ms: int = 0
    usage: Usage = field(default_factory=Usage)
    cancelled: bool = False

    @property
    def tool_used(self) -> bool:
        return bool(self.tool_invocations)

    @property
    def tools(self) -> list[str]:
        """Names of the tools used, each once, in the order first used."""
        return list(dict.fromkeys(inv.tool for inv in self.tool_invocations))

    def to_json(self) -> JsonObject:
        return {
            "type": self.type,
            "content": self.content,
            "conversation_id": self.conversation_id,
            "tool_used": self.tool_used,
            "tools": self.tools,
            "tool_invocations": [inv.to_json() for inv in self.tool_invocations],
            "elapsed_ms": self.elapsed_ms,
            "usage": self.usage.to_json(),
            "cancelled": self.cancelled,
        }


@dataclass(frozen=True, slots=True)
class Error:
    """The turn failed; `error` is safe to show, `recoverable` says whether trying again may help."""

    type: ClassVar[str] = "error"
    error: str
    recoverable: bool = False

    def to_json(self) -> JsonObject:
        return {"type": self.type, "error": self.error, "recoverable": self.recoverable}


Event: TypeAlias = Token | Thinking | ToolStart | ToolProgress | ToolEnd | ToolError | Final | Error

PING_FRAME = b": ping\n\n"
"""An SSE comment, sent while a turn is idle so proxies keep the connection open."""


def encode_sse(event: Event, event_id: int) -> bytes:
    """One SSE frame: `id: N`, `event: <type>`, `data: <json>` and a blank line."""
    data = json.dumps(event.to_json(), ensure_ascii=False, separators=(",", ":"))
    return f"id: {event_id}\nevent: {event.type}\ndata: {data}\n\n".encode()


def decode_event(event_type: str, data: str) -> Event:
    """The event an SSE frame carries; raises ValueError for an unknown type."""
    obj: JsonObject = json.loads(data)
    match event_type:
        case "token":
            return Token(obj["content"])
        case "thinking":
            return Thinking(obj["content"])
        case "tool_start":
            return ToolStart(obj["id"], obj["tool"], obj.get("server", ""), obj.get("input") or {}, obj["start"])
        case "tool_progress":
            return ToolProgress(obj["id"], obj["tool"], obj["progress"], obj.get("total"), obj.get("message"))
        case "tool_end":
            return ToolEnd(obj["id"], obj["tool"], obj.get("server", ""), obj.get("output"), obj["end"])
        case "tool_error":
            return ToolError(obj["id"], obj["tool"], obj.get("server", ""), obj["error"], obj["time"])
        case "final":
            usage = obj.get("usage") or {}
            return Final(
                content=obj["content"],
                conversation_id=obj.get("conversation_id", ""),
                tool_invocations=[ToolInvocation.from_json(i) for i in obj.get("tool_invocations", [])],
                elapsed_ms=obj.get("elapsed_ms", 0),
                usage=Usage(usage.get("input_tokens", 0), usage.get("output_tokens", 0)),
                cancelled=obj.get("cancelled", False),
            )
        case "error":
            return Error(obj["error"], obj.get("recoverable", False))
    raise ValueError(f"unknown event type {event_type!r}")


class SseDecoder:
    """Turns the lines of an SSE stream into events, for clients (the CLI, the tests)."""

    def __init__(self) -> None:
        self._type = ""
        self._data: list[str] = []

    def feed(self, line: str) -> Event | None:
        """Feed one line (without its newline); returns an event when a frame is complete."""
        if line == "":
            event_type, data = self._type, "\n".join(self._data)
            self._type, self._data = "", []
            return decode_event(event_type, data) if event_type and data else None
        if line.startswith(":"):
            return None
        name, _, value = line.partition(":")
        value = value.removeprefix(" ")
        if name == "event":
            self._type = value
        elif name == "data":
            self._data.append(value)
        return None
