"""The one settings object: environment variables `LLMCHAT_*` and an optional `.env` file."""

from __future__ import annotations

import ipaddress
import os
from functools import cached_property
from pathlib import Path
from typing import Annotated, Literal

import platformdirs
from pydantic import Field, SecretStr, ValidationError, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

from llmchat.errors import ConfigurationError

ENV_PREFIX = "LLMCHAT_"

# Variables with our prefix that are read by tooling, not by the service.
_NON_SETTING_VARS = frozenset({"LLMCHAT_TEST_POSTGRES_URL", "LLMCHAT_TEST_REQUIRE_SERVICES", "LLMCHAT_EVERYTHING_JS"})


def _default_data_dir() -> Path:
    return Path(platformdirs.user_data_dir("llmchat", appauthor=False))


class Settings(BaseSettings):
    """Every setting of the service; see the configuration table in the README."""

    model_config = SettingsConfigDict(
        env_prefix=ENV_PREFIX,
        env_file=".env",
        env_file_encoding="utf-8",
        extra="forbid",
        validate_default=True,
    )

    # Where things live
    data_dir: Path = Field(default_factory=_default_data_dir, description="Directory for the SQLite file and keys.")
    database_url: str = Field("", description="SQLAlchemy async URL; empty = SQLite in the data directory.")
    redis_url: str = Field("", description="Redis URL for shared state across workers; empty = in-process.")

    # HTTP server
    host: str = Field("127.0.0.1", description="Address `llmchat serve` listens on.")
    port: int = Field(4444, ge=1, le=65535, description="Port `llmchat serve` listens on.")
    workers: int = Field(1, ge=1, le=64, description="Worker processes; more than one needs LLMCHAT_REDIS_URL.")
    log_level: Literal["debug", "info", "warning", "error"] = Field("info", description="Log verbosity.")

    # Security
    jwt_secret: SecretStr | None = Field(None, description="HMAC key for login tokens; generated when unset.")
    jwt_expiry_minutes: int = Field(60 * 24, gt=0, description="Lifetime of a login token.")
    encryption_keys: Annotated[list[SecretStr], NoDecode] = Field(
        default_factory=list,
        description="Fernet keys for secrets at rest, comma-separated, newest first; generated when unset.",
    )
    cookie_secure: bool = Field(False, description="Mark the login cookie Secure (set behind HTTPS).")
    admin_email: str = Field("admin@example.com", description="Admin created at first start.")
    admin_password: SecretStr | None = Field(
        None, description="Password of that admin; generated and printed once when unset."
    )

    # LLM providers
    bootstrap_providers: bool = Field(True, description="At first start, add providers found in the environment.")
    ollama_url: str = Field("http://127.0.0.1:11434", description="Where first start looks for a local Ollama.")
    provider_timeout: float = Field(10.0, gt=0, description="Seconds for health checks and model discovery.")

    # Chat engine
    llm_timeout: float = Field(120.0, gt=0, description="Seconds to wait for the LLM.")
    tool_timeout: float = Field(60.0, gt=0, description="Seconds to wait for one tool call.")
    tool_result_max_bytes: int = Field(100_000, gt=0, description="Longer tool results are truncated, with a notice.")
    max_steps: int = Field(10, gt=0, le=100, description="Model requests per turn at most.")
    history_max_messages: int = Field(50, gt=0, description="Messages kept in a working history.")
    history_ttl: int = Field(3600, gt=0, description="Seconds of inactivity before a working history is dropped.")

    # SSRF policy for user-supplied URLs
    ssrf_allow_private: bool = Field(False, description="Let users connect MCP servers on loopback/private addresses.")
    ssrf_allowed_networks: Annotated[list[ipaddress.IPv4Network | ipaddress.IPv6Network], NoDecode] = Field(
        default_factory=list, description="Comma-separated networks (CIDR) users may connect to despite the policy."
    )

    @field_validator("encryption_keys", "ssrf_allowed_networks", mode="before")
    @classmethod
    def _split_commas(cls, value: object) -> object:
        if isinstance(value, str):
            return [part.strip() for part in value.split(",") if part.strip()]
        return value

    @field_validator("database_url")
    @classmethod
    def _check_database_url(cls, value: str) -> str:
        if value and not value.startswith(("sqlite+aiosqlite://", "postgresql+asyncpg://")):
            raise ValueError("use sqlite+aiosqlite:///path or postgresql+asyncpg://user@host/db")
        return value

    @field_validator("redis_url")
    @classmethod
    def _check_redis_url(cls, value: str) -> str:
        if value and not value.startswith(("redis://", "rediss://", "unix://")):
            raise ValueError("use redis://host:port/db")
        return value

    @cached_property
    def effective_database_url(self) -> str:
        return self.database_url or f"sqlite+aiosqlite:///{self.data_dir / 'llmchat.db'}"


def _unknown_variables() -> list[str]:
    known = {ENV_PREFIX + name.upper() for name in Settings.model_fields}
    return sorted(k for k in os.environ if k.startswith(ENV_PREFIX) and k not in known | _NON_SETTING_VARS)


def load_settings(**overrides: object) -> Settings:
    """Read the settings, turning any problem into a one-line ConfigurationError naming the variable."""
    unknown = _unknown_variables()
    if unknown:
        raise ConfigurationError(f"Unknown setting {unknown[0]}: see the configuration table in the README.")
    try:
        return Settings(**overrides)  # type: ignore[arg-type]
    except ValidationError as exc:
        err = exc.errors()[0]
        field = str(err["loc"][0]) if err["loc"] else "?"
        raise ConfigurationError(f"Invalid setting {ENV_PREFIX}{field.upper()}: {err['msg']}") from None
