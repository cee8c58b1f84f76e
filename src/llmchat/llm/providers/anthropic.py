"""Anthropic's Messages API, authenticated with the `x-api-key` header."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from llmchat.llm.providers._http import fetch_json, items
from llmchat.llm.providers.base import DiscoveredModel, ProviderConnection, ProviderType

if TYPE_CHECKING:
    from pydantic_ai.models import Model
    from pydantic_ai.providers import Provider

API_VERSION = "2023-06-01"


class AnthropicType(ProviderType):
    name = "anthropic"
    label = "Anthropic"
    default_api_base = "https://api.anthropic.com"
    sdk_modules = ("pydantic_ai.models.anthropic", "pydantic_ai.providers.anthropic")

    def create_provider(self, conn: ProviderConnection) -> Provider[Any]:
        from pydantic_ai.providers.anthropic import AnthropicProvider

        return AnthropicProvider(api_key=conn.api_key, base_url=self.api_base(conn))

    def create_model(self, provider: Provider[Any], conn: ProviderConnection, model_id: str) -> Model:
        from pydantic_ai.models.anthropic import AnthropicModel

        return AnthropicModel(model_id, provider=provider)

    async def discover(self, conn: ProviderConnection) -> list[DiscoveredModel]:
        url = f"{self.api_base(conn)}/v1/models"
        headers = {"x-api-key": conn.api_key or "", "anthropic-version": API_VERSION}
        payload = await fetch_json(conn, url, headers=headers, params={"limit": "1000"})
        return [
            DiscoveredModel(model_id=m["id"], model_name=m.get("display_name") or m["id"], supports_vision=True)
            for m in items(payload, "data", url)
            if "id" in m
        ]
