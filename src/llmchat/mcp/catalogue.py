"""The catalogue of MCP servers registered by administrators, and the `ServerSpec` each one gives a user.

Registered servers may live on private networks (an administrator chose them), so their connections obey
only the always-on part of the SSRF policy: no cloud metadata, no link-local addresses.
"""

from __future__ import annotations

import json
import re
import time
from collections.abc import Sequence
from dataclasses import dataclass
from typing import cast

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from llmchat.crypto import MASK, SecretBox
from llmchat.db import McpServer
from llmchat.errors import Conflict, InvalidInput, LLMChatError, NotFound
from llmchat.mcp.connection import McpConnection
from llmchat.mcp.schemas import McpServerCreate, McpServerOut, McpServerTest, McpServerUpdate
from llmchat.mcp.spec import DEFAULT_OPEN_TIMEOUT, TRANSPORTS, ServerSpec, TransportName, bearer
from llmchat.net import REGISTERED_SERVERS, check_url
from llmchat.pagination import DEFAULT_LIMIT, Page, fetch_page

AUTH_MODES = ("none", "bearer", "headers", "forward_user_token")
_HEADER_NAME = re.compile(r"^[!#$%&'*+.^_`|~0-9A-Za-z-]+$")


@dataclass
class _Fields:
    """A server's settings as they will be stored, checked together (create and update alike)."""

    name: str
    transport: str
    url: str | None
    command: str | None
    args: list[str]
    auth_mode: str
    token: str | None
    headers: dict[str, str] | None

    def check(self) -> None:
        """Raise InvalidInput with the one thing to fix."""
        if self.transport not in TRANSPORTS:
            raise InvalidInput(f"Unknown transport '{self.transport}'; use one of: {', '.join(TRANSPORTS)}.")
        if self.auth_mode not in AUTH_MODES:
            raise InvalidInput(f"Unknown auth_mode '{self.auth_mode}'; use one of: {', '.join(AUTH_MODES)}.")
        if self.transport == "stdio":
            if not self.command:
                raise InvalidInput("A stdio server needs a command (and its args).")
            if self.url:
                raise InvalidInput("A stdio server takes a command, not a url.")
            if self.auth_mode != "none":
                raise InvalidInput("A stdio server takes no auth_mode; use 'none'.")
        else:
            if not self.url:
                raise InvalidInput(f"A {self.transport} server needs a url (http:// or https://).")
            self.url = check_url(self.url)
            if self.command or self.args:
                raise InvalidInput(f"A {self.transport} server takes a url, not a command.")
        if self.auth_mode == "bearer" and not self.token:
            raise InvalidInput("auth_mode 'bearer' needs an auth_token.")
        if self.auth_mode == "headers" and not self.headers:
            raise InvalidInput("auth_mode 'headers' needs headers.")
        if self.token and self.auth_mode != "bearer":
            raise InvalidInput("auth_token is used only with auth_mode 'bearer'.")
        if self.headers and self.auth_mode != "headers":
            raise InvalidInput("headers are used only with auth_mode 'headers'.")
        for key, value in (self.headers or {}).items():
            if not _HEADER_NAME.match(key) or "\r" in value or "\n" in value:
                raise InvalidInput(f"Header '{key[:100]}' is not a valid HTTP header.")


def server_view(server: McpServer, secrets: SecretBox) -> McpServerOut:
    """The server as responses show it: the token and every header value masked."""
    headers = _stored_headers(server, secrets)
    return McpServerOut(
        id=server.id,
        name=server.name,
        transport=server.transport,
        url=server.url,
        command=server.command,
        args=list(server.args),
        auth_mode=server.auth_mode,
        auth_token=MASK if server.auth_token_enc else None,
        headers=None if headers is None else dict.fromkeys(headers, MASK),
        enabled=server.enabled,
        created_at=server.created_at,
        updated_at=server.updated_at,
    )


