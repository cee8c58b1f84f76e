"""Anthropic: the Messages API, JSON and the SSE event sequence, tool input streamed as JSON deltas."""

from __future__ import annotations

from pydantic_ai.messages import TextPart, ToolCallPart

from llmchat.llm.factory import build_model, model_settings
from llmchat.llm.providers import REGISTRY
from tests.fakes.anthropic import FakeAnthropic
from tests.fakes.replies import Call, Text, ToolCalls
from tests.llm.chat_requests import ask, ask_streaming
from tests.llm.fake_connections import KEY, connect


async def test_a_chat_request_carries_the_key_model_and_settings(fake_anthropic: FakeAnthropic) -> None:
    conn = connect("anthropic", fake_anthropic.url)
    fake_anthropic.script(Text("Bonjour."))

    response = await ask(build_model(conn, "claude-sonnet-4-6"), model_settings(conn, temperature=0.2, max_tokens=40))

    assert response.parts == [TextPart(content="Bonjour.")]
    assert (response.usage.input_tokens, response.usage.output_tokens) == (10, 1)
    sent = fake_anthropic.requests[-1]
    assert (sent.method, sent.path) == ("POST", "/v1/messages")
    assert sent.headers["authorization"] == f"Bearer {KEY}"  # how the installed SDK sends the key
    assert sent.headers["anthropic-version"]
    assert (sent.json["model"], sent.json["temperature"], sent.json["max_tokens"]) == ("claude-sonnet-4-6", 0.2, 40)
    assert sent.json["tools"][0]["name"] == "echo"


async def test_a_streamed_tool_call_becomes_a_tool_call_part(fake_anthropic: FakeAnthropic) -> None:
    fake_anthropic.script(ToolCalls([Call("echo", {"text": "ping"}, id="toolu_01")], text="Checking."))

    response = await ask_streaming(build_model(connect("anthropic", fake_anthropic.url), "claude-sonnet-4-6"))

    assert response.parts == [
        TextPart(content="Checking."),
        ToolCallPart(tool_name="echo", args='{"text": "ping"}', tool_call_id="toolu_01"),
    ]
    assert response.usage.output_tokens == 2
    assert fake_anthropic.requests[-1].json["stream"] is True


async def test_a_streamed_answer_arrives_chunk_by_chunk(fake_anthropic: FakeAnthropic) -> None:
    fake_anthropic.script(Text("one two three"))

    response = await ask_streaming(build_model(connect("anthropic", fake_anthropic.url), "claude-haiku-4-5"))

    assert response.parts == [TextPart(content="one two three")]
    assert response.usage.output_tokens == 3


async def test_discovery_sends_the_api_key_and_version_headers(fake_anthropic: FakeAnthropic) -> None:
    models = await REGISTRY["anthropic"].list_models(connect("anthropic", fake_anthropic.url))

    assert [(m.model_id, m.supports_vision) for m in models] == [(m, True) for m in fake_anthropic.models]
    sent = fake_anthropic.requests[-1]
    assert (sent.path, sent.headers["x-api-key"], sent.headers["anthropic-version"]) == (
        "/v1/models",
        KEY,
        "2023-06-01",
    )
