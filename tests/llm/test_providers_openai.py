"""OpenAI: chat completions with a bearer key, JSON and SSE, tool calls streamed as argument deltas."""

from __future__ import annotations

from pydantic_ai.messages import TextPart, ToolCallPart

from llmchat.llm.factory import build_model, model_settings
from tests.fakes.openai import FakeOpenAI
from tests.fakes.replies import Call, Text, ToolCalls
from tests.llm.chat_requests import ask, ask_streaming
from tests.llm.fake_connections import KEY, connect


async def test_a_chat_request_carries_the_key_model_and_settings(fake_openai: FakeOpenAI) -> None:
    conn = connect("openai", fake_openai.url, default_temperature=0.7)
    fake_openai.script(Text("Hello there, human."))

    response = await ask(build_model(conn, "gpt-4o"), model_settings(conn, max_tokens=50))

    assert response.parts == [TextPart(content="Hello there, human.")]
    assert (response.usage.input_tokens, response.usage.output_tokens) == (10, 3)
    sent = fake_openai.requests[-1]
    assert (sent.method, sent.path) == ("POST", "/v1/chat/completions")
    assert sent.headers["authorization"] == f"Bearer {KEY}"
    assert sent.json["model"] == "gpt-4o"
    assert sent.json["temperature"] == 0.7
    assert sent.json["max_completion_tokens"] == 50
    assert sent.json["stream"] is False
    assert sent.json["tools"][0]["function"]["name"] == "echo"


async def test_a_streamed_answer_arrives_chunk_by_chunk(fake_openai: FakeOpenAI) -> None:
    fake_openai.script(Text("Hello there", chunks=["Hel", "lo ", "there"]))

    response = await ask_streaming(build_model(connect("openai", fake_openai.url), "gpt-4o"))

    assert response.parts == [TextPart(content="Hello there")]
    assert response.usage.output_tokens == 3
    assert fake_openai.requests[-1].json["stream_options"] == {"include_usage": True}


async def test_a_streamed_tool_call_becomes_a_tool_call_part(fake_openai: FakeOpenAI) -> None:
    fake_openai.script(ToolCalls([Call("echo", {"text": "ping"}, id="call_42")], text="Let me check. "))

    response = await ask_streaming(build_model(connect("openai", fake_openai.url), "gpt-4o"))

    assert response.parts == [
        TextPart(content="Let me check. "),
        ToolCallPart(tool_name="echo", args='{"text": "ping"}', tool_call_id="call_42"),
    ]
    assert response.finish_reason == "tool_call"


async def test_a_non_streamed_tool_call_becomes_a_tool_call_part(fake_openai: FakeOpenAI) -> None:
    fake_openai.script(ToolCalls([Call("echo", {"text": "ping"}, id="call_7")]))

    response = await ask(build_model(connect("openai", fake_openai.url), "gpt-4o"))

    assert response.parts == [ToolCallPart(tool_name="echo", args='{"text": "ping"}', tool_call_id="call_7")]
