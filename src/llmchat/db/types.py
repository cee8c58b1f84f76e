"""Column types that read back the same on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import DateTime
from sqlalchemy.engine import Dialect
from sqlalchemy.types import TypeDecorator


class UTCDateTime(TypeDecorator[datetime]):
    """A `DateTime(timezone=True)` column whose values are always aware and in UTC.

    PostgreSQL keeps the zone but SQLite drops it, so values are converted to UTC on the way in and
    naive ones read back are taken as UTC. A naive value on the way in is refused (ValueError): which
    zone it meant cannot be known, and every time llmchat writes comes from `datetime.now(UTC)`.
    """

    impl = DateTime
    cache_ok = True

    def __init__(self) -> None:
        super().__init__(timezone=True)

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError(f"Naive datetime {value.isoformat()} given for a UTC column; attach a zone first.")
        return value.astimezone(UTC)

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)
