"""What every provider type declares: its config fields, how to build a chat model, how to list models and check health.

One module per type lives beside this file; `llmchat.llm.providers.REGISTRY` is the only list of types.
Provider SDKs are imported inside the methods, never at module import, so start-up stays fast.
"""

from __future__ import annotations

import hashlib
import json
from abc import ABC, abstractmethod
from dataclasses import dataclass, field
from functools import cached_property
from typing import TYPE_CHECKING, Any, Literal

from llmchat.errors import InvalidInput
from llmchat.llm._cache import LRUCache, running_loop_id

if TYPE_CHECKING:
    from pydantic_ai.models import Model
    from pydantic_ai.providers import Provider

FieldKind = Literal["string", "url", "int", "float", "bool", "json"]


@dataclass(frozen=True)
class ConfigField:
    """One type-specific setting of a provider, stored in its `config` (secret ones encrypted)."""

    name: str
    label: str
    required: bool = False
    secret: bool = False
    default: str | int | float | bool | None = None
    help: str = ""
    kind: FieldKind = "string"


@dataclass(frozen=True)
class ProviderConnection:
    """A provider row with its secrets decrypted: everything needed to talk to it. Never serialised."""

    provider_type: str
    api_base: str | None = None
    api_key: str | None = field(default=None, repr=False)
    api_version: str | None = None
    config: dict[str, Any] = field(default_factory=dict, repr=False)
    default_temperature: float | None = None
    default_max_tokens: int | None = None
    timeout: float = 10.0

    @cached_property
    def fingerprint(self) -> str:
        """A digest of everything that decides how to reach the provider: the key of its shared clients."""
        reach = [self.provider_type, self.api_base, self.api_key, self.api_version, self.config, self.timeout]
        return hashlib.sha256(json.dumps(reach, sort_keys=True, default=str).encode()).hexdigest()


@dataclass(frozen=True)
class DiscoveredModel:
    """A model a provider says it offers."""

    model_id: str
    model_name: str
    supports_streaming: bool = True
    supports_function_calling: bool = True
    supports_vision: bool = False
    context_window: int | None = None
    max_output_tokens: int | None = None


_providers: LRUCache[tuple[str, int | None], Provider[Any]] = LRUCache(maxsize=64)


class ProviderType(ABC):
    """A kind of LLM provider (openai, anthropic, ...)."""

    name: str
    label: str
    fields: tuple[ConfigField, ...] = ()
    needs_api_key: bool = True
    needs_api_base: bool = False
    default_api_base: str | None = None
    default_api_version: str | None = None
    sdk_modules: tuple[str, ...] = ()
    """The modules `build_model` imports, so they can be loaded ahead of the first chat (see `preload_sdks`)."""

    def build_model(self, conn: ProviderConnection, model_id: str) -> Model:
        """The pydantic-ai chat model for `model_id` on this provider."""
        return self.create_model(self.provider(conn), conn, model_id)

    async def list_models(self, conn: ProviderConnection) -> list[DiscoveredModel]:
        """Models the provider offers; raises ProviderUnavailable/Timeout with the reason."""
        self.validate(conn)
        return await self.discover(conn)

    async def check_health(self, conn: ProviderConnection) -> None:
        """A real authenticated request; raises ProviderUnavailable/Timeout with the reason when unhealthy."""
        await self.list_models(conn)

    @abstractmethod
    async def discover(self, conn: ProviderConnection) -> list[DiscoveredModel]:
        """Ask the provider for its models (`conn` is already validated)."""

    @abstractmethod
    def create_provider(self, conn: ProviderConnection) -> Provider[Any]:
        """A new pydantic-ai provider: the SDK client and its connection pool."""

    @abstractmethod
    def create_model(self, provider: Provider[Any], conn: ProviderConnection, model_id: str) -> Model:
        """A pydantic-ai model for `model_id` that talks through `provider`."""

    def provider(self, conn: ProviderConnection) -> Provider[Any]:
        """The pydantic-ai provider for `conn`, created once per connection and event loop so its pool is reused."""
        self.validate(conn)
        return _providers.get_or_create((conn.fingerprint, running_loop_id()), lambda: self.create_provider(conn))

    def validate(self, conn: ProviderConnection) -> None:
        """Raise InvalidInput naming every required setting `conn` lacks."""
        missing = [
            *(["api_key"] if self.needs_api_key and not conn.api_key else []),
            *(["api_base"] if self.needs_api_base and not conn.api_base else []),
            *(f"config.{f.name}" for f in self.fields if f.required and self.config_value(conn, f.name) is None),
        ]
        if missing:
            raise InvalidInput(f"The {self.label} provider needs {', '.join(missing)}.")

    def api_base(self, conn: ProviderConnection) -> str:
        """The base URL to talk to, without a trailing slash."""
        base = conn.api_base or self.default_api_base
        if not base:
            raise InvalidInput(f"The {self.label} provider needs api_base.")
        return base.rstrip("/")

    def config_value(self, conn: ProviderConnection, name: str) -> Any:
        """`conn.config[name]`, or the field's default when unset or empty."""
        value = conn.config.get(name)
        if value is None or value == "":
            return next((f.default for f in self.fields if f.name == name), None)
        return value
