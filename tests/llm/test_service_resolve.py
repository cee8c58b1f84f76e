"""How the chat engine finds a model from what the user typed, on SQLite and PostgreSQL."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator

import pytest
from sqlalchemy.ext.asyncio import AsyncSession

from llmchat.crypto import SecretBox, generate_key
from llmchat.db import Database
from llmchat.errors import InvalidInput
from llmchat.llm import service
from llmchat.llm.schemas import ModelCreate, ModelOut, ProviderCreate

SECRETS = SecretBox([generate_key()])


@pytest.fixture
async def db(database_url: str) -> AsyncIterator[AsyncSession]:
    """Two providers that both offer `llama3`; OpenAI also offers `gpt-4o` (alias `smart`)."""
    database = Database(database_url)
    await database.upgrade()
    async with database.session() as session:
        openai = await service.create_provider(
            session, SECRETS, ProviderCreate(name="OpenAI", provider_type="openai", api_key="sk-1")
        )
        local = await service.create_provider(
            session, SECRETS, ProviderCreate(name="Local", provider_type="ollama", api_base="http://127.0.0.1:1")
        )
        for provider, model_id, alias in (
            (openai, "gpt-4o", "smart"),
            (openai, "llama3", None),
            (local, "llama3", None),
        ):
            await service.create_model(
                session, ModelCreate(provider_id=provider.id, model_id=model_id, model_alias=alias)
            )
        yield session
    await database.dispose()


async def model(db: AsyncSession, ref: str) -> ModelOut:
    page = await service.list_models(db)
    return next(m for m in page.items if m.ref == ref)


@pytest.mark.parametrize("how", ["id", "ref", "alias", "bare"])
async def test_a_model_is_found_by_id_ref_alias_or_unique_model_id(db: AsyncSession, how: str) -> None:
    gpt = await model(db, "openai/gpt-4o")
    ref = {"id": gpt.id, "ref": "openai/gpt-4o", "alias": "smart", "bare": "gpt-4o"}[how]

    resolved = await service.resolve_model(db, ref, secrets=SECRETS, request_timeout=3)

    assert (resolved.id, resolved.model_id, resolved.ref, resolved.provider_type) == (
        gpt.id,
        "gpt-4o",
        "openai/gpt-4o",
        "openai",
    )
    assert resolved.connection.api_key == "sk-1"
    assert resolved.connection.timeout == 3


async def test_an_ambiguous_model_id_lists_the_candidates(db: AsyncSession) -> None:
    with pytest.raises(InvalidInput, match="'llama3' is ambiguous; it matches local/llama3, openai/llama3"):
        await service.resolve_model(db, "llama3", secrets=SECRETS)
    resolved = await service.resolve_model(db, "local/llama3", secrets=SECRETS)
    assert resolved.connection.api_base == "http://127.0.0.1:1"


async def test_an_unknown_model_lists_what_is_available(db: AsyncSession) -> None:
    with pytest.raises(InvalidInput, match=r"Unknown model 'gpt-5'\. Available: local/llama3, openai/gpt-4o"):
        await service.resolve_model(db, "gpt-5", secrets=SECRETS)


async def test_disabled_models_and_providers_are_refused_by_name(db: AsyncSession) -> None:
    gpt = await model(db, "openai/gpt-4o")
    await service.set_model_enabled(db, gpt.id, False)
    with pytest.raises(InvalidInput, match=re.escape("Model 'openai/gpt-4o' is disabled.")):
        await service.resolve_model(db, "smart", secrets=SECRETS)

    await service.set_provider_enabled(db, SECRETS, gpt.provider_id, False)
    with pytest.raises(InvalidInput, match="its provider 'OpenAI' is disabled"):
        await service.resolve_model(db, "openai/llama3", secrets=SECRETS)
    # With OpenAI disabled, the bare id is no longer ambiguous.
    assert (await service.resolve_model(db, "llama3", secrets=SECRETS)).ref == "local/llama3"
