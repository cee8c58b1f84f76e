"""A short-lived cache of the users behind login JWTs, so a request does not cost a database round trip."""

from __future__ import annotations

import time
from dataclasses import dataclass

CACHE_SECONDS = 5.0
"""How long a user read for a login JWT is reused. Changes made through this process apply at once (see
`forget`); changes made by another worker apply within this many seconds."""

_MAX_ENTRIES = 10_000


@dataclass(frozen=True, slots=True)
class Account:
    """What authentication needs of a user."""

    id: str
    email: str
    role: str
    is_active: bool


_entries: dict[str, tuple[float, Account]] = {}


def recall(user_id: str) -> Account | None:
    entry = _entries.get(user_id)
    if entry is None or entry[0] <= time.monotonic():
        return None
    return entry[1]


def remember(account: Account) -> None:
    if len(_entries) >= _MAX_ENTRIES:
        _entries.clear()
    _entries[account.id] = (time.monotonic() + CACHE_SECONDS, account)


def forget(user_id: str) -> None:
    """Drop a cached user, so a change to it applies to the next request."""
    _entries.pop(user_id, None)
