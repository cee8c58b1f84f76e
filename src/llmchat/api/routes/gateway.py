"""The models users can pick for a chat (any user with `llm.read`)."""

from __future__ import annotations

from fastapi import APIRouter

from llmchat.api.deps import DbSession, ReaderUser
from llmchat.llm import service
from llmchat.llm.schemas import GatewayModels

router = APIRouter(prefix="/llmchat", tags=["chat"])


@router.get("/gateway/models")
async def list_gateway_models(_reader: ReaderUser, db: DbSession) -> GatewayModels:
    """Enabled models of enabled providers, as `{models, count}`."""
    return await service.list_gateway_models(db)
