"""Alembic environment: runs on the connection handed over by `Database.upgrade`."""

from alembic import context

from llmchat.db.models import Base

target_metadata = Base.metadata
connection = context.config.attributes.get("connection")
if connection is None:
    raise RuntimeError("Run migrations through `llmchat db upgrade`, which supplies the connection.")

context.configure(connection=connection, target_metadata=target_metadata, render_as_batch=True)
with context.begin_transaction():
    context.run_migrations()
