"""The shared part of the types that speak OpenAI chat completions: they differ in base URL, auth and discovery."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from llmchat.llm.providers._http import fetch_json, items
from llmchat.llm.providers.base import DiscoveredModel, ProviderConnection, ProviderType

if TYPE_CHECKING:
    from pydantic_ai.models import Model
    from pydantic_ai.providers import Provider
    from pydantic_ai.settings import ModelSettings


class OpenAIFormat(ProviderType):
    """A service with an OpenAI-compatible chat completions API at `chat_base_url` and its models at `/models`."""

    sdk_modules = ("pydantic_ai.models.openai", "pydantic_ai.providers.openai_compatible")

    def chat_base_url(self, conn: ProviderConnection) -> str:
        """The URL the OpenAI SDK appends `/chat/completions` and `/models` to."""
        return self.api_base(conn)

    def request_headers(self, conn: ProviderConnection) -> dict[str, str]:
        """Headers sent with every request besides the bearer key (custom headers, Basic auth)."""
        return {}

    def request_body(self, conn: ProviderConnection) -> dict[str, Any]:
        """Fields added to every chat request body."""
        return {}

    def create_provider(self, conn: ProviderConnection) -> Provider[Any]:
        from pydantic_ai.providers.openai_compatible import OpenAICompatibleProvider

        return OpenAICompatibleProvider(self.name, base_url=self.chat_base_url(conn), api_key=conn.api_key)

    def create_model(self, provider: Provider[Any], conn: ProviderConnection, model_id: str) -> Model:
        """The model, carrying the type's headers and body fields in its own settings, under each request's."""
        from pydantic_ai.models.openai import OpenAIChatModel

        settings: ModelSettings = {}
        if headers := self.request_headers(conn):
            settings["extra_headers"] = headers
        if body := self.request_body(conn):
            settings["extra_body"] = body
        return OpenAIChatModel(model_id, provider=provider, settings=settings or None)

    async def discover(self, conn: ProviderConnection) -> list[DiscoveredModel]:
        url = f"{self.chat_base_url(conn)}/models"
        headers = {"Authorization": f"Bearer {conn.api_key}"} if conn.api_key else {}
        payload = await fetch_json(conn, url, headers={**headers, **self.request_headers(conn)})
        return [DiscoveredModel(model_id=m["id"], model_name=m["id"]) for m in items(payload, "data", url) if "id" in m]
