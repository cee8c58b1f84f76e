"""The shapes of the /llmchat API at the edges (wire-compatible with the reference system, SPEC 1)."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import BaseModel, Field, StringConstraints

from llmchat.chat.events import Final

Transport = Literal["streamable_http", "sse", "stdio"]
ModelRef = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=300)]


class ServerInput(BaseModel):
    """An MCP server given by URL. An empty `auth_token` means no Authorization header."""

    url: str | None = Field(None, max_length=2000)
    transport: Transport | None = "streamable_http"
    auth_token: str | None = None
    name: str | None = Field(None, max_length=100)
    headers: dict[str, str] | None = None


class LLMInput(BaseModel):
    """The model (its id, `provider-slug/model_id`, alias or a unique model_id) and how to sample it."""

    model: ModelRef
    temperature: float | None = Field(None, ge=0.0, le=2.0)
    max_tokens: int | None = Field(None, gt=0)
    system_prompt: str | None = Field(None, max_length=100_000)


class ConnectInput(BaseModel):
    user_id: str
    server: ServerInput | None = None
    servers: list[ServerInput] | None = Field(None, max_length=20)
    server_ids: list[str] | None = Field(None, max_length=20)
    llm: LLMInput
    streaming: bool = False


class ChatInput(BaseModel):
    user_id: str
    message: str = Field(max_length=1_000_000)
    streaming: bool | None = None
    conversation_id: str | None = None


class UserInput(BaseModel):
    """The body of cancel and disconnect."""

    user_id: str


class ServerInfo(BaseModel):
    name: str
    url: str
    transport: str
    tool_count: int


class ConnectResult(BaseModel):
    status: Literal["connected"] = "connected"
    user_id: str
    provider: str
    model: str
    tool_count: int
    tools: list[str]
    servers: list[ServerInfo]


class ChatResult(BaseModel):
    """A non-streaming turn: the `final` event's content, in the reference's field names."""

    user_id: str
    conversation_id: str
    response: str
    tool_used: bool
    tools: list[str]
    tool_invocations: list[dict[str, Any]]
    elapsed_ms: int
    usage: dict[str, int]
    cancelled: bool = False

    @classmethod
    def from_final(cls, user_id: str, final: Final) -> ChatResult:
        return cls(
            user_id=user_id,
            conversation_id=final.conversation_id,
            response=final.content,
            tool_used=final.tool_used,
            tools=final.tools,
            tool_invocations=[inv.to_json() for inv in final.tool_invocations],
            elapsed_ms=final.elapsed_ms,
            usage=final.usage.to_json(),
            cancelled=final.cancelled,
        )


class CancelResult(BaseModel):
    status: Literal["cancelled", "idle"]


class DisconnectResult(BaseModel):
    """`warning` is set only when cleanup had problems."""

    status: Literal["disconnected", "no_active_session", "disconnected_with_errors"]
    user_id: str
    message: str
    warning: str | None = None


class StatusResult(BaseModel):
    user_id: str
    connected: bool
    model: str | None = None
    servers: list[ServerInfo] | None = None
    conversation_id: str | None = None
