"""Re-encrypt every stored secret with the newest key, so an old key can be retired."""

from __future__ import annotations

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from llmchat.crypto import SecretBox
from llmchat.db.models import Base


async def rotate_secrets(session: AsyncSession, box: SecretBox) -> int:
    """Rewrite each `*_enc` column of every table with the newest key; returns how many values changed."""
    changed = 0
    for table in Base.metadata.sorted_tables:
        columns = [c for c in table.columns if c.name.endswith("_enc")]
        if not columns:
            continue
        pk = table.primary_key.columns.values()[0]
        rows = (await session.execute(select(pk, *columns))).all()
        for row in rows:
            values = {c.name: box.rotate(row[i + 1]) for i, c in enumerate(columns) if row[i + 1]}
            if values:
                await session.execute(update(table).where(pk == row[0]).values(**values))
                changed += len(values)
    await session.commit()
    return changed
