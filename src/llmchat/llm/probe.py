"""Talking to a configured provider: the health check and model discovery.

Failures come back as reasons a person can act on, with any secret of the provider blanked out.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable
from typing import TypeVar

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from llmchat import metrics
from llmchat.crypto import MASK, SecretBox
from llmchat.db import LLMModel
from llmchat.db.models import utcnow
from llmchat.errors import InvalidInput, LLMChatError, ProviderUnavailable, Timeout
from llmchat.llm.provider_config import connection_for, provider_type
from llmchat.llm.providers.base import DiscoveredModel, ProviderConnection, ProviderType
from llmchat.llm.schemas import DiscoveredModelOut, DiscoverResult, HealthResult, ModelCreate, ModelOut
from llmchat.llm.service import create_model, load_provider

log = logging.getLogger("llmchat.llm")
T = TypeVar("T")

# Extra seconds allowed beyond the connection's own timeout before we stop waiting on the provider type.
_GRACE = 1.0


async def check_provider_health(
    db: AsyncSession, secrets: SecretBox, provider_id: str, *, request_timeout: float
) -> HealthResult:
    """Make a real authenticated request to the provider and store the outcome on its row."""
    provider = await load_provider(db, provider_id)
    ptype = provider_type(provider.provider_type)
    conn = connection_for(provider, secrets=secrets, timeout=request_timeout)
    started = time.perf_counter()
    error: str | None = None
    try:
        await _call(ptype.check_health(conn), ptype, conn, what="answer")
    except LLMChatError as exc:
        error = exc.message
    latency_ms = round((time.perf_counter() - started) * 1000)
    metrics.provider_checked(provider.provider_type, healthy=error is None)
    provider.health_status = "unhealthy" if error else "healthy"
    provider.health_error = error
    provider.health_checked_at = utcnow()
    await db.commit()
    return HealthResult(
        provider_id=provider.id,
        status=provider.health_status,
        healthy=error is None,
        error=error,
        latency_ms=latency_ms,
        checked_at=provider.health_checked_at,
    )


async def discover_models(
    db: AsyncSession, secrets: SecretBox, provider_id: str, *, request_timeout: float, add: bool | list[str] = False
) -> DiscoverResult:
    """List the models the provider offers, marking those already added; add all (`add=True`) or some."""
    provider = await load_provider(db, provider_id)
    ptype = provider_type(provider.provider_type)
    conn = connection_for(provider, secrets=secrets, timeout=request_timeout)
    try:
        offered = await _call(ptype.list_models(conn), ptype, conn, what="list its models")
    except LLMChatError as exc:
        exc.message = f"Could not list the models of '{provider.name}': {exc.message}"
        raise
    existing = set(await db.scalars(select(LLMModel.model_id).where(LLMModel.provider_id == provider.id)))
    models = [_discovered_view(m, already_added=m.model_id in existing) for m in offered]
    added = [await add_discovered_model(db, provider.id, m) for m in models_to_add(models, add, provider.name)]
    return DiscoverResult(provider_id=provider.id, models=models, added=added)


async def add_discovered_model(db: AsyncSession, provider_id: str, model: DiscoveredModelOut) -> ModelOut:
    """Add one model found by discovery, with the capabilities the provider reported."""
    return await create_model(
        db,
        ModelCreate(
            provider_id=provider_id,
            model_id=model.model_id,
            model_name=model.model_name or model.model_id,
            supports_streaming=model.supports_streaming,
            supports_function_calling=model.supports_function_calling,
            supports_vision=model.supports_vision,
            context_window=model.context_window,
            max_output_tokens=model.max_output_tokens,
        ),
    )


def models_to_add(
    models: list[DiscoveredModelOut], add: bool | list[str], provider_name: str
) -> list[DiscoveredModelOut]:
    """The listed models to add now: every new one for `True`, the named new ones for a list."""
    if add is True:
        return [m for m in models if not m.already_added]
    if not add:
        return []
    by_id = {m.model_id: m for m in models}
    missing = [model_id for model_id in add if model_id not in by_id]
    if missing:
        raise InvalidInput(f"Provider '{provider_name}' does not offer: {', '.join(missing)}.")
    wanted = dict.fromkeys(add)
    return [by_id[model_id] for model_id in wanted if not by_id[model_id].already_added]


def _discovered_view(model: DiscoveredModel, *, already_added: bool) -> DiscoveredModelOut:
    return DiscoveredModelOut(
        model_id=model.model_id,
        model_name=model.model_name or model.model_id,
        supports_streaming=model.supports_streaming,
        supports_function_calling=model.supports_function_calling,
        supports_vision=model.supports_vision,
        context_window=model.context_window,
        max_output_tokens=model.max_output_tokens,
        already_added=already_added,
    )


async def _call(call: Awaitable[T], ptype: ProviderType, conn: ProviderConnection, *, what: str) -> T:
    """Await a provider-type call, bounded in time; every failure becomes our error, secrets blanked."""
    try:
        async with asyncio.timeout(conn.timeout + _GRACE):
            return await call
    except TimeoutError:
        raise Timeout(f"The provider did not {what} within {conn.timeout:g} s.") from None
    except LLMChatError as exc:
        exc.message = _scrub(exc.message, ptype, conn)
        raise
    except Exception as exc:
        log.warning("provider type %s failed unexpectedly: %s", ptype.name, type(exc).__name__)
        raise ProviderUnavailable(f"The provider could not {what}: unexpected {type(exc).__name__}.") from None


def _scrub(text: str, ptype: ProviderType, conn: ProviderConnection) -> str:
    secrets = [conn.api_key] + [conn.config.get(f.name) for f in ptype.fields if f.secret]
    for value in secrets:
        if isinstance(value, str) and len(value) >= 4:
            text = text.replace(value, MASK)
    return text