async def list_servers(
    db: AsyncSession, secrets: SecretBox, *, limit: int = DEFAULT_LIMIT, offset: int = 0
) -> Page[McpServerOut]:
    """Servers by name (case-insensitive), secrets masked."""
    query = select(McpServer).order_by(func.lower(McpServer.name))
    return await fetch_page(db, query, lambda row: server_view(row, secrets), limit=limit, offset=offset)


async def load_server(db: AsyncSession, server_id: str) -> McpServer:
    server = await db.get(McpServer, server_id)
    if server is None:
        raise NotFound(f"No MCP server with id '{server_id}'.")
    return server


async def find_server(db: AsyncSession, name_or_id: str) -> McpServer:
    """A server by id or by name (case-insensitive), for the CLI."""
    server = await db.get(McpServer, name_or_id) or await db.scalar(
        select(McpServer).where(func.lower(McpServer.name) == name_or_id.strip().lower())
    )
    if server is None:
        raise NotFound(f"No MCP server named or with id '{name_or_id}'.")
    return server


async def get_server(db: AsyncSession, secrets: SecretBox, server_id: str) -> McpServerOut:
    return server_view(await load_server(db, server_id), secrets)


async def create_server(db: AsyncSession, secrets: SecretBox, data: McpServerCreate) -> McpServerOut:
    """Register a server; its token and headers are stored encrypted."""
    fields = _Fields(
        name=data.name,
        transport=data.transport,
        url=_blank_to_none(data.url),
        command=_blank_to_none(data.command),
        args=list(data.args),
        auth_mode=data.auth_mode,
        token=_new_secret(data.auth_token),
        headers=_new_headers(data.headers, {}),
    )
    fields.check()
    await _ensure_name_free(db, fields.name)
    server = McpServer(enabled=data.enabled)
    _store(server, fields, secrets)
    db.add(server)
    await _commit(db, fields.name)
    return server_view(server, secrets)


async def update_server(db: AsyncSession, secrets: SecretBox, server_id: str, data: McpServerUpdate) -> McpServerOut:
    """Change the fields sent. Switching transport drops the other kind of target; switching auth_mode
    drops the secrets the new mode does not use; `*****` keeps a stored secret."""
    server = await load_server(db, server_id)
    sent = data.model_fields_set
    stored_headers = _stored_headers(server, secrets) or {}
    fields = _Fields(
        name=data.name or server.name,
        transport=data.transport or server.transport,
        url=_blank_to_none(data.url) if "url" in sent else server.url,
        command=_blank_to_none(data.command) if "command" in sent else server.command,
        args=list(data.args or []) if "args" in sent else list(server.args),
        auth_mode=data.auth_mode or server.auth_mode,
        token=_stored_token(server, secrets),
        headers=stored_headers or None,
    )
    if "auth_token" in sent and data.auth_token != MASK:
        fields.token = _new_secret(data.auth_token)
    if "headers" in sent:
        fields.headers = _new_headers(data.headers, stored_headers)
    if data.transport and data.transport != server.transport:
        if data.transport == "stdio" and "url" not in sent:
            fields.url = None
        if data.transport != "stdio" and "command" not in sent and "args" not in sent:
            fields.command, fields.args = None, []
    if data.auth_mode and data.auth_mode != server.auth_mode:
        fields.token = fields.token if "auth_token" in sent else None
        fields.headers = fields.headers if "headers" in sent else None
    fields.check()
    if fields.name.lower() != server.name.lower():
        await _ensure_name_free(db, fields.name)
    _store(server, fields, secrets)
    if data.enabled is not None:
        server.enabled = data.enabled
    await _commit(db, fields.name)
    return server_view(server, secrets)


async def delete_server(db: AsyncSession, server_id: str) -> None:
    await db.delete(await load_server(db, server_id))
    await db.commit()


