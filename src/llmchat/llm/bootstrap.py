"""First start: add the LLM providers the environment points at, once per installation.

`OPENAI_API_KEY` (with `OPENAI_BASE_URL`) adds OpenAI, `ANTHROPIC_API_KEY` (with `ANTHROPIC_BASE_URL`) adds
Anthropic, and an Ollama answering at `LLMCHAT_OLLAMA_URL` within a second is added with its models.
Nothing here may hold start-up for long or fail it; keys are never logged.
"""

from __future__ import annotations

import asyncio
import logging
import os
from collections.abc import Iterator
from typing import Any

from pydantic import ValidationError
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from llmchat.crypto import SecretBox
from llmchat.db import AppMeta, Database
from llmchat.db.models import utcnow
from llmchat.errors import LLMChatError
from llmchat.llm.probe import discover_models
from llmchat.llm.providers import REGISTRY
from llmchat.llm.providers.base import ProviderConnection
from llmchat.llm.schemas import ProviderCreate
from llmchat.llm.service import create_provider
from llmchat.settings import Settings

log = logging.getLogger("llmchat")

DONE_KEY = "providers_bootstrapped"
OLLAMA_TIMEOUT = 1.0


async def bootstrap_providers(db: Database, secrets: SecretBox, settings: Settings) -> list[str]:
    """Add the providers found in the environment, the first time only; returns the names added."""
    async with db.session() as session:
        if not await _claim(session):
            return []
        wanted = list(_from_environment())
        if await _ollama_answers(settings.ollama_url):
            wanted.append({"name": "Ollama", "provider_type": "ollama", "api_base": settings.ollama_url})
        added = []
        for data in wanted:
            try:
                provider = await create_provider(session, secrets, ProviderCreate.model_validate(data))
            except (LLMChatError, ValidationError) as exc:
                reason = exc.message if isinstance(exc, LLMChatError) else "its settings are invalid"
                log.warning("Provider %s from the environment was not added: %s", data["name"], reason)
                continue
            added.append(provider.name)
            if provider.provider_type == "ollama":
                await _add_all_models(session, secrets, provider.id)
    if added:
        log.info("Added LLM providers found in the environment: %s", ", ".join(added))
    return added


async def _claim(session: AsyncSession) -> bool:
    """Mark the bootstrap as done; False when it was already done (or another worker is doing it)."""
    if await session.get(AppMeta, DONE_KEY) is not None:
        return False
    session.add(AppMeta(key=DONE_KEY, value=utcnow().isoformat()))
    try:
        await session.commit()
    except IntegrityError:
        await session.rollback()
        return False
    return True


async def _add_all_models(session: AsyncSession, secrets: SecretBox, provider_id: str) -> None:
    try:
        await discover_models(session, secrets, provider_id, request_timeout=OLLAMA_TIMEOUT, add=True)
    except LLMChatError as exc:
        log.warning("Ollama was added without models: %s", exc.message)


def _from_environment() -> Iterator[dict[str, Any]]:
    if key := os.environ.get("OPENAI_API_KEY", "").strip():
        base = os.environ.get("OPENAI_BASE_URL", "").strip() or None
        yield {"name": "OpenAI", "provider_type": "openai", "api_key": key, "api_base": base}
    if key := os.environ.get("ANTHROPIC_API_KEY", "").strip():
        base = os.environ.get("ANTHROPIC_BASE_URL", "").strip() or None
        yield {"name": "Anthropic", "provider_type": "anthropic", "api_key": key, "api_base": base}


async def _ollama_answers(url: str) -> bool:
    """Whether an Ollama server lists its models at `url` within about a second."""
    ollama = REGISTRY.get("ollama")
    if ollama is None:
        return False
    conn = ProviderConnection(provider_type="ollama", api_base=url, timeout=OLLAMA_TIMEOUT)
    try:
        async with asyncio.timeout(OLLAMA_TIMEOUT * 1.5):
            await ollama.list_models(conn)
    except (LLMChatError, TimeoutError, OSError):
        return False
    return True
