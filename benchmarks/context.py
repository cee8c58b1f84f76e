"""What the measures share: the running processes, the clients, the benchmark users, and the counts."""

from __future__ import annotations

import asyncio
import functools
import itertools
from collections.abc import Awaitable, Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

import httpx
import mcp
from pydantic_ai.messages import (
    ModelMessage,
    ModelRequest,
    ModelResponse,
    TextPart,
    ToolCallPart,
    ToolReturnPart,
    UserPromptPart,
)
from pydantic_ai.models import ModelRequestParameters
from pydantic_ai.models.openai import OpenAIChatModel
from pydantic_ai.providers.openai import OpenAIProvider
from pydantic_ai.tools import ToolDefinition

from benchmarks.client import ChatApi, RawLLM
from benchmarks.fake_llm import MODEL_ID
from benchmarks.procs import Proc, Service
from benchmarks.report import Report


@dataclass(frozen=True)
class Scale:
    """How many times each measure repeats; `FULL` for `make bench`, `SMOKE` for the test that keeps it alive."""

    reps: int = 300
    """Rounds of the plain-turn and time-to-first-token measures (each round: every floor and the service)."""
    tool_reps: int = 200
    connect_reps: int = 100
    long_tokens: int = 2000
    long_reps: int = 10
    users: int = 200
    """Users of the concurrency measure, and benchmark sessions kept connected (idle-memory measure)."""
    streams: int = 200
    stream_tokens: int = 200
    stream_delay_ms: float = 50.0
    cycles: int = 200
    """Connect/disconnect cycles of the memory-leak measure."""
    warm_starts: int = 2
    connect_concurrency: int = 8
    load_timeout: float = 240.0


FULL = Scale()
SMOKE = Scale(
    reps=5,
    tool_reps=3,
    connect_reps=3,
    long_tokens=50,
    long_reps=2,
    users=4,
    streams=4,
    stream_tokens=10,
    stream_delay_ms=5.0,
    cycles=4,
    warm_starts=0,
    load_timeout=60.0,
)

PLAIN = "hello"
TOOL = "please call echo"
USER_MESSAGE = [{"role": "user", "content": PLAIN}]
REFRESH_AFTER = 12
"""Sessions whose working history holds more messages than this are reconnected between measures."""

Entry = tuple[str, ...]
"""One message of a working history: ("user", text), ("text", answer), ("call", id, tool, json args),
("result", id, tool, output). Rendered for the raw floor (OpenAI JSON) and the pydantic-ai floor alike."""


def raw_messages(history: list[Entry], message: str) -> list[dict[str, Any]]:
    """The history and a new user message as an OpenAI chat request lists them."""
    out: list[dict[str, Any]] = []
    for entry in history:
        kind = entry[0]
        if kind == "user":
            out.append({"role": "user", "content": entry[1]})
        elif kind == "text":
            out.append({"role": "assistant", "content": entry[1]})
        elif kind == "call":
            function = {"name": entry[2], "arguments": entry[3]}
            call = {"id": entry[1], "type": "function", "function": function}
            out.append({"role": "assistant", "content": None, "tool_calls": [call]})
        else:
            out.append({"role": "tool", "tool_call_id": entry[1], "content": entry[3]})
    out.append({"role": "user", "content": message})
    return out


def pai_messages(history: list[Entry], message: str) -> list[ModelMessage]:
    """The history and a new user message as pydantic-ai messages."""
    out: list[ModelMessage] = []
    for entry in history:
        kind = entry[0]
        if kind == "user":
            out.append(ModelRequest(parts=[UserPromptPart(entry[1])]))
        elif kind == "text":
            out.append(ModelResponse(parts=[TextPart(entry[1])]))
        elif kind == "call":
            out.append(ModelResponse(parts=[ToolCallPart(entry[2], entry[3], entry[1])]))
        else:
            out.append(ModelRequest(parts=[ToolReturnPart(entry[2], entry[3], entry[1])]))
    out.append(ModelRequest(parts=[UserPromptPart(message)]))
    return out