def server_spec(
    server: McpServer, secrets: SecretBox, *, user_token: str | None = None, timeout: float = DEFAULT_OPEN_TIMEOUT
) -> ServerSpec:
    """How to reach a registered server for one user. `user_token` (the caller's login token) is sent only
    to servers registered with auth_mode forward_user_token."""
    headers: dict[str, str] = {}
    token = _stored_token(server, secrets)
    if server.auth_mode == "bearer" and token:
        headers["Authorization"] = bearer(token)
    elif server.auth_mode == "headers":
        headers.update(_stored_headers(server, secrets) or {})
    elif server.auth_mode == "forward_user_token" and user_token:
        headers["Authorization"] = bearer(user_token)
    return ServerSpec(
        name=server.name,
        transport=cast(TransportName, server.transport),  # checked when stored
        url=server.url,
        command=server.command,
        args=tuple(server.args),
        headers=headers,
        timeout=timeout,
        policy=REGISTERED_SERVERS,
    )


async def registered_specs(
    db: AsyncSession, secrets: SecretBox, server_ids: Sequence[str], *, user_token: str | None = None
) -> list[ServerSpec]:
    """Specs for the servers a user picked by id (400 for an unknown or disabled one)."""
    specs = []
    for server_id in server_ids:
        server = await db.get(McpServer, server_id)
        if server is None:
            raise InvalidInput(f"No registered MCP server with id '{server_id}'.")
        if not server.enabled:
            raise InvalidInput(f"MCP server '{server.name}' is disabled.")
        specs.append(server_spec(server, secrets, user_token=user_token))
    return specs


async def check_server(
    db: AsyncSession, secrets: SecretBox, server_id: str, *, user_token: str | None = None
) -> McpServerTest:
    """Connect, list the tools and disconnect; a failure is reported, not raised."""
    spec = server_spec(await load_server(db, server_id), secrets, user_token=user_token)
    started = time.perf_counter()
    try:
        async with McpConnection(spec) as connection:
            names = [tool.name for tool in connection.tools]
    except LLMChatError as exc:
        return McpServerTest(ok=False, error=exc.message, elapsed_ms=_ms_since(started))
    return McpServerTest(ok=True, tool_count=len(names), tools=names, elapsed_ms=_ms_since(started))


def _store(server: McpServer, fields: _Fields, secrets: SecretBox) -> None:
    server.name = fields.name
    server.transport = fields.transport
    server.url = fields.url
    server.command = fields.command
    server.args = fields.args
    server.auth_mode = fields.auth_mode
    server.auth_token_enc = secrets.encrypt(fields.token) if fields.token else None
    server.headers_enc = secrets.encrypt(json.dumps(fields.headers)) if fields.headers else None


def _stored_token(server: McpServer, secrets: SecretBox) -> str | None:
    return secrets.decrypt(server.auth_token_enc) if server.auth_token_enc else None


def _stored_headers(server: McpServer, secrets: SecretBox) -> dict[str, str] | None:
    if server.headers_enc is None:
        return None
    headers: dict[str, str] = json.loads(secrets.decrypt(server.headers_enc))
    return headers


def _new_secret(value: str | None) -> str | None:
    """A token as sent: blank means none; the mask means none either, as nothing is stored yet."""
    value = (value or "").strip()
    return value if value and value != MASK else None


def _new_headers(sent: dict[str, str] | None, stored: dict[str, str]) -> dict[str, str] | None:
    """The headers sent, with `*****` replaced by the stored value of the same header."""
    if not sent:
        return None
    headers = {}
    for key, value in sent.items():
        name = key.strip()
        if value == MASK:
            if name not in stored:
                raise InvalidInput(f"Header '{name}' has no stored value to keep; send its value.")
            value = stored[name]
        headers[name] = value.strip()
    return headers


def _blank_to_none(value: str | None) -> str | None:
    return (value or "").strip() or None


def _ms_since(started: float) -> int:
    return round((time.perf_counter() - started) * 1000)


async def _ensure_name_free(db: AsyncSession, name: str) -> None:
    if await db.scalar(select(McpServer.id).where(func.lower(McpServer.name) == name.lower())) is not None:
        raise Conflict(f"An MCP server named '{name}' already exists.")


async def _commit(db: AsyncSession, name: str) -> None:
    """Commit, turning a unique-name race with another writer into a 409."""
    try:
        await db.commit()
    except IntegrityError:
        await db.rollback()
        raise Conflict(f"An MCP server named '{name}' already exists.") from None
