"""The types that speak OpenAI chat completions at their own base URL: openai_compatible, groq, mistral, watsonx."""

from __future__ import annotations

import base64

import pytest
from pydantic_ai.messages import TextPart, ToolCallPart

from llmchat.errors import InvalidInput
from llmchat.llm.factory import build_model, model_settings
from llmchat.llm.providers import REGISTRY
from tests.fakes.openai import FakeOpenAI
from tests.fakes.replies import Call, Text, ToolCalls
from tests.llm.chat_requests import ask, ask_streaming
from tests.llm.fake_connections import KEY, connect


@pytest.mark.parametrize(
    ("provider_type", "path"),
    [
        ("openai_compatible", "/v1/chat/completions"),
        ("groq", "/openai/v1/chat/completions"),
        ("mistral", "/v1/chat/completions"),
        ("watsonx", "/ml/gateway/v1/chat/completions"),
    ],
)
async def test_chats_reach_the_base_url_with_the_bearer_key(
    provider_type: str, path: str, fake_openai: FakeOpenAI
) -> None:
    conn = connect(provider_type, fake_openai.url)
    fake_openai.script(Text("Fine, thanks."), ToolCalls([Call("echo", {"text": "x"}, id="call_9")]))

    answer = await ask(build_model(conn, "some-model"), model_settings(conn, temperature=0.5, max_tokens=30))
    streamed = await ask_streaming(build_model(conn, "some-model"))

    assert answer.parts == [TextPart(content="Fine, thanks.")]
    assert streamed.parts == [ToolCallPart(tool_name="echo", args='{"text": "x"}', tool_call_id="call_9")]
    first, second = fake_openai.requests
    assert first.path == second.path == path
    assert first.headers["authorization"] == f"Bearer {KEY}"
    assert (first.json["model"], first.json["temperature"], first.json["max_completion_tokens"]) == (
        "some-model",
        0.5,
        30,
    )
    assert second.json["stream"] is True


async def test_watsonx_chats_name_the_project(fake_openai: FakeOpenAI) -> None:
    await ask(build_model(connect("watsonx", fake_openai.url), "ibm/granite-3-8b-instruct"))

    assert fake_openai.requests[-1].json["project_id"] == "proj-42"


async def test_openai_compatible_sends_custom_headers_and_basic_auth(fake_openai: FakeOpenAI) -> None:
    config = {"headers": '{"X-Team": "research"}', "basic_auth_username": "chat", "basic_auth_password": "s3cret"}
    conn = connect("openai_compatible", fake_openai.url, key=None, config=config)

    await ask(build_model(conn, "qwen2.5"))
    await REGISTRY["openai_compatible"].list_models(conn)

    basic = "Basic " + base64.b64encode(b"chat:s3cret").decode()
    for sent in fake_openai.requests:
        assert sent.headers["authorization"] == basic
        assert sent.headers["x-team"] == "research"


def test_openai_compatible_refuses_headers_that_are_not_a_json_object(fake_openai: FakeOpenAI) -> None:
    conn = connect("openai_compatible", fake_openai.url, config={"headers": "[1, 2]"})

    with pytest.raises(InvalidInput, match=r"config\.headers must be a JSON object"):
        build_model(conn, "qwen2.5")
