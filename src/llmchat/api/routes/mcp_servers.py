"""Registered MCP servers (admin only): the catalogue users connect to by `server_ids`."""

from __future__ import annotations

from fastapi import APIRouter, Response, status

from llmchat.api.deps import AdminUser, DbSession, Limit, Offset, ServicesDep
from llmchat.mcp import catalogue
from llmchat.mcp.schemas import McpServerCreate, McpServerOut, McpServerTest, McpServerUpdate
from llmchat.pagination import Page

router = APIRouter(prefix="/mcp/servers", tags=["mcp servers"])


@router.get("")
async def list_servers(
    _admin: AdminUser, db: DbSession, services: ServicesDep, limit: Limit = 50, offset: Offset = 0
) -> Page[McpServerOut]:
    """Registered servers by name, their token and header values masked."""
    return await catalogue.list_servers(db, services.secrets, limit=limit, offset=offset)


@router.post("", status_code=status.HTTP_201_CREATED)
async def create_server(body: McpServerCreate, _admin: AdminUser, db: DbSession, services: ServicesDep) -> McpServerOut:
    """Register a server (409 if the name is taken, 400 saying what is missing or not allowed)."""
    return await catalogue.create_server(db, services.secrets, body)


@router.get("/{server_id}")
async def get_server(server_id: str, _admin: AdminUser, db: DbSession, services: ServicesDep) -> McpServerOut:
    return await catalogue.get_server(db, services.secrets, server_id)


@router.patch("/{server_id}")
async def update_server(
    server_id: str, body: McpServerUpdate, _admin: AdminUser, db: DbSession, services: ServicesDep
) -> McpServerOut:
    """Change the fields sent; '*****' for the token or a header value keeps the stored one."""
    return await catalogue.update_server(db, services.secrets, server_id, body)


@router.delete("/{server_id}", status_code=status.HTTP_204_NO_CONTENT)
async def delete_server(server_id: str, _admin: AdminUser, db: DbSession) -> Response:
    await catalogue.delete_server(db, server_id)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.post("/{server_id}/test")
async def test_server(server_id: str, admin: AdminUser, db: DbSession, services: ServicesDep) -> McpServerTest:
    """Connect and list the tools: `{ok, tool_count, tools, elapsed_ms}` or `{ok: false, error, elapsed_ms}`."""
    return await catalogue.check_server(db, services.secrets, server_id, user_token=admin.token)
