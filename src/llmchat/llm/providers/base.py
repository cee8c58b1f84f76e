"""What every provider type declares: its config fields, how to build a chat model, how to list models and check health.

One module per type lives beside this file; `llmchat.llm.providers.REGISTRY` is the only list of types.
Provider SDKs are imported inside the methods, never at module import, so start-up stays fast.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal

if TYPE_CHECKING:
    from pydantic_ai.models import Model

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


class ProviderType(ABC):
    """A kind of LLM provider (openai, anthropic, ...)."""

    name: str
    label: str
    fields: tuple[ConfigField, ...] = ()
    needs_api_key: bool = True
    needs_api_base: bool = False
    default_api_base: str | None = None

    @abstractmethod
    def build_model(self, conn: ProviderConnection, model_id: str) -> Model:
        """The pydantic-ai chat model for `model_id` on this provider."""

    @abstractmethod
    async def list_models(self, conn: ProviderConnection) -> list[DiscoveredModel]:
        """Models the provider offers; raises ProviderUnavailable/Timeout with the reason."""

    async def check_health(self, conn: ProviderConnection) -> None:
        """A real authenticated request; raises ProviderUnavailable/Timeout with the reason when unhealthy."""
        await self.list_models(conn)
