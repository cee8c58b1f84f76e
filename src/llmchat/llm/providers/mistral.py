"""Mistral, through its OpenAI-compatible chat completions endpoint."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from llmchat.llm.providers._openai_format import OpenAIFormat
from llmchat.llm.providers.base import ProviderConnection

if TYPE_CHECKING:
    from pydantic_ai.providers import Provider


class MistralType(OpenAIFormat):
    name = "mistral"
    label = "Mistral"
    default_api_base = "https://api.mistral.ai/v1"

    def create_provider(self, conn: ProviderConnection) -> Provider[Any]:
        from pydantic_ai.profiles import ModelProfile
        from pydantic_ai.providers.openai_compatible import OpenAICompatibleProvider

        # Mistral accepts only 9-character tool call ids.
        profile = ModelProfile(tool_call_id_length=9)
        return OpenAICompatibleProvider(
            self.name, base_url=self.chat_base_url(conn), api_key=conn.api_key, profile=profile
        )
