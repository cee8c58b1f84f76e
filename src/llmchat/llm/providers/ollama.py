"""Ollama: chat through its OpenAI-compatible `/v1` endpoint, discovery through its native `/api/tags`."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from llmchat.llm.providers._http import fetch_json, items
from llmchat.llm.providers._openai_format import OpenAIFormat
from llmchat.llm.providers.base import DiscoveredModel, ProviderConnection

if TYPE_CHECKING:
    from pydantic_ai.providers import Provider


class OllamaType(OpenAIFormat):
    name = "ollama"
    label = "Ollama"
    needs_api_key = False
    default_api_base = "http://127.0.0.1:11434"
    sdk_modules = ("pydantic_ai.models.openai", "pydantic_ai.providers.ollama")

    def chat_base_url(self, conn: ProviderConnection) -> str:
        return f"{self.api_base(conn)}/v1"

    def create_provider(self, conn: ProviderConnection) -> Provider[Any]:
        from pydantic_ai.providers.ollama import OllamaProvider

        # A placeholder rather than None, so no OLLAMA_API_KEY from the environment is sent instead.
        return OllamaProvider(base_url=self.chat_base_url(conn), api_key=conn.api_key or "not-needed")

    async def discover(self, conn: ProviderConnection) -> list[DiscoveredModel]:
        url = f"{self.api_base(conn)}/api/tags"
        headers = {"Authorization": f"Bearer {conn.api_key}"} if conn.api_key else {}
        payload = await fetch_json(conn, url, headers=headers)
        models = items(payload, "models", url)
        return [DiscoveredModel(model_id=m["name"], model_name=m["name"]) for m in models if "name" in m]
