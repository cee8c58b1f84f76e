"""LLM settings: providers and their models in the database, for the admin API and the CLI alike.

Every function takes the caller's database session and commits its own change. Provider functions also
take the SecretBox, since API keys and secret config fields are stored encrypted and shown masked.
"""

from __future__ import annotations

import re

from sqlalchemy import Select, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from llmchat.crypto import MASK, SecretBox
from llmchat.db import LLMModel, LLMProvider
from llmchat.errors import Conflict, NotFound
from llmchat.llm.provider_config import (
    check_required,
    clean_api_base,
    connection_for,
    decrypt_config,
    encrypt_config,
    merge_config,
    provider_type,
    provider_view,
)
from llmchat.llm.providers import REGISTRY
from llmchat.llm.resolve import ResolvedModel, resolve_model
from llmchat.llm.schemas import (
    ConfigFieldOut,
    GatewayModel,
    GatewayModels,
    ModelCreate,
    ModelOut,
    ModelUpdate,
    ProviderCreate,
    ProviderOut,
    ProviderTypeList,
    ProviderTypeOut,
    ProviderUpdate,
)
from llmchat.pagination import DEFAULT_LIMIT, Page, fetch_page

__all__ = [
    "ResolvedModel",
    "connection_for",
    "create_model",
    "create_provider",
    "delete_model",
    "delete_provider",
    "find_provider",
    "get_model",
    "get_provider",
    "list_gateway_models",
    "list_models",
    "list_provider_types",
    "list_providers",
    "load_provider",
    "model_view",
    "resolve_model",
    "set_model_enabled",
    "set_provider_enabled",
    "update_model",
    "update_provider",
]

# Providers


async def list_providers(
    db: AsyncSession, secrets: SecretBox, *, limit: int = DEFAULT_LIMIT, offset: int = 0
) -> Page[ProviderOut]:
    query = select(LLMProvider).order_by(LLMProvider.name)
    return await fetch_page(db, query, lambda p: provider_view(p, secrets), limit=limit, offset=offset)


async def load_provider(db: AsyncSession, provider_id: str) -> LLMProvider:
    """The provider row; 404 when there is none with this id."""
    provider = await db.get(LLMProvider, provider_id)
    if provider is None:
        raise NotFound(f"No provider with id '{provider_id}'.")
    return provider


async def find_provider(db: AsyncSession, ref: str) -> LLMProvider:
    """The provider with this id, slug or name (any case), for people typing at the CLI."""
    provider = await db.get(LLMProvider, ref) or await db.scalar(
        select(LLMProvider).where((LLMProvider.slug == ref) | (func.lower(LLMProvider.name) == ref.lower()))
    )
    if provider is None:
        raise NotFound(f"No provider named '{ref}'.")
    return provider


async def get_provider(db: AsyncSession, secrets: SecretBox, provider_id: str) -> ProviderOut:
    return provider_view(await load_provider(db, provider_id), secrets)


async def create_provider(db: AsyncSession, secrets: SecretBox, data: ProviderCreate) -> ProviderOut:
    """Add a provider after checking its settings against its type; secrets are stored encrypted."""
    ptype = provider_type(data.provider_type)
    api_base = clean_api_base(data.api_base)
    api_key = (data.api_key or "").strip()
    api_key = "" if api_key == MASK else api_key
    check_required(ptype, api_base=api_base, has_api_key=bool(api_key))
    clear, secret = merge_config(ptype, data.config)
    await _ensure_name_free(db, data.name)
    provider = LLMProvider(
        name=data.name,
        slug=await _unique_slug(db, data.name),
        provider_type=ptype.name,
        api_base=api_base,
        api_key_enc=secrets.encrypt(api_key) if api_key else None,
        api_version=data.api_version or None,
        config=clear,
        config_secrets_enc=encrypt_config(secrets, secret),
        default_model=data.default_model or None,
        default_temperature=data.default_temperature,
        default_max_tokens=data.default_max_tokens,
        enabled=data.enabled,
    )
    db.add(provider)
    await _commit(db, Conflict(f"A provider named '{data.name}' already exists."))
    return provider_view(provider, secrets)


