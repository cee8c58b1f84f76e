"""A chat session's configuration: serialisable, so a shared store can hold it for every worker.

It holds what is needed to rebuild the session (the model reference, the servers, their headers) but never
a provider's API key; `masked()` is the view safe to return to the user.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from typing import Any

from pydantic import BaseModel, Field

from llmchat.crypto import MASK
from llmchat.net import safe_url

_SECRET_HEADER_WORDS = ("auth", "key", "token", "secret", "cookie", "session", "password")


class ServerConfig(BaseModel):
    """One MCP server of the session: given by URL, or registered (`server_id`) by an administrator."""

    name: str
    transport: str
    url: str | None = None
    server_id: str | None = None
    headers: dict[str, str] = Field(default_factory=dict, repr=False)


class LLMConfig(BaseModel):
    model: str
    """The model as resolved at connect: `provider-slug/model_id`."""
    model_db_id: str
    provider: str
    temperature: float | None = None
    max_tokens: int | None = None
    system_prompt: str | None = None


class SessionConfig(BaseModel):
    user_id: str
    conversation_id: str
    llm: LLMConfig
    servers: list[ServerConfig] = Field(default_factory=list)
    streaming: bool = False

    def masked(self) -> dict[str, Any]:
        """The config with every secret replaced by `*****`, and URLs without credentials or query."""
        data = self.model_dump()
        for server in data["servers"]:
            server["headers"] = {k: MASK if is_secret_header(k) else v for k, v in server["headers"].items()}
            if server["url"]:
                server["url"] = safe_url(server["url"])
        return data


def is_secret_header(name: str) -> bool:
    """Authorization, API keys, cookies, tokens...: headers whose values are credentials."""
    lowered = name.lower()
    return any(word in lowered for word in _SECRET_HEADER_WORDS)


class ConfigStore(ABC):
    """Where session configs live, keyed by user; in-process or shared between workers."""

    @abstractmethod
    async def get(self, user_id: str) -> SessionConfig | None: ...

    @abstractmethod
    async def put(self, config: SessionConfig) -> None: ...

    @abstractmethod
    async def delete(self, user_id: str) -> None: ...


class MemoryConfigStore(ConfigStore):
    """Configs in this process (one worker)."""

    def __init__(self) -> None:
        self._configs: dict[str, str] = {}

    async def get(self, user_id: str) -> SessionConfig | None:
        raw = self._configs.get(user_id)
        return SessionConfig.model_validate_json(raw) if raw is not None else None

    async def put(self, config: SessionConfig) -> None:
        self._configs[config.user_id] = config.model_dump_json()

    async def delete(self, user_id: str) -> None:
        self._configs.pop(user_id, None)
