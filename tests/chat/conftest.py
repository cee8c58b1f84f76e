"""The chat engine driven directly: a model on a fake provider, tools from the real server-everything."""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass, field

import pytest
from pydantic_ai.messages import ModelMessage

from llmchat.chat.events import Event, Final
from llmchat.chat.turn import ModelSetup, Turn, TurnOptions
from llmchat.llm.factory import build_model
from llmchat.llm.providers.base import ProviderConnection
from llmchat.mcp import McpToolset, ServerSpec
from llmchat.net import REGISTERED_SERVERS
from tests.fakes.anthropic import FakeAnthropic
from tests.fakes.openai import FakeOpenAI

API_KEY = "sk-chat-engine-test-key-0123456789"


def openai_setup(fake: FakeOpenAI, tools: McpToolset | None = None, system_prompt: str | None = None) -> ModelSetup:
    conn = ProviderConnection(provider_type="openai_compatible", api_base=f"{fake.url}/v1", api_key=API_KEY)
    return ModelSetup.build(build_model(conn, "gpt-4o-mini"), None, tools.tools if tools else [], system_prompt)


def anthropic_setup(fake: FakeAnthropic, tools: McpToolset | None = None) -> ModelSetup:
    conn = ProviderConnection(provider_type="anthropic", api_base=fake.url, api_key=API_KEY)
    return ModelSetup.build(build_model(conn, "claude-test"), None, tools.tools if tools else [], None)


@dataclass
class TurnRun:
    """A finished turn: its final event, every event in order, and the messages it added."""

    final: Final
    events: list[Event]
    turn: Turn
    messages: list[ModelMessage] = field(default_factory=list)

    def of_type(self, kind: str) -> list[Event]:
        return [e for e in self.events if e.type == kind]


async def run_turn(
    setup: ModelSetup,
    tools: McpToolset,
    message: str,
    *,
    stream: bool = True,
    history: Sequence[ModelMessage] = (),
    max_steps: int = 5,
    llm_timeout: float = 10.0,
) -> TurnRun:
    events: list[Event] = []
    turn = Turn(
        setup, tools, list(history), message, TurnOptions(max_steps, llm_timeout, stream, "conv"), events.append
    )
    final = await turn.run()
    return TurnRun(final, events, turn, turn.new_messages)


def everything_spec(url: str, name: str = "everything") -> ServerSpec:
    return ServerSpec(name=name, url=url, policy=REGISTERED_SERVERS)


@pytest.fixture
async def everything(everything_http_url: str) -> AsyncIterator[McpToolset]:
    """A toolset with the shared server-everything, over streamable HTTP."""
    toolset = await McpToolset.connect([everything_spec(everything_http_url)], tool_timeout=20)
    yield toolset
    await toolset.close()


@pytest.fixture
def no_tools() -> McpToolset:
    return McpToolset([])