async def update_provider(db: AsyncSession, secrets: SecretBox, provider_id: str, data: ProviderUpdate) -> ProviderOut:
    """Change the fields that were sent; a secret sent back as '*****' keeps its stored value."""
    provider = await load_provider(db, provider_id)
    ptype = provider_type(provider.provider_type)
    sent = data.model_fields_set
    if data.name is not None and data.name != provider.name:
        await _ensure_name_free(db, data.name, exclude_id=provider.id)
        provider.name = data.name
        provider.slug = await _unique_slug(db, data.name, exclude_id=provider.id)
    if "api_base" in sent:
        provider.api_base = clean_api_base(data.api_base)
    if "api_key" in sent and data.api_key != MASK:
        api_key = (data.api_key or "").strip()
        provider.api_key_enc = secrets.encrypt(api_key) if api_key else None
    if data.config is not None:
        clear, secret = merge_config(ptype, data.config, provider.config, decrypt_config(secrets, provider))
        provider.config = clear
        provider.config_secrets_enc = encrypt_config(secrets, secret)
    for name in ("api_version", "default_model"):
        if name in sent:
            setattr(provider, name, getattr(data, name) or None)
    for name in ("default_temperature", "default_max_tokens"):
        if name in sent:
            setattr(provider, name, getattr(data, name))
    if data.enabled is not None:
        provider.enabled = data.enabled
    check_required(ptype, api_base=provider.api_base, has_api_key=bool(provider.api_key_enc))
    await _commit(db, Conflict(f"A provider named '{provider.name}' already exists."))
    return provider_view(provider, secrets)


async def set_provider_enabled(db: AsyncSession, secrets: SecretBox, provider_id: str, enabled: bool) -> ProviderOut:
    provider = await load_provider(db, provider_id)
    provider.enabled = enabled
    await db.commit()
    return provider_view(provider, secrets)


async def delete_provider(db: AsyncSession, provider_id: str) -> None:
    """Remove the provider and, with it, its models."""
    await db.delete(await load_provider(db, provider_id))
    await db.commit()


def list_provider_types() -> ProviderTypeList:
    """Every provider type with the fields its form needs."""
    return ProviderTypeList(
        types=[
            ProviderTypeOut(
                name=t.name,
                label=t.label,
                needs_api_key=t.needs_api_key,
                needs_api_base=t.needs_api_base,
                default_api_base=t.default_api_base,
                fields=[
                    ConfigFieldOut(
                        name=f.name,
                        label=f.label,
                        required=f.required,
                        secret=f.secret,
                        default=f.default,
                        help=f.help,
                        kind=f.kind,
                    )
                    for f in t.fields
                ],
            )
            for t in REGISTRY.values()
        ]
    )


# Models


def model_view(model: LLMModel) -> ModelOut:
    provider = model.provider
    return ModelOut(
        id=model.id,
        provider_id=provider.id,
        provider_name=provider.name,
        provider_type=provider.provider_type,
        ref=f"{provider.slug}/{model.model_id}",
        model_id=model.model_id,
        model_name=model.model_name,
        model_alias=model.model_alias,
        supports_chat=model.supports_chat,
        supports_streaming=model.supports_streaming,
        supports_function_calling=model.supports_function_calling,
        supports_vision=model.supports_vision,
        context_window=model.context_window,
        max_output_tokens=model.max_output_tokens,
        enabled=model.enabled,
        created_at=model.created_at,
        updated_at=model.updated_at,
    )


async def list_models(
    db: AsyncSession, *, provider_id: str | None = None, limit: int = DEFAULT_LIMIT, offset: int = 0
) -> Page[ModelOut]:
    """Models ordered by provider then model id, optionally of one provider only."""
    query: Select[LLMModel] = select(LLMModel).join(LLMModel.provider)
    if provider_id is not None:
        await load_provider(db, provider_id)
        query = query.where(LLMModel.provider_id == provider_id)
    query = query.order_by(LLMProvider.name, LLMModel.model_id)
    return await fetch_page(db, query, model_view, limit=limit, offset=offset)


async def _load_model(db: AsyncSession, model_id: str) -> LLMModel:
    model = await db.get(LLMModel, model_id)
    if model is None:
        raise NotFound(f"No model with id '{model_id}'.")
    return model


async def get_model(db: AsyncSession, model_id: str) -> ModelOut:
    return model_view(await _load_model(db, model_id))


