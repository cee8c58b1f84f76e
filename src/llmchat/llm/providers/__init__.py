"""The provider types: `REGISTRY` is the only list of them. Adding a type is one module and one line here."""

from __future__ import annotations

from llmchat.errors import InvalidInput
from llmchat.llm.providers.anthropic import AnthropicType
from llmchat.llm.providers.azure_openai import AzureOpenAIType
from llmchat.llm.providers.base import ConfigField, DiscoveredModel, ProviderConnection, ProviderType
from llmchat.llm.providers.bedrock import BedrockType
from llmchat.llm.providers.google import GoogleType
from llmchat.llm.providers.google_vertex import GoogleVertexType
from llmchat.llm.providers.groq import GroqType
from llmchat.llm.providers.mistral import MistralType
from llmchat.llm.providers.ollama import OllamaType
from llmchat.llm.providers.openai import OpenAIType
from llmchat.llm.providers.openai_compatible import OpenAICompatibleType
from llmchat.llm.providers.watsonx import WatsonxType

__all__ = [
    "REGISTRY",
    "ConfigField",
    "DiscoveredModel",
    "ProviderConnection",
    "ProviderType",
    "get_provider_type",
]

REGISTRY: dict[str, ProviderType] = {
    t.name: t
    for t in (
        OpenAIType(),
        AzureOpenAIType(),
        AnthropicType(),
        BedrockType(),
        GoogleType(),
        GoogleVertexType(),
        OllamaType(),
        OpenAICompatibleType(),
        GroqType(),
        MistralType(),
        WatsonxType(),
    )
}


def get_provider_type(name: str) -> ProviderType:
    """The provider type called `name`; InvalidInput listing the known types otherwise."""
    try:
        return REGISTRY[name]
    except KeyError:
        raise InvalidInput(f"Unknown provider type {name!r}; known types: {', '.join(REGISTRY)}.") from None
