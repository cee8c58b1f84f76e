"""The long-lived parts of a running service, built once at start-up and shared by every request."""

from __future__ import annotations

import logging
from dataclasses import dataclass

from llmchat.crypto import ENCRYPTION_KEY_FILE, JWT_KEY_FILE, SecretBox, load_or_create_key_file
from llmchat.db import Database
from llmchat.errors import ConfigurationError
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

    @classmethod
    async def start(cls, settings: Settings) -> Services:
        """Open the database, apply migrations, and run the first-start bootstraps."""
        settings.data_dir.mkdir(parents=True, exist_ok=True)
        db = Database(settings.effective_database_url)
        await db.upgrade()
        services = cls(settings=settings, db=db, secrets=secret_box_for(settings), jwt_secret=jwt_secret_for(settings))
        return services

    async def readiness(self) -> dict[str, str]:
        checks: dict[str, str] = {}
        try:
            await self.db.ping()
            checks["database"] = "ok"
        except Exception as exc:
            checks["database"] = f"unreachable: {type(exc).__name__}"
        return checks

    async def stop(self) -> None:
        await self.db.dispose()
