"""Registered MCP servers at the edges: what the API and CLI send in and get back.

`transport` and `auth_mode` are plain strings here so that an unknown value gets a 400 listing the allowed
ones from the catalogue, not a schema error. Secrets are write-only: responses carry `*****` instead.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from pydantic import BaseModel, Field, StringConstraints

Name = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]
Choice = Annotated[str, StringConstraints(strip_whitespace=True, to_lower=True, max_length=40)]


class McpServerCreate(BaseModel):
    """A server to register: a URL for streamable_http and sse, a command (and args) for stdio."""

    name: Name
    transport: Choice = Field("streamable_http", description="streamable_http, sse or stdio.")
    url: str | None = Field(None, max_length=2000)
    command: str | None = Field(None, max_length=1000)
    args: list[str] = Field(default_factory=list)
    auth_mode: Choice = Field("none", description="none, bearer, headers or forward_user_token.")
    auth_token: str | None = Field(None, description="For auth_mode bearer. Write-only.")
    headers: dict[str, str] | None = Field(None, description="For auth_mode headers. Values are write-only.")
    enabled: bool = True


class McpServerUpdate(BaseModel):
    """A partial update: only the fields sent change. `*****` for the token or a header value keeps it."""

    name: Name | None = None
    transport: Choice | None = None
    url: str | None = Field(None, max_length=2000)
    command: str | None = Field(None, max_length=1000)
    args: list[str] | None = None
    auth_mode: Choice | None = None
    auth_token: str | None = None
    headers: dict[str, str] | None = None
    enabled: bool | None = None


class McpServerOut(BaseModel):
    id: str
    name: str
    transport: str
    url: str | None
    command: str | None
    args: list[str]
    auth_mode: str
    auth_token: str | None = Field(description="'*****' when a token is stored, else null.")
    headers: dict[str, str] | None = Field(description="Header names, each value shown as '*****'.")
    enabled: bool
    created_at: datetime
    updated_at: datetime


class McpServerTest(BaseModel):
    """The result of connecting to a server and listing its tools."""

    ok: bool
    tool_count: int | None = None
    tools: list[str] | None = None
    elapsed_ms: int
    error: str | None = None
