"""Gemini API (key in `x-goog-api-key`) and Vertex AI (service account → OAuth token → project/location paths)."""

from __future__ import annotations

from dataclasses import replace
from urllib.parse import parse_qs

from pydantic_ai.messages import TextPart, ToolCallPart

from llmchat.llm.factory import build_model, model_settings
from llmchat.llm.providers import REGISTRY
from tests.fakes.gemini import ACCESS_TOKEN, FakeGemini
from tests.fakes.replies import Call, Text, ToolCalls
from tests.llm.chat_requests import ask, ask_streaming
from tests.llm.fake_connections import KEY, connect


async def test_gemini_chat_carries_the_key_model_and_settings(fake_gemini: FakeGemini) -> None:
    conn = connect("google", fake_gemini.url)
    fake_gemini.script(Text("Ciao."))

    response = await ask(build_model(conn, "gemini-2.5-flash"), model_settings(conn, temperature=0.4, max_tokens=60))

    assert response.parts == [TextPart(content="Ciao.")]
    sent = fake_gemini.requests[-1]
    assert sent.path == "/v1beta/models/gemini-2.5-flash:generateContent"
    assert sent.headers["x-goog-api-key"] == KEY
    assert sent.json["generationConfig"]["temperature"] == 0.4
    assert sent.json["generationConfig"]["maxOutputTokens"] == 60
    assert sent.json["tools"][0]["functionDeclarations"][0]["name"] == "echo"


async def test_gemini_streams_over_sse(fake_gemini: FakeGemini) -> None:
    fake_gemini.script(Text("one two three"), ToolCalls([Call("echo", {"text": "ping"})]))
    model = build_model(connect("google", fake_gemini.url), "gemini-2.5-flash")

    text = await ask_streaming(model)
    tool = await ask_streaming(model)

    assert text.parts == [TextPart(content="one two three")]
    assert [(p.tool_name, p.args_as_dict()) for p in tool.parts if isinstance(p, ToolCallPart)] == [
        ("echo", {"text": "ping"})
    ]
    sent = fake_gemini.requests[-1]
    assert (sent.path, sent.query) == ("/v1beta/models/gemini-2.5-flash:streamGenerateContent", {"alt": "sse"})


async def test_vertex_gets_a_token_for_the_service_account_and_uses_project_paths(fake_gemini: FakeGemini) -> None:
    vertex = connect("google_vertex", fake_gemini.url)
    conn = replace(vertex, config=vertex.config | {"location": "asia-east1"})  # a connection no other test made
    fake_gemini.script(Text("From Vertex."))

    response = await ask_streaming(build_model(conn, "gemini-2.5-flash"), model_settings(conn, temperature=0.3))

    assert response.parts == [TextPart(content="From Vertex.")]
    token, chat = fake_gemini.requests
    assert token.path == "/token"
    assert parse_qs(token.body.decode())["grant_type"] == ["urn:ietf:params:oauth:grant-type:jwt-bearer"]
    assert chat.path == (
        "/v1beta1/projects/llmchat-test/locations/asia-east1/publishers/google/models/"
        "gemini-2.5-flash:streamGenerateContent"
    )
    assert chat.headers["authorization"] == f"Bearer {ACCESS_TOKEN}"
    assert chat.json["generationConfig"]["temperature"] == 0.3


async def test_vertex_discovery_lists_google_publisher_models(fake_gemini: FakeGemini) -> None:
    models = await REGISTRY["google_vertex"].list_models(connect("google_vertex", fake_gemini.url))

    assert [m.model_id for m in models] == fake_gemini.models
    assert fake_gemini.requests[-1].path == "/v1beta1/publishers/google/models"