@dataclass
class Ctx:
    """One benchmark run against one service."""

    scale: Scale
    report: Report
    llm: Proc
    everything: Proc
    service: Service
    http: httpx.AsyncClient
    api: ChatApi
    raw: RawLLM
    model_ref: str
    admin_email: str
    admin_token: str
    tool_defs: list[ToolDefinition]
    pai_model: OpenAIChatModel
    users: dict[str, str] = field(default_factory=dict)
    """Benchmark users: email -> bearer token."""
    history: dict[str, list[Entry]] = field(default_factory=dict)
    """What each user's session holds as working history, mirrored, so floors send the same messages."""
    mode: str = "memory"
    _cycle: Iterator[str] | None = None

    @property
    def mcp_url(self) -> str:
        return f"{self.everything.url}/mcp"

    def label(self, text: str) -> str:
        """A measure's name, marked with the state mode when it is not the default."""
        return text if self.mode == "memory" else f"{text} [{self.mode}]"

    def key(self, text: str) -> str:
        return text if self.mode == "memory" else f"{text}@{self.mode}"

    def params(self, *, tools: bool) -> ModelRequestParameters:
        return ModelRequestParameters(function_tools=self.tool_defs if tools else [])

    def rotating_users(self) -> Callable[[], str]:
        """Each call gives the next benchmark user's email, round robin, continuing across measures."""
        return lambda: next(self._rotation)

    @property
    def _rotation(self) -> Iterator[str]:
        if self._cycle is None:
            self._cycle = itertools.cycle(sorted(self.users))
        return self._cycle

    async def connect(self, email: str) -> dict[str, Any]:
        """(Re)connect one user to the model and server-everything; the session's history starts empty."""
        body = await self.api.connect(self.users[email], email, self.model_ref, self.mcp_url)
        self.history[email] = []
        return body

    async def disconnect(self, email: str) -> dict[str, Any]:
        body = await self.api.disconnect(self.users[email], email)
        self.history.pop(email, None)
        return body

    async def connect_users(self, emails: Iterable[str], *, concurrency: int | None = None) -> None:
        """(Re)connect these users, a few at a time."""
        calls = [functools.partial(self.connect, e) for e in emails]
        await bounded(calls, concurrency or self.scale.connect_concurrency)

    async def disconnect_users(self, emails: Iterable[str]) -> None:
        calls = [functools.partial(self.disconnect, e) for e in emails]
        await bounded(calls, self.scale.connect_concurrency)

    async def refresh_long_histories(self) -> None:
        """Reconnect the sessions whose history grew long, so turns stay comparable from measure to measure."""
        await self.connect_users([e for e in self.users if len(self.history.get(e, [])) > REFRESH_AFTER])


async def bounded(calls: Sequence[Callable[[], Awaitable[Any]]], concurrency: int) -> list[Any]:
    """Run the calls at most `concurrency` at a time; the first failure is raised."""
    gate = asyncio.Semaphore(concurrency)

    async def one(call: Callable[[], Awaitable[Any]]) -> Any:
        async with gate:
            return await call()

    return await asyncio.gather(*(one(c) for c in calls))


async def server_tools(mcp_url: str) -> tuple[list[dict[str, Any]], list[ToolDefinition]]:
    """server-everything's tools, as an OpenAI request lists them and as pydantic-ai ToolDefinitions."""
    async with mcp.Client(mcp_url) as client:
        tools = (await client.list_tools()).tools
    openai_tools = [
        {
            "type": "function",
            "function": {"name": t.name, "description": t.description or "", "parameters": t.input_schema},
        }
        for t in tools
    ]
    defs = [
        ToolDefinition(name=t.name, parameters_json_schema=t.input_schema, description=t.description or None)
        for t in tools
    ]
    return openai_tools, defs


def floor_model(llm_url: str) -> OpenAIChatModel:
    """pydantic-ai's model layer on the fake LLM, as llmchat builds it for an openai_compatible provider."""
    return OpenAIChatModel(MODEL_ID, provider=OpenAIProvider(base_url=f"{llm_url}/v1", api_key="sk-bench"))
