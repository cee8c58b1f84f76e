"""Paged lists: the `{items, total, limit, offset}` shape of the admin lists, and how to fill and read them."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Generic, TypeVar

from pydantic import BaseModel
from sqlalchemy import Select, func, select
from sqlalchemy.ext.asyncio import AsyncSession

DEFAULT_LIMIT = 50
MAX_LIMIT = 500

R = TypeVar("R")
T = TypeVar("T")


class Page(BaseModel, Generic[T]):
    """One page of a list: `total` counts every item, `limit`/`offset` echo the request."""

    items: list[T]
    total: int
    limit: int
    offset: int


async def fetch_page(db: AsyncSession, query: Select[R], view: Callable[[R], T], *, limit: int, offset: int) -> Page[T]:
    """The rows of the ordered `query` from `offset`, at most `limit` of them, each shown through `view`."""
    total = await db.scalar(select(func.count()).select_from(query.order_by(None).subquery())) or 0
    rows = await db.scalars(query.limit(limit).offset(offset))
    return Page(items=[view(row) for row in rows], total=total, limit=limit, offset=offset)


async def every_item(fetch: Callable[[int], Awaitable[Page[T]]]) -> list[T]:
    """All the items of a paged list, asking `fetch(offset)` for one page after another."""
    items: list[T] = []
    while True:
        page = await fetch(len(items))
        items += page.items
        if not page.items or len(items) >= page.total:
            return items
