"""Google's Gemini API (AI Studio keys), authenticated with the `x-goog-api-key` header."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from llmchat.llm.providers._http import fetch_json, items
from llmchat.llm.providers.base import DiscoveredModel, ProviderConnection, ProviderType

if TYPE_CHECKING:
    import httpx
    from pydantic_ai.models import Model
    from pydantic_ai.providers import Provider


class GoogleType(ProviderType):
    name = "google"
    label = "Google Gemini"
    default_api_base = "https://generativelanguage.googleapis.com"
    sdk_modules = ("pydantic_ai.models.google", "pydantic_ai.providers.google")

    def create_provider(self, conn: ProviderConnection) -> Provider[Any]:
        from pydantic_ai.providers.google import GoogleProvider

        return GoogleProvider(api_key=conn.api_key, base_url=self.api_base(conn))

    def create_model(self, provider: Provider[Any], conn: ProviderConnection, model_id: str) -> Model:
        from pydantic_ai.models.google import GoogleModel

        return GoogleModel(model_id, provider=provider)

    async def discover(self, conn: ProviderConnection) -> list[DiscoveredModel]:
        url = f"{self.api_base(conn)}/v1beta/models"
        headers = {"x-goog-api-key": conn.api_key or ""}
        payload = await fetch_json(conn, url, headers=headers, params={"pageSize": "1000"}, explain=_explain)
        return [
            DiscoveredModel(
                model_id=m["name"].removeprefix("models/"),
                model_name=m.get("displayName") or m["name"].removeprefix("models/"),
                supports_vision=True,
                context_window=m.get("inputTokenLimit"),
                max_output_tokens=m.get("outputTokenLimit"),
            )
            for m in items(payload, "models", url)
            if "name" in m and "generateContent" in m.get("supportedGenerationMethods", ["generateContent"])
        ]


def _explain(response: httpx.Response) -> str | None:
    """Gemini answers a bad key with 400 API_KEY_INVALID rather than 401."""
    return "the API key was rejected" if "API_KEY_INVALID" in response.text else None
