"""First start adds the providers found in the environment, once per installation."""

from __future__ import annotations

import logging
import time
from pathlib import Path

import pytest

from llmchat.llm import service
from llmchat.services import Services
from llmchat.settings import Settings
from tests.fakes.ollama import FakeOllama
from tests.fakes.openai import FakeOpenAI
from tests.fixtures.app import free_port, make_settings

OPENAI_KEY = "sk-from-the-environment-123"
ANTHROPIC_KEY = "sk-ant-from-the-environment-456"


@pytest.fixture(autouse=True)
def clean_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("OPENAI_API_KEY", "OPENAI_BASE_URL", "ANTHROPIC_API_KEY", "ANTHROPIC_BASE_URL"):
        monkeypatch.delenv(name, raising=False)


async def providers_after_start(settings: Settings) -> dict[str, list[str]]:
    """Start the services as the app does; provider name -> its model ids."""
    services = await Services.start(settings)
    try:
        async with services.db.session() as db:
            providers = (await service.list_providers(db, services.secrets)).items
            models = (await service.list_models(db)).items
    finally:
        await services.stop()
    return {p.name: [m.model_id for m in models if m.provider_id == p.id] for p in providers}


async def test_providers_come_from_the_environment_once(
    tmp_path: Path,
    database_url: str,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
    fake_openai: FakeOpenAI,
    fake_ollama: FakeOllama,
) -> None:
    fake_openai.require_key(OPENAI_KEY)
    monkeypatch.setenv("OPENAI_API_KEY", OPENAI_KEY)
    monkeypatch.setenv("OPENAI_BASE_URL", f"{fake_openai.url}/v1")
    settings = make_settings(tmp_path, database_url, bootstrap_providers=True, ollama_url=fake_ollama.url)
    caplog.set_level(logging.DEBUG)

    first = await providers_after_start(settings)

    assert first == {"OpenAI": [], "Ollama": ["llama3.2:latest", "qwen2.5:7b"]}
    assert OPENAI_KEY not in caplog.text
    services = await Services.start(settings.model_copy(update={"bootstrap_providers": False}))
    try:
        async with services.db.session() as db:
            openai = await service.find_provider(db, "openai")
            connection = service.connection_for(openai, secrets=services.secrets)
    finally:
        await services.stop()
    assert (connection.api_key, connection.api_base) == (OPENAI_KEY, f"{fake_openai.url}/v1")

    monkeypatch.setenv("ANTHROPIC_API_KEY", ANTHROPIC_KEY)
    assert await providers_after_start(settings) == first


async def test_an_absent_ollama_or_a_bad_variable_does_not_hold_start_up(
    tmp_path: Path, sqlite_url: str, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    monkeypatch.setenv("ANTHROPIC_API_KEY", ANTHROPIC_KEY)
    monkeypatch.setenv("OPENAI_API_KEY", OPENAI_KEY)
    monkeypatch.setenv("OPENAI_BASE_URL", "not a url")
    settings = make_settings(
        tmp_path, sqlite_url, bootstrap_providers=True, ollama_url=f"http://127.0.0.1:{free_port()}"
    )
    started = time.monotonic()
    assert await providers_after_start(settings) == {"Anthropic": []}
    assert time.monotonic() - started < 5
    assert "Provider OpenAI from the environment was not added: api_base: not a valid http(s) URL" in caplog.text
    assert OPENAI_KEY not in caplog.text and ANTHROPIC_KEY not in caplog.text


async def test_nothing_is_added_when_bootstrapping_is_off(
    tmp_path: Path, sqlite_url: str, monkeypatch: pytest.MonkeyPatch, fake_ollama: FakeOllama
) -> None:
    monkeypatch.setenv("OPENAI_API_KEY", OPENAI_KEY)
    settings = make_settings(tmp_path, sqlite_url, bootstrap_providers=False, ollama_url=fake_ollama.url)
    assert await providers_after_start(settings) == {}
