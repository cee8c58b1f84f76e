"""LLM settings at the service level, on SQLite and PostgreSQL: CRUD, validation, secrets at rest."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

from llmchat.crypto import MASK, SecretBox, generate_key
from llmchat.db import Database
from llmchat.errors import Conflict, InvalidInput, NotFound
from llmchat.llm import service
from llmchat.llm.schemas import ModelCreate, ModelUpdate, ProviderCreate, ProviderUpdate

OPENAI_KEY = "sk-test-plaintext-key-0123456789"
AWS_SECRET = "aws-secret-plaintext-abcdef"


@pytest.fixture
def secrets() -> SecretBox:
    return SecretBox([generate_key()])


@pytest.fixture
async def db(database: Database) -> AsyncIterator[AsyncSession]:
    async with database.session() as session:
        yield session


def openai(name: str = "OpenAI", **extra: object) -> ProviderCreate:
    return ProviderCreate(name=name, provider_type="openai", api_key=OPENAI_KEY, **extra)  # type: ignore[arg-type]


def bedrock(**config: object) -> ProviderCreate:
    values = {"region": "us-east-1", "aws_access_key_id": "AKIAEXAMPLE", "aws_secret_access_key": AWS_SECRET}
    return ProviderCreate(name="Bedrock", provider_type="bedrock", config=values | config)


async def test_provider_crud_round_trip(db: AsyncSession, secrets: SecretBox) -> None:
    created = await service.create_provider(db, secrets, openai(default_temperature=0.3, default_model="gpt-4o"))
    assert (created.name, created.slug, created.provider_type) == ("OpenAI", "openai", "openai")
    assert created.api_key == MASK
    assert created.default_temperature == 0.3
    assert created.enabled and created.health_status == "unknown"

    fetched = await service.get_provider(db, secrets, created.id)
    assert fetched == created

    updated = await service.update_provider(
        db, secrets, created.id, ProviderUpdate(name="OpenAI Work", default_temperature=0)
    )
    assert (updated.name, updated.slug, updated.default_temperature) == ("OpenAI Work", "openai-work", 0)
    assert updated.default_model == "gpt-4o"

    await service.delete_provider(db, created.id)
    with pytest.raises(NotFound, match=created.id):
        await service.get_provider(db, secrets, created.id)


async def test_duplicate_names_conflict_and_slugs_stay_unique(db: AsyncSession, secrets: SecretBox) -> None:
    first = await service.create_provider(db, secrets, openai())
    with pytest.raises(Conflict, match=re.escape("A provider named 'openai' already exists.")):
        await service.create_provider(db, secrets, openai("openai"))
    second = await service.create_provider(db, secrets, openai("OpenAI!"))
    assert (first.slug, second.slug) == ("openai", "openai-2")
    with pytest.raises(Conflict, match="already exists"):
        await service.update_provider(db, secrets, second.id, ProviderUpdate(name="OPENAI"))


async def test_unknown_ids_are_not_found(db: AsyncSession, secrets: SecretBox) -> None:
    with pytest.raises(NotFound):
        await service.update_provider(db, secrets, "nope", ProviderUpdate(enabled=False))
    with pytest.raises(NotFound):
        await service.delete_model(db, "nope")
    with pytest.raises(NotFound, match="No provider with id 'nope'"):
        await service.create_model(db, ModelCreate(provider_id="nope", model_id="gpt-4o"))


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (ProviderCreate(name="X", provider_type="nope"), "Unknown provider_type 'nope'. Known types: anthropic, "),
        (ProviderCreate(name="X", provider_type="bedrock"), "config.region is required for provider type bedrock"),
        (ProviderCreate(name="X", provider_type="openai"), "api_key is required for provider type openai"),
        (
            ProviderCreate(name="X", provider_type="openai_compatible"),
            "api_base is required for provider type openai_compatible",
        ),
        (ProviderCreate(name="X", provider_type="ollama", api_base="localhost:11434"), "api_base: not a valid"),
        (ProviderCreate(name="X", provider_type="ollama", api_base="http://"), "api_base: not a valid http(s) URL"),
        (
            ProviderCreate(name="X", provider_type="ollama", config={"colour": "red"}),
            "Unknown config field(s) for provider type ollama: colour.",
        ),
        (
            ProviderCreate(name="X", provider_type="openai_compatible", api_base="http://h", config={"headers": "{"}),
            "config.headers: not valid JSON",
        ),
    ],
)
async def test_invalid_providers_are_refused_naming_the_field(
    db: AsyncSession, secrets: SecretBox, data: ProviderCreate, message: str
) -> None:
    with pytest.raises(InvalidInput) as refused:
        await service.create_provider(db, secrets, data)
    assert message in refused.value.message


async def test_secrets_are_encrypted_at_rest_and_masked(
    db: AsyncSession, secrets: SecretBox, database_url: str, tmp_path: Path
) -> None:
    key_provider = await service.create_provider(db, secrets, openai())
    aws = await service.create_provider(db, secrets, bedrock())
    assert aws.api_key is None
    assert aws.config == {"region": "us-east-1", "aws_access_key_id": "AKIAEXAMPLE", "aws_secret_access_key": MASK}
    listed = await service.list_providers(db, secrets)
    assert {p.api_key for p in listed.items} == {MASK, None}
    assert AWS_SECRET not in listed.model_dump_json() and OPENAI_KEY not in listed.model_dump_json()

    rows = (await db.execute(text("SELECT * FROM llm_providers"))).all()
    raw = repr(rows)
    assert OPENAI_KEY not in raw and AWS_SECRET not in raw
    if database_url.startswith("sqlite"):
        stored = b"".join(p.read_bytes() for p in tmp_path.glob("test.db*"))
        assert OPENAI_KEY.encode() not in stored and AWS_SECRET.encode() not in stored

    connection = service.connection_for(await service.load_provider(db, key_provider.id), secrets=secrets)
    assert connection.api_key == OPENAI_KEY
    assert connection.api_base == "https://api.openai.com/v1"
    aws_connection = service.connection_for(await service.load_provider(db, aws.id), secrets=secrets)
    assert aws_connection.config["aws_secret_access_key"] == AWS_SECRET


async def test_patch_with_the_mask_keeps_secrets(db: AsyncSession, secrets: SecretBox) -> None:
    created = await service.create_provider(db, secrets, bedrock())
    sent_back = created.config | {"region": "eu-west-1"}
    updated = await service.update_provider(db, secrets, created.id, ProviderUpdate(config=sent_back))
    assert updated.config["region"] == "eu-west-1" and updated.config["aws_secret_access_key"] == MASK
    conn = service.connection_for(await service.load_provider(db, created.id), secrets=secrets)
    assert conn.config["aws_secret_access_key"] == AWS_SECRET

    removed = await service.update_provider(db, secrets, created.id, ProviderUpdate(config={"aws_session_token": None}))
    assert "aws_session_token" not in removed.config
    with pytest.raises(InvalidInput, match=r"config\.region is required"):
        await service.update_provider(db, secrets, created.id, ProviderUpdate(config={"region": ""}))

    keyed = await service.create_provider(db, secrets, openai())
    await service.update_provider(db, secrets, keyed.id, ProviderUpdate(api_key=MASK, api_version="2024-10-01"))
    conn = service.connection_for(await service.load_provider(db, keyed.id), secrets=secrets)
    assert (conn.api_key, conn.api_version) == (OPENAI_KEY, "2024-10-01")
    with pytest.raises(InvalidInput, match="api_key is required"):
        await service.update_provider(db, secrets, keyed.id, ProviderUpdate(api_key=""))


async def test_pagination_and_enable_disable(db: AsyncSession, secrets: SecretBox) -> None:
    for name in ("C", "A", "B"):
        await service.create_provider(db, secrets, openai(name))
    page = await service.list_providers(db, secrets, limit=2, offset=1)
    assert ([p.name for p in page.items], page.total, page.limit, page.offset) == (["B", "C"], 3, 2, 1)

    disabled = await service.set_provider_enabled(db, secrets, page.items[0].id, False)
    assert not disabled.enabled
    assert (await service.set_provider_enabled(db, secrets, disabled.id, True)).enabled


async def test_model_crud_round_trip(db: AsyncSession, secrets: SecretBox) -> None:
    provider = await service.create_provider(db, secrets, openai())
    model = await service.create_model(db, ModelCreate(provider_id=provider.id, model_id="gpt-4o", context_window=128))
    assert (model.model_name, model.ref, model.provider_name) == ("gpt-4o", "openai/gpt-4o", "OpenAI")
    assert model.supports_chat and model.supports_function_calling and not model.supports_vision

    with pytest.raises(Conflict, match=re.escape("Model 'gpt-4o' is already added to provider 'OpenAI'.")):
        await service.create_model(db, ModelCreate(provider_id=provider.id, model_id="gpt-4o"))

    changed = await service.update_model(
        db, model.id, ModelUpdate(model_name="GPT-4o", model_alias="smart", supports_vision=True)
    )
    assert (changed.model_name, changed.model_alias, changed.supports_vision) == ("GPT-4o", "smart", True)
    assert changed.context_window == 128
    assert not (await service.set_model_enabled(db, model.id, False)).enabled
    assert (await service.get_model(db, model.id)).model_alias == "smart"

    other = await service.create_model(db, ModelCreate(provider_id=provider.id, model_id="gpt-4o-mini"))
    with pytest.raises(Conflict, match="alias 'smart' is already used"):
        await service.update_model(db, other.id, ModelUpdate(model_alias="smart"))
    page = await service.list_models(db, provider_id=provider.id, limit=1)
    assert ([m.model_id for m in page.items], page.total) == (["gpt-4o"], 2)

    await service.delete_model(db, model.id)
    with pytest.raises(NotFound):
        await service.get_model(db, model.id)
    await service.delete_provider(db, provider.id)
    with pytest.raises(NotFound):
        await service.get_model(db, other.id)


async def test_gateway_models_are_enabled_models_of_enabled_providers(db: AsyncSession, secrets: SecretBox) -> None:
    on = await service.create_provider(db, secrets, openai("On"))
    off = await service.create_provider(db, secrets, openai("Off", enabled=False))
    await service.create_model(db, ModelCreate(provider_id=on.id, model_id="visible"))
    await service.create_model(db, ModelCreate(provider_id=on.id, model_id="disabled", enabled=False))
    await service.create_model(db, ModelCreate(provider_id=off.id, model_id="hidden"))

    listing = await service.list_gateway_models(db)
    assert listing.count == 1
    assert listing.models[0].model_dump(exclude={"id", "provider_id"}) == {
        "model_id": "visible",
        "model_name": "visible",
        "provider_name": "On",
        "provider_type": "openai",
        "supports_streaming": True,
        "supports_function_calling": True,
        "supports_vision": False,
    }
