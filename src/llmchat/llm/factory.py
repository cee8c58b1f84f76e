"""Chat models for provider connections, built once and reused, and the settings a chat request runs with."""

from __future__ import annotations

import asyncio
import importlib
from collections.abc import Iterable
from typing import TYPE_CHECKING

from llmchat.llm._cache import LRUCache, running_loop_id
from llmchat.llm.providers import REGISTRY, ProviderConnection, get_provider_type

if TYPE_CHECKING:
    from pydantic_ai.models import Model
    from pydantic_ai.settings import ModelSettings

_models: LRUCache[tuple[str, str, int | None], Model] = LRUCache(maxsize=256)


def build_model(conn: ProviderConnection, model_id: str) -> Model:
    """The pydantic-ai model for `model_id` on `conn`; one per (connection, model), sharing the connection's pool.

    Call it on the event loop that will use the model: pools are kept per loop, as connections belong to one.
    """
    provider_type = get_provider_type(conn.provider_type)
    key = (conn.fingerprint, model_id, running_loop_id())
    model = _models.get_or_create(key, lambda: provider_type.build_model(conn, model_id))
    # A new loop can get the id of a stopped one: then replace the client left on it (what an Agent run does first).
    model._refresh_http_client()
    return model


def model_settings(
    conn: ProviderConnection, temperature: float | None = None, max_tokens: int | None = None
) -> ModelSettings:
    """The provider's default temperature and max tokens, overridden by the session's when given."""
    settings: ModelSettings = {}
    if (temperature := conn.default_temperature if temperature is None else temperature) is not None:
        settings["temperature"] = temperature
    if (max_tokens := conn.default_max_tokens if max_tokens is None else max_tokens) is not None:
        settings["max_tokens"] = max_tokens
    return settings


async def preload_sdks(provider_types: Iterable[str]) -> None:
    """Import the SDKs of these provider types in a thread (seconds of work), so no chat blocks the loop importing them.

    Unknown type names are skipped: the rows naming them fail with a clear error when used.
    """
    modules = dict.fromkeys(m for name in provider_types if name in REGISTRY for m in REGISTRY[name].sdk_modules)
    await asyncio.to_thread(lambda: [importlib.import_module(m) for m in modules])
