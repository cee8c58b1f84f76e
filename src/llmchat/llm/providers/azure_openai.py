"""Azure OpenAI: chat completions on a deployment of the resource endpoint, authenticated with the `api-key` header."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from llmchat.llm.providers._http import fetch_json, items
from llmchat.llm.providers._openai_format import OpenAIFormat
from llmchat.llm.providers.base import ConfigField, DiscoveredModel, ProviderConnection

if TYPE_CHECKING:
    from pydantic_ai.models import Model
    from pydantic_ai.providers import Provider


class AzureOpenAIType(OpenAIFormat):
    name = "azure_openai"
    label = "Azure OpenAI"
    needs_api_base = True
    default_api_version = "2024-10-21"
    sdk_modules = ("pydantic_ai.models.openai", "pydantic_ai.providers.azure")
    fields = (
        ConfigField(
            "deployment",
            "Deployment",
            help="The deployment to chat with; when empty, the model id is used as the deployment name.",
        ),
    )

    def create_provider(self, conn: ProviderConnection) -> Provider[Any]:
        from pydantic_ai.providers.azure import AzureProvider

        version = None if self._v1_base(conn) else self._version(conn)  # the v1 API takes no api-version
        return AzureProvider(azure_endpoint=self.api_base(conn), api_version=version, api_key=conn.api_key)

    def create_model(self, provider: Provider[Any], conn: ProviderConnection, model_id: str) -> Model:
        return super().create_model(provider, conn, self.config_value(conn, "deployment") or model_id)

    async def discover(self, conn: ProviderConnection) -> list[DiscoveredModel]:
        """The models the resource offers (`GET /openai/models`), those that can chat when Azure says so."""
        if v1_base := self._v1_base(conn):
            url, params = f"{v1_base}/models", {}
        else:
            url, params = f"{self.api_base(conn)}/openai/models", {"api-version": self._version(conn)}
        headers = {"api-key": conn.api_key or ""}
        payload = await fetch_json(conn, url, headers=headers, params=params)
        return [
            DiscoveredModel(model_id=m["id"], model_name=m["id"])
            for m in items(payload, "data", url)
            if "id" in m and m.get("capabilities", {}).get("chat_completion", True)
        ]

    def _version(self, conn: ProviderConnection) -> str:
        return conn.api_version or self.default_api_version or ""

    def _v1_base(self, conn: ProviderConnection) -> str | None:
        """The base of the OpenAI-style v1 API when the endpoint is one (`.../openai/v1`, AI Foundry serverless)."""
        base = self.api_base(conn)
        if base.endswith("/v1"):
            return base
        return f"{base}/v1" if (urlsplit(base).hostname or "").endswith(".models.ai.azure.com") else None