async def create_model(db: AsyncSession, data: ModelCreate) -> ModelOut:
    """Add a model to a provider; its model_id is unique within the provider, its alias everywhere."""
    provider = await load_provider(db, data.provider_id)
    await _ensure_model_free(db, provider, data.model_id)
    if data.model_alias:
        await _ensure_alias_free(db, data.model_alias)
    model = LLMModel(
        provider=provider,
        model_id=data.model_id,
        model_name=data.model_name or data.model_id,
        model_alias=data.model_alias,
        supports_chat=data.supports_chat,
        supports_streaming=data.supports_streaming,
        supports_function_calling=data.supports_function_calling,
        supports_vision=data.supports_vision,
        context_window=data.context_window,
        max_output_tokens=data.max_output_tokens,
        enabled=data.enabled,
    )
    db.add(model)
    await _commit(db, Conflict(f"Model '{data.model_id}' is already added to provider '{provider.name}'."))
    return model_view(model)


async def update_model(db: AsyncSession, model_id: str, data: ModelUpdate) -> ModelOut:
    """Change the fields that were sent."""
    model = await _load_model(db, model_id)
    sent = data.model_fields_set
    if data.model_id is not None and data.model_id != model.model_id:
        await _ensure_model_free(db, model.provider, data.model_id)
        model.model_id = data.model_id
    if "model_alias" in sent and data.model_alias != model.model_alias:
        if data.model_alias:
            await _ensure_alias_free(db, data.model_alias)
        model.model_alias = data.model_alias
    for name in ("context_window", "max_output_tokens"):
        if name in sent:
            setattr(model, name, getattr(data, name))
    for name in (
        "model_name",
        "supports_chat",
        "supports_streaming",
        "supports_function_calling",
        "supports_vision",
        "enabled",
    ):
        if getattr(data, name) is not None:
            setattr(model, name, getattr(data, name))
    await _commit(db, Conflict(f"Model '{model.model_id}' is already added to provider '{model.provider.name}'."))
    return model_view(model)


async def set_model_enabled(db: AsyncSession, model_id: str, enabled: bool) -> ModelOut:
    model = await _load_model(db, model_id)
    model.enabled = enabled
    await db.commit()
    return model_view(model)


async def delete_model(db: AsyncSession, model_id: str) -> None:
    await db.delete(await _load_model(db, model_id))
    await db.commit()


async def list_gateway_models(db: AsyncSession) -> GatewayModels:
    """The models users can chat with: enabled chat models of enabled providers."""
    rows = await db.scalars(
        select(LLMModel)
        .join(LLMModel.provider)
        .where(LLMModel.enabled, LLMModel.supports_chat, LLMProvider.enabled)
        .order_by(LLMProvider.name, LLMModel.model_name)
    )
    models = [
        GatewayModel(
            id=m.id,
            model_id=m.model_id,
            model_name=m.model_name,
            provider_id=m.provider.id,
            provider_name=m.provider.name,
            provider_type=m.provider.provider_type,
            supports_streaming=m.supports_streaming,
            supports_function_calling=m.supports_function_calling,
            supports_vision=m.supports_vision,
        )
        for m in rows
    ]
    return GatewayModels(models=models, count=len(models))


# Uniqueness


def _slugify(name: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-") or "provider"


async def _unique_slug(db: AsyncSession, name: str, *, exclude_id: str | None = None) -> str:
    base = _slugify(name)
    query = select(LLMProvider.slug).where(LLMProvider.slug.like(f"{base}%"))
    if exclude_id is not None:
        query = query.where(LLMProvider.id != exclude_id)
    taken = set(await db.scalars(query))
    slug, n = base, 1
    while slug in taken:
        n += 1
        slug = f"{base}-{n}"
    return slug


async def _ensure_name_free(db: AsyncSession, name: str, *, exclude_id: str | None = None) -> None:
    query = select(LLMProvider.id).where(func.lower(LLMProvider.name) == name.lower())
    if exclude_id is not None:
        query = query.where(LLMProvider.id != exclude_id)
    if await db.scalar(query) is not None:
        raise Conflict(f"A provider named '{name}' already exists.")


async def _ensure_model_free(db: AsyncSession, provider: LLMProvider, model_id: str) -> None:
    query = select(LLMModel.id).where(LLMModel.provider_id == provider.id, LLMModel.model_id == model_id)
    if await db.scalar(query) is not None:
        raise Conflict(f"Model '{model_id}' is already added to provider '{provider.name}'.")


async def _ensure_alias_free(db: AsyncSession, alias: str) -> None:
    if await db.scalar(select(LLMModel.id).where(LLMModel.model_alias == alias)) is not None:
        raise Conflict(f"The alias '{alias}' is already used by another model.")


async def _commit(db: AsyncSession, conflict: Conflict) -> None:
    """Commit, turning a unique-constraint race with another writer into the given 409."""
    try:
        await db.commit()
    except IntegrityError:
        await db.rollback()
        raise conflict from None
