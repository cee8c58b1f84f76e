"""OpenAI's own API, through chat completions."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from llmchat.llm.providers._openai_format import OpenAIFormat
from llmchat.llm.providers.base import ProviderConnection

if TYPE_CHECKING:
    from pydantic_ai.providers import Provider


class OpenAIType(OpenAIFormat):
    name = "openai"
    label = "OpenAI"
    default_api_base = "https://api.openai.com/v1"
    sdk_modules = ("pydantic_ai.models.openai", "pydantic_ai.providers.openai")

    def create_provider(self, conn: ProviderConnection) -> Provider[Any]:
        from pydantic_ai.providers.openai import OpenAIProvider

        return OpenAIProvider(base_url=self.chat_base_url(conn), api_key=conn.api_key)
