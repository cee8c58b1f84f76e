"""Roles and the permissions each one grants."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Literal

Role = Literal["admin", "user", "viewer"]
ROLES: tuple[Role, ...] = ("admin", "user", "viewer")

LLM_INVOKE = "llm.invoke"
"""Chat with a model."""
LLM_READ = "llm.read"
"""See session status, config and the models list."""
ADMIN = "admin"
"""Manage settings, MCP servers and users."""

ROLE_PERMISSIONS: Mapping[str, frozenset[str]] = {
    "admin": frozenset({ADMIN, LLM_INVOKE, LLM_READ}),
    "user": frozenset({LLM_INVOKE, LLM_READ}),
    "viewer": frozenset({LLM_READ}),
}


def permissions_for(role: str) -> frozenset[str]:
    """The permissions of a role; an unknown role (e.g. from an older version) grants none."""
    return ROLE_PERMISSIONS.get(role, frozenset())
