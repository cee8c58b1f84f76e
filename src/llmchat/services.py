"""The long-lived parts of a running service, built once at start-up and shared by every request."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Coroutine
from dataclasses import dataclass, field

from sqlalchemy import select

from llmchat.auth.bootstrap import bootstrap_admin
from llmchat.chat.sessions import SessionManager
from llmchat.crypto import ENCRYPTION_KEY_FILE, JWT_KEY_FILE, SecretBox, load_or_create_key_file
from llmchat.db import Database, LLMProvider
from llmchat.errors import ConfigurationError
from llmchat.llm.bootstrap import bootstrap_providers
from llmchat.llm.factory import preload_sdks
from llmchat.settings import Settings

log = logging.getLogger("llmchat")


def secret_box_for(settings: Settings) -> SecretBox:
    keys = [k.get_secret_value() for k in settings.encryption_keys]
    if not keys:
        keys = [load_or_create_key_file(settings.data_dir, ENCRYPTION_KEY_FILE)]
    return SecretBox(keys)


def jwt_secret_for(settings: Settings) -> str:
    if settings.jwt_secret is not None:
        secret = settings.jwt_secret.get_secret_value()
        if len(secret) < 32:
            raise ConfigurationError("Invalid setting LLMCHAT_JWT_SECRET: use at least 32 characters.")
        return secret
    return load_or_create_key_file(settings.data_dir, JWT_KEY_FILE)


@dataclass
class Services:
    settings: Settings
    db: Database
    secrets: SecretBox
    jwt_secret: str
    chat: SessionManager
    _background: set[asyncio.Task[None]] = field(default_factory=set)

    @classmethod
    async def start(cls, settings: Settings) -> Services:
        """Open the database, apply migrations, and run the first-start bootstraps."""
        settings.data_dir.mkdir(parents=True, exist_ok=True)
        db = Database(settings.effective_database_url)
        try:
            await db.upgrade()
            services = cls(
                settings=settings,
                db=db,
                secrets=secret_box_for(settings),
                jwt_secret=jwt_secret_for(settings),
                chat=SessionManager(settings),
            )
            await bootstrap_admin(db, settings)
            if settings.bootstrap_providers:
                await bootstrap_providers(db, services.secrets, settings)
        except BaseException:
            await db.dispose()
            raise
        services._spawn(services._preload_provider_sdks())
        return services

    def _spawn(self, coro: Coroutine[None, None, None]) -> None:
        task = asyncio.create_task(coro)
        self._background.add(task)
        task.add_done_callback(self._background.discard)

    async def _preload_provider_sdks(self) -> None:
        """Import the SDKs of the configured providers in a thread after start-up, so no chat waits on them."""
        try:
            async with self.db.session() as session:
                types = (await session.scalars(select(LLMProvider.provider_type).distinct())).all()
            await preload_sdks(types)
        except Exception as exc:  # a missing SDK shows up again, with its message, at the first chat
            log.warning("could not preload provider SDKs: %s", type(exc).__name__)

    async def readiness(self) -> dict[str, str]:
        checks: dict[str, str] = {}
        try:
            await self.db.ping()
            checks["database"] = "ok"
        except Exception as exc:
            checks["database"] = f"unreachable: {type(exc).__name__}"
        return checks

    async def stop(self) -> None:
        for task in self._background:
            task.cancel()
        await self.chat.close_all()
        await self.db.dispose()
