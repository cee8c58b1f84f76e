"""The chat API (SPEC 1): connect, chat (JSON or Server-Sent Events), cancel, disconnect, status, config.

`user_id` is the caller's email; any other value is refused (403), so users touch only their own session.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter
from fastapi.responses import StreamingResponse

from llmchat.api.deps import DbSession, InvokeUser, ReaderUser, ServicesDep
from llmchat.auth import Principal
from llmchat.chat.schemas import (
    CancelResult,
    ChatInput,
    ChatResult,
    ConnectInput,
    ConnectResult,
    DisconnectResult,
    StatusResult,
    UserInput,
)
from llmchat.errors import Forbidden, NotFound

router = APIRouter(prefix="/llmchat", tags=["chat"])

SSE_HEADERS = {"Cache-Control": "no-cache", "X-Accel-Buffering": "no"}


def _own(user: Principal, user_id: str) -> str:
    if user_id != user.email:
        raise Forbidden("User ID mismatch.")
    return user_id


@router.post("/connect")
async def connect(data: ConnectInput, user: InvokeUser, db: DbSession, services: ServicesDep) -> ConnectResult:
    """Start a chat session with a model and MCP servers, replacing the caller's previous session."""
    user_id = _own(user, data.user_id)
    return await services.chat.connect(db, services.secrets, user_id, data, user_token=user.token)


@router.post("/chat", response_model=None)
async def chat(data: ChatInput, user: InvokeUser, services: ServicesDep) -> ChatResult | StreamingResponse:
    """Send a message; the answer comes as JSON, or as `text/event-stream` events when streaming."""
    user_id = _own(user, data.user_id)
    turn = await services.chat.start_turn(user_id, data.message, data.streaming)
    if turn.stream:
        return StreamingResponse(turn.sse(), media_type="text/event-stream", headers=SSE_HEADERS)
    return ChatResult.from_final(user_id, await turn.result())


@router.post("/cancel")
async def cancel(data: UserInput, user: InvokeUser, services: ServicesDep) -> CancelResult:
    """Stop the running turn; its partial answer is kept."""
    return await services.chat.cancel(_own(user, data.user_id))


@router.post("/disconnect", response_model_exclude_none=True)
async def disconnect(data: UserInput, user: InvokeUser, services: ServicesDep) -> DisconnectResult:
    """End the session and close its MCP connections; safe to repeat."""
    return await services.chat.disconnect(_own(user, data.user_id))


@router.get("/status/{user_id}", response_model_exclude_none=True)
async def status(user_id: str, user: ReaderUser, services: ServicesDep) -> StatusResult:
    """Whether the caller has a session, and with which model and servers."""
    return await services.chat.status(_own(user, user_id))


@router.get("/config/{user_id}")
async def config(user_id: str, user: ReaderUser, services: ServicesDep) -> dict[str, Any]:
    """The caller's session config, every secret masked."""
    found = await services.chat.config(_own(user, user_id))
    if found is None:
        raise NotFound("No config found for this user.")
    return found.masked()
