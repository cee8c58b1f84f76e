"""`UTCDateTime`: every datetime column reads back aware and in UTC. Both databases."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest
from sqlalchemy.exc import StatementError

from llmchat.db import Database, User


async def test_a_datetime_comes_back_aware_in_utc(database: Database) -> None:
    paris_summer = timezone(timedelta(hours=2))
    written = datetime(2024, 7, 1, 14, 30, 15, 123456, tzinfo=paris_summer)
    async with database.session() as session:
        session.add(User(id="u1", email="a@example.com", password_hash="x", created_at=written))
        await session.commit()

    async with database.session() as session:
        read = (await session.get_one(User, "u1")).created_at

    assert read.tzinfo is UTC
    assert read == datetime(2024, 7, 1, 12, 30, 15, 123456, tzinfo=UTC)


async def test_a_naive_datetime_is_refused(database: Database) -> None:
    async with database.session() as session:
        session.add(User(id="u1", email="a@example.com", password_hash="x", created_at=datetime(2024, 7, 1)))
        with pytest.raises(StatementError, match="Naive datetime"):
            await session.commit()
