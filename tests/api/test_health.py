import httpx
from sqlalchemy import inspect

from llmchat.db import Database


async def test_health_ready_and_metrics(client: httpx.AsyncClient) -> None:
    assert (await client.get("/health")).json() == {"status": "ok"}
    ready = await client.get("/ready")
    assert ready.status_code == 200
    assert ready.json()["checks"]["database"] == "ok"
    metrics = await client.get("/metrics")
    assert metrics.status_code == 200
    assert "python_gc_objects_collected_total" in metrics.text


async def test_migrations_create_tables(database_url: str) -> None:
    db = Database(database_url)
    try:
        await db.upgrade()
        await db.upgrade()  # idempotent
        async with db.engine.connect() as conn:
            names = await conn.run_sync(lambda c: set(inspect(c).get_table_names()))
        assert {"users", "api_tokens", "llm_providers", "llm_models", "alembic_version"} <= names
    finally:
        await db.dispose()
