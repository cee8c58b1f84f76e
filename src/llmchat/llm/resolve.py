"""From what a user typed as the model to the configured model and a connection to its provider."""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from llmchat.crypto import SecretBox
from llmchat.db import LLMModel, LLMProvider
from llmchat.errors import InvalidInput
from llmchat.llm.provider_config import connection_for
from llmchat.llm.providers.base import ProviderConnection

_LISTED = 10


@dataclass(frozen=True)
class ResolvedModel:
    """A usable model: what the chat engine needs to build it (`build_model(connection, model_id)`)."""

    id: str
    model_id: str
    model_name: str
    ref: str
    provider_id: str
    provider_name: str
    provider_slug: str
    provider_type: str
    supports_streaming: bool
    supports_function_calling: bool
    supports_vision: bool
    context_window: int | None
    max_output_tokens: int | None
    connection: ProviderConnection = field(repr=False)


async def resolve_model(
    db: AsyncSession, ref: str, *, secrets: SecretBox, request_timeout: float = 10.0
) -> ResolvedModel:
    """Find the model `ref` names: its id, `provider-slug/model_id`, its alias, or a model_id unique among
    usable models. Raises InvalidInput (400) naming the model when it is unknown, disabled or ambiguous."""
    ref = ref.strip()
    candidates = await _candidates(db, ref) if ref else []
    if not candidates:
        raise InvalidInput(f"Unknown model '{ref}'. {await _available(db)}")
    usable = [m for m in candidates if _usable(m)]
    if len(usable) > 1:
        names = ", ".join(sorted(_ref(m) for m in usable))
        raise InvalidInput(f"Model '{ref}' is ambiguous; it matches {names}. Use one of these.")
    if not usable:
        raise InvalidInput(_why_unusable(candidates[0]))
    model, provider = usable[0], usable[0].provider
    return ResolvedModel(
        id=model.id,
        model_id=model.model_id,
        model_name=model.model_name,
        ref=_ref(model),
        provider_id=provider.id,
        provider_name=provider.name,
        provider_slug=provider.slug,
        provider_type=provider.provider_type,
        supports_streaming=model.supports_streaming,
        supports_function_calling=model.supports_function_calling,
        supports_vision=model.supports_vision,
        context_window=model.context_window,
        max_output_tokens=model.max_output_tokens,
        connection=connection_for(provider, secrets=secrets, timeout=request_timeout),
    )


async def _candidates(db: AsyncSession, ref: str) -> list[LLMModel]:
    """The models `ref` may mean, trying the most specific reading first."""
    by_id = await db.get(LLMModel, ref)
    if by_id is not None:
        return [by_id]
    query = select(LLMModel).join(LLMModel.provider)
    if "/" in ref:
        slug, _, model_id = ref.partition("/")
        found = list(await db.scalars(query.where(LLMProvider.slug == slug, LLMModel.model_id == model_id)))
        if found:
            return found
    found = list(await db.scalars(query.where(LLMModel.model_alias == ref)))
    if found:
        return found
    return list(await db.scalars(query.where(LLMModel.model_id == ref).order_by(LLMProvider.slug)))


def _usable(model: LLMModel) -> bool:
    return model.enabled and model.supports_chat and model.provider.enabled


def _ref(model: LLMModel) -> str:
    return f"{model.provider.slug}/{model.model_id}"


def _why_unusable(model: LLMModel) -> str:
    if not model.provider.enabled:
        return f"Model '{_ref(model)}' cannot be used: its provider '{model.provider.name}' is disabled."
    if not model.enabled:
        return f"Model '{_ref(model)}' is disabled."
    return f"Model '{_ref(model)}' does not support chat."


async def _available(db: AsyncSession) -> str:
    rows = list(
        await db.scalars(
            select(LLMModel)
            .join(LLMModel.provider)
            .where(LLMModel.enabled, LLMModel.supports_chat, LLMProvider.enabled)
            .order_by(LLMProvider.slug, LLMModel.model_id)
            .limit(_LISTED + 1)
        )
    )
    if not rows:
        return "No models are available yet; an administrator can add them in the LLM settings."
    more = " …" if len(rows) > _LISTED else ""
    return f"Available: {', '.join(_ref(m) for m in rows[:_LISTED])}{more}."
