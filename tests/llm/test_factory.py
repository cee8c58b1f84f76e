"""The model factory: one model and one connection pool per provider connection, and the request settings."""

from __future__ import annotations

import asyncio

import pytest
from pydantic_ai.messages import TextPart
from pydantic_ai.models.openai import OpenAIChatModel

from llmchat.errors import InvalidInput
from llmchat.llm.factory import build_model, model_settings
from llmchat.llm.providers import ProviderConnection
from tests.fakes.openai import FakeOpenAI
from tests.fakes.replies import Text
from tests.llm.chat_requests import ask
from tests.llm.fake_connections import connect


def chat_model(conn: ProviderConnection, model_id: str) -> OpenAIChatModel:
    model = build_model(conn, model_id)
    assert isinstance(model, OpenAIChatModel)
    return model


async def test_the_same_connection_reuses_its_model_and_connection_pool(fake_openai: FakeOpenAI) -> None:
    conn = connect("openai", fake_openai.url)
    same = connect("openai", fake_openai.url)

    assert build_model(conn, "gpt-4o") is build_model(same, "gpt-4o")
    assert chat_model(conn, "gpt-4o").client is chat_model(conn, "gpt-4o-mini").client
    other_key = connect("openai", fake_openai.url, key="sk-other")
    assert chat_model(conn, "gpt-4o").client is not chat_model(other_key, "gpt-4o").client

    await ask(build_model(conn, "gpt-4o"))
    await ask(build_model(same, "gpt-4o-mini"))
    first, second = fake_openai.requests
    assert first.peer == second.peer, "both requests went over one kept-alive connection"


async def test_another_event_loop_gets_its_own_pool(fake_openai: FakeOpenAI) -> None:
    conn = connect("openai", fake_openai.url)
    fake_openai.script(Text("here"), Text("there"))

    async def elsewhere() -> tuple[object, object]:
        model = chat_model(conn, "gpt-4o")
        return model.client, (await ask(model)).parts

    here = await ask(chat_model(conn, "gpt-4o"))
    client, parts = await asyncio.to_thread(asyncio.run, elsewhere())

    assert here.parts == [TextPart(content="here")] and parts == [TextPart(content="there")]
    assert client is not chat_model(conn, "gpt-4o").client


def test_an_unknown_type_or_missing_setting_is_refused() -> None:
    with pytest.raises(InvalidInput, match="Unknown provider type 'nope'"):
        build_model(ProviderConnection("nope"), "m")
    with pytest.raises(InvalidInput, match=r"The Amazon Bedrock provider needs config\.region\."):
        build_model(ProviderConnection("bedrock"), "amazon.nova-lite-v1:0")


def test_session_settings_override_the_provider_defaults() -> None:
    plain = ProviderConnection("openai", api_key="k")
    with_defaults = ProviderConnection("openai", api_key="k", default_temperature=0.7, default_max_tokens=500)

    assert model_settings(plain) == {}
    assert model_settings(with_defaults) == {"temperature": 0.7, "max_tokens": 500}
    assert model_settings(with_defaults, temperature=0.0, max_tokens=64) == {"temperature": 0.0, "max_tokens": 64}
    assert model_settings(with_defaults, max_tokens=64) == {"temperature": 0.7, "max_tokens": 64}
