"""Ollama: chat through its OpenAI-compatible `/v1`, no key needed; models from its native `/api/tags`."""

from __future__ import annotations

from pydantic_ai.messages import TextPart

from llmchat.llm.factory import build_model
from llmchat.llm.providers import REGISTRY, ProviderConnection
from tests.fakes.ollama import FakeOllama
from tests.fakes.replies import Text
from tests.llm.chat_requests import ask_streaming


async def test_chats_need_no_key(fake_ollama: FakeOllama) -> None:
    conn = ProviderConnection("ollama", api_base=fake_ollama.url)
    fake_ollama.script(Text("Running locally."))

    response = await ask_streaming(build_model(conn, "llama3.2:latest"))

    assert response.parts == [TextPart(content="Running locally.")]
    sent = fake_ollama.requests[-1]
    assert (sent.path, sent.json["model"]) == ("/v1/chat/completions", "llama3.2:latest")


async def test_discovery_reads_the_native_tags(fake_ollama: FakeOllama) -> None:
    models = await REGISTRY["ollama"].list_models(ProviderConnection("ollama", api_base=fake_ollama.url))

    assert [m.model_id for m in models] == ["llama3.2:latest", "qwen2.5:7b"]
    assert fake_ollama.requests[-1].path == "/api/tags"
    assert "authorization" not in fake_ollama.requests[-1].headers
