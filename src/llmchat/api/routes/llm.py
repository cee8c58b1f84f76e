"""LLM settings (admin only): providers, their models, health checks and model discovery."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Body, Query, status

from llmchat.api.deps import AdminUser, DbSession, Limit, Offset, ServicesDep
from llmchat.llm import probe, service
from llmchat.llm.schemas import (
    DiscoverRequest,
    DiscoverResult,
    HealthResult,
    ModelCreate,
    ModelOut,
    ModelUpdate,
    ProviderCreate,
    ProviderOut,
    ProviderTypeList,
    ProviderUpdate,
)
from llmchat.pagination import Page

router = APIRouter(prefix="/llm", tags=["llm settings"])


@router.get("/provider-types")
async def list_provider_types(_admin: AdminUser) -> ProviderTypeList:
    """Every provider type with its config fields, so forms can be built from it."""
    return service.list_provider_types()


@router.get("/providers")
async def list_providers(
    _admin: AdminUser, db: DbSession, services: ServicesDep, limit: Limit = 50, offset: Offset = 0
) -> Page[ProviderOut]:
    """Providers by name, secrets masked."""
    return await service.list_providers(db, services.secrets, limit=limit, offset=offset)


@router.post("/providers", status_code=status.HTTP_201_CREATED)
async def create_provider(body: ProviderCreate, _admin: AdminUser, db: DbSession, services: ServicesDep) -> ProviderOut:
    """Add a provider (409 if the name is taken, 400 naming the field its type needs)."""
    return await service.create_provider(db, services.secrets, body)


@router.get("/providers/{provider_id}")
async def get_provider(provider_id: str, _admin: AdminUser, db: DbSession, services: ServicesDep) -> ProviderOut:
    return await service.get_provider(db, services.secrets, provider_id)


@router.patch("/providers/{provider_id}")
async def update_provider(
    provider_id: str, body: ProviderUpdate, _admin: AdminUser, db: DbSession, services: ServicesDep
) -> ProviderOut:
    """Change the fields sent; '*****' for a secret keeps the stored one."""
    return await service.update_provider(db, services.secrets, provider_id, body)


@router.delete("/providers/{provider_id}", status_code=status.HTTP_204_NO_CONTENT)
async def delete_provider(provider_id: str, _admin: AdminUser, db: DbSession) -> None:
    """Delete a provider and its models."""
    await service.delete_provider(db, provider_id)


@router.post("/providers/{provider_id}/enable")
async def enable_provider(provider_id: str, _admin: AdminUser, db: DbSession, services: ServicesDep) -> ProviderOut:
    return await service.set_provider_enabled(db, services.secrets, provider_id, True)


@router.post("/providers/{provider_id}/disable")
async def disable_provider(provider_id: str, _admin: AdminUser, db: DbSession, services: ServicesDep) -> ProviderOut:
    """Hide the provider's models from users; nothing is deleted."""
    return await service.set_provider_enabled(db, services.secrets, provider_id, False)


@router.post("/providers/{provider_id}/health")
async def check_provider_health(
    provider_id: str, _admin: AdminUser, db: DbSession, services: ServicesDep
) -> HealthResult:
    """Make a real authenticated request to the provider; the outcome is stored on the provider."""
    timeout = services.settings.provider_timeout
    return await probe.check_provider_health(db, services.secrets, provider_id, request_timeout=timeout)


@router.post("/providers/{provider_id}/discover")
async def discover_models(
    provider_id: str,
    _admin: AdminUser,
    db: DbSession,
    services: ServicesDep,
    body: Annotated[DiscoverRequest | None, Body()] = None,
) -> DiscoverResult:
    """List the models the provider offers; `add: true` (or a list of model ids) adds them."""
    add = body.add if body else False
    timeout = services.settings.provider_timeout
    return await probe.discover_models(db, services.secrets, provider_id, request_timeout=timeout, add=add)


@router.get("/models")
async def list_models(
    _admin: AdminUser,
    db: DbSession,
    provider_id: Annotated[str | None, Query(description="Only this provider's models.")] = None,
    limit: Limit = 50,
    offset: Offset = 0,
) -> Page[ModelOut]:
    """Models by provider, then model id."""
    return await service.list_models(db, provider_id=provider_id, limit=limit, offset=offset)


@router.post("/models", status_code=status.HTTP_201_CREATED)
async def create_model(body: ModelCreate, _admin: AdminUser, db: DbSession) -> ModelOut:
    """Add a model to a provider (409 if the provider already has it)."""
    return await service.create_model(db, body)


@router.get("/models/{model_id}")
async def get_model(model_id: str, _admin: AdminUser, db: DbSession) -> ModelOut:
    return await service.get_model(db, model_id)


@router.patch("/models/{model_id}")
async def update_model(model_id: str, body: ModelUpdate, _admin: AdminUser, db: DbSession) -> ModelOut:
    return await service.update_model(db, model_id, body)


@router.delete("/models/{model_id}", status_code=status.HTTP_204_NO_CONTENT)
async def delete_model(model_id: str, _admin: AdminUser, db: DbSession) -> None:
    await service.delete_model(db, model_id)


@router.post("/models/{model_id}/enable")
async def enable_model(model_id: str, _admin: AdminUser, db: DbSession) -> ModelOut:
    return await service.set_model_enabled(db, model_id, True)


@router.post("/models/{model_id}/disable")
async def disable_model(model_id: str, _admin: AdminUser, db: DbSession) -> ModelOut:
    """Hide the model from users; nothing is deleted."""
    return await service.set_model_enabled(db, model_id, False)
