"""The shapes of LLM settings at the edges: what the API and CLI send in and get back.

Field names follow the reference system (SPEC 2) so its users' scripts keep working. Secrets are
write-only: responses carry `*****` in their place.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

Name = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]
ModelRef = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=300)]
Temperature = Annotated[float, Field(ge=0, le=2, description="Sampling temperature, 0 to 2.")]
PositiveInt = Annotated[int, Field(gt=0)]


class ProviderCreate(BaseModel):
    """A new provider. `config` holds the type's own fields (see GET /llm/provider-types)."""

    name: Name
    provider_type: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=40)]
    api_base: str | None = Field(None, max_length=2000)
    api_key: str | None = Field(None, repr=False, description="Write-only; responses show '*****' when set.")
    api_version: str | None = Field(None, max_length=100)
    config: dict[str, Any] = Field(default_factory=dict, repr=False)
    default_model: str | None = Field(None, max_length=200)
    default_temperature: Temperature | None = None
    default_max_tokens: PositiveInt | None = None
    enabled: bool = True


class ProviderUpdate(BaseModel):
    """A partial update: only the fields sent change. '*****' for a secret keeps the stored value.

    `config` is merged into the stored one; a field sent as null or "" is removed.
    """

    name: Name | None = None
    api_base: str | None = Field(None, max_length=2000)
    api_key: str | None = Field(None, repr=False)
    api_version: str | None = Field(None, max_length=100)
    config: dict[str, Any] | None = Field(None, repr=False)
    default_model: str | None = Field(None, max_length=200)
    default_temperature: Temperature | None = None
    default_max_tokens: PositiveInt | None = None
    enabled: bool | None = None


class ProviderOut(BaseModel):
    id: str
    name: str
    slug: str = Field(description="Used in model references: '<slug>/<model_id>'.")
    provider_type: str
    api_base: str | None
    api_key: str | None = Field(description="'*****' when a key is stored, else null.")
    api_version: str | None
    config: dict[str, Any] = Field(description="Type-specific fields; secret ones shown as '*****'.")
    default_model: str | None
    default_temperature: float | None
    default_max_tokens: int | None
    enabled: bool
    health_status: str
    health_error: str | None
    health_checked_at: datetime | None
    created_at: datetime
    updated_at: datetime


class ModelCreate(BaseModel):
    provider_id: str = Field(min_length=1, max_length=32)
    model_id: ModelRef = Field(description="The provider's own name for the model, e.g. 'gpt-4o'.")
    model_name: ModelRef | None = Field(None, description="Display name; defaults to model_id.")
    model_alias: ModelRef | None = Field(None, description="A short name users may pick the model by.")
    supports_chat: bool = True
    supports_streaming: bool = True
    supports_function_calling: bool = True
    supports_vision: bool = False
    context_window: PositiveInt | None = None
    max_output_tokens: PositiveInt | None = None
    enabled: bool = True


class ModelUpdate(BaseModel):
    """A partial update: only the fields sent change; `model_alias: null` removes the alias."""

    model_id: ModelRef | None = None
    model_name: ModelRef | None = None
    model_alias: ModelRef | None = None
    supports_chat: bool | None = None
    supports_streaming: bool | None = None
    supports_function_calling: bool | None = None
    supports_vision: bool | None = None
    context_window: PositiveInt | None = None
    max_output_tokens: PositiveInt | None = None
    enabled: bool | None = None


class ModelOut(BaseModel):
    id: str
    provider_id: str
    provider_name: str
    provider_type: str
    ref: str = Field(description="'<provider slug>/<model_id>': how users can pick this model.")
    model_id: str
    model_name: str
    model_alias: str | None
    supports_chat: bool
    supports_streaming: bool
    supports_function_calling: bool
    supports_vision: bool
    context_window: int | None
    max_output_tokens: int | None
    enabled: bool
    created_at: datetime
    updated_at: datetime


class HealthResult(BaseModel):
    provider_id: str
    status: str = Field(description="'healthy' or 'unhealthy'.")
    healthy: bool
    error: str | None = Field(description="Why the provider is unhealthy; null when healthy.")
    latency_ms: int
    checked_at: datetime


class DiscoverRequest(BaseModel):
    model_config = ConfigDict(json_schema_extra={"examples": [{"add": True}, {"add": ["gpt-4o", "gpt-4o-mini"]}]})

    add: bool | list[str] = Field(False, description="true = add every model listed; or the model ids to add.")


class DiscoveredModelOut(BaseModel):
    model_id: str
    model_name: str
    supports_streaming: bool
    supports_function_calling: bool
    supports_vision: bool
    context_window: int | None
    max_output_tokens: int | None
    already_added: bool = Field(description="The model was in our settings before this call.")


class DiscoverResult(BaseModel):
    provider_id: str
    models: list[DiscoveredModelOut]
    added: list[ModelOut] = Field(description="Models added by this call.")


class ConfigFieldOut(BaseModel):
    name: str
    label: str
    required: bool
    secret: bool
    default: str | int | float | bool | None
    help: str
    kind: str


class ProviderTypeOut(BaseModel):
    name: str
    label: str
    needs_api_key: bool
    needs_api_base: bool
    default_api_base: str | None
    fields: list[ConfigFieldOut]


class ProviderTypeList(BaseModel):
    types: list[ProviderTypeOut]


class GatewayModel(BaseModel):
    id: str
    model_id: str
    model_name: str
    provider_id: str
    provider_name: str
    provider_type: str
    supports_streaming: bool
    supports_function_calling: bool
    supports_vision: bool


class GatewayModels(BaseModel):
    models: list[GatewayModel]
    count: int
