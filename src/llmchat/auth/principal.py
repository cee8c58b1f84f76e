"""Who is making a request: the identity every layer below the API works with."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

Via = Literal["bearer", "cookie", "api_token"]


@dataclass(frozen=True)
class Principal:
    """An authenticated user.

    `token` is the raw login JWT when the caller authenticated with one (bearer or cookie), so it can be
    forwarded to MCP servers registered with auth mode `forward_user_token`; it is None for API tokens.
    """

    id: str
    email: str
    role: str
    permissions: frozenset[str]
    via: Via
    token: str | None = field(default=None, repr=False)

    def has(self, permission: str) -> bool:
        return permission in self.permissions
