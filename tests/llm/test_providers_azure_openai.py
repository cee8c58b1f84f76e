"""Azure OpenAI: chat completions on a deployment, `api-version` in the query, the key in the `api-key` header."""

from __future__ import annotations

from pydantic_ai.messages import TextPart, ToolCallPart

from llmchat.llm.factory import build_model, model_settings
from llmchat.llm.providers import REGISTRY
from tests.fakes.openai import FakeOpenAI
from tests.fakes.replies import Call, Text, ToolCalls
from tests.llm.chat_requests import ask, ask_streaming
from tests.llm.fake_connections import KEY, connect


async def test_chats_go_to_the_configured_deployment(fake_openai: FakeOpenAI) -> None:
    conn = connect("azure_openai", fake_openai.url, config={"deployment": "chat-prod"})
    fake_openai.script(Text("Hi from Azure."))

    response = await ask(build_model(conn, "gpt-4o"), model_settings(conn, temperature=0.1, max_tokens=20))

    assert response.parts == [TextPart(content="Hi from Azure.")]
    sent = fake_openai.requests[-1]
    assert sent.path == "/openai/deployments/chat-prod/chat/completions"
    assert sent.meta == {"deployment": "chat-prod", "api_version": "2024-10-21"}
    assert sent.headers["api-key"] == KEY
    assert "authorization" not in sent.headers
    assert (sent.json["temperature"], sent.json["max_completion_tokens"]) == (0.1, 20)


async def test_without_a_deployment_the_model_id_names_it(fake_openai: FakeOpenAI) -> None:
    conn = connect("azure_openai", fake_openai.url, api_version="2025-04-01-preview")
    fake_openai.script(ToolCalls([Call("echo", {"text": "hi"}, id="call_1")]))

    response = await ask_streaming(build_model(conn, "gpt-4o-mini"))

    assert response.parts == [ToolCallPart(tool_name="echo", args='{"text": "hi"}', tool_call_id="call_1")]
    assert fake_openai.requests[-1].meta == {"deployment": "gpt-4o-mini", "api_version": "2025-04-01-preview"}


async def test_the_v1_endpoint_takes_no_api_version(fake_openai: FakeOpenAI) -> None:
    conn = connect("azure_openai", f"{fake_openai.url}/openai/v1")

    await ask(build_model(conn, "gpt-4o"))

    sent = fake_openai.requests[-1]
    assert (sent.path, sent.query) == ("/openai/v1/chat/completions", {})
    assert sent.headers["authorization"] == f"Bearer {KEY}"


async def test_discovery_lists_the_resource_models(fake_openai: FakeOpenAI) -> None:
    models = await REGISTRY["azure_openai"].list_models(connect("azure_openai", fake_openai.url))

    assert [m.model_id for m in models] == fake_openai.models
    sent = fake_openai.requests[-1]
    assert (sent.method, sent.path, sent.query) == ("GET", "/openai/models", {"api-version": "2024-10-21"})
    assert sent.headers["api-key"] == KEY
