"""Tables. Secrets are stored only encrypted (columns ending in `_enc`)."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import JSON, Boolean, Float, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

from llmchat.db.types import UTCDateTime


def new_id() -> str:
    return uuid.uuid4().hex


def utcnow() -> datetime:
    return datetime.now(UTC)


class Base(DeclarativeBase):
    """Every `Mapped[datetime]` column is a `UTCDateTime`: aware UTC values on SQLite and PostgreSQL alike."""

    type_annotation_map = {datetime: UTCDateTime(), dict[str, Any]: JSON}


class AppMeta(Base):
    """Small key/value facts about this installation (e.g. first-start bootstrap done)."""

    __tablename__ = "app_meta"
    key: Mapped[str] = mapped_column(String(100), primary_key=True)
    value: Mapped[str] = mapped_column(Text)


class User(Base):
    __tablename__ = "users"
    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=new_id)
    email: Mapped[str] = mapped_column(String(320), unique=True, index=True)
    password_hash: Mapped[str] = mapped_column(String(255))
    role: Mapped[str] = mapped_column(String(20), default="user")
    is_active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class ApiToken(Base):
    """A long-lived API token; only a hash of the secret is kept."""

    __tablename__ = "api_tokens"
    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=new_id)
    user_id: Mapped[str] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime | None] = mapped_column(default=None)
    last_used_at: Mapped[datetime | None] = mapped_column(default=None)
    revoked_at: Mapped[datetime | None] = mapped_column(default=None)

    user: Mapped[User] = relationship(lazy="joined")


class LLMProvider(Base):
    __tablename__ = "llm_providers"
    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=new_id)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    slug: Mapped[str] = mapped_column(String(200), unique=True)
    provider_type: Mapped[str] = mapped_column(String(40))
    api_base: Mapped[str | None] = mapped_column(String(2000), default=None)
    api_key_enc: Mapped[str | None] = mapped_column(Text, default=None)
    api_version: Mapped[str | None] = mapped_column(String(100), default=None)
    # Non-secret type-specific fields in clear; secret ones encrypted as one token in config_secrets_enc.
    config: Mapped[dict[str, Any]] = mapped_column(default=dict)
    config_secrets_enc: Mapped[str | None] = mapped_column(Text, default=None)
    default_model: Mapped[str | None] = mapped_column(String(200), default=None)
    default_temperature: Mapped[float | None] = mapped_column(Float, default=None)
    default_max_tokens: Mapped[int | None] = mapped_column(Integer, default=None)
    enabled: Mapped[bool] = mapped_column(Boolean, default=True)
    health_status: Mapped[str] = mapped_column(String(20), default="unknown")
    health_error: Mapped[str | None] = mapped_column(Text, default=None)
    health_checked_at: Mapped[datetime | None] = mapped_column(default=None)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    models: Mapped[list[LLMModel]] = relationship(
        back_populates="provider", cascade="all, delete-orphan", passive_deletes=True
    )


class LLMModel(Base):
    __tablename__ = "llm_models"
    __table_args__ = (UniqueConstraint("provider_id", "model_id", name="uq_llm_models_provider_model"),)
    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=new_id)
    provider_id: Mapped[str] = mapped_column(ForeignKey("llm_providers.id", ondelete="CASCADE"), index=True)
    model_id: Mapped[str] = mapped_column(String(300))
    model_name: Mapped[str] = mapped_column(String(300))
    model_alias: Mapped[str | None] = mapped_column(String(300), default=None)
    supports_chat: Mapped[bool] = mapped_column(Boolean, default=True)
    supports_streaming: Mapped[bool] = mapped_column(Boolean, default=True)
    supports_function_calling: Mapped[bool] = mapped_column(Boolean, default=True)
    supports_vision: Mapped[bool] = mapped_column(Boolean, default=False)
    context_window: Mapped[int | None] = mapped_column(Integer, default=None)
    max_output_tokens: Mapped[int | None] = mapped_column(Integer, default=None)
    enabled: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    provider: Mapped[LLMProvider] = relationship(back_populates="models", lazy="joined")


class McpServer(Base):
    """An MCP server registered by an administrator; its token and headers are stored encrypted."""

    __tablename__ = "mcp_servers"
    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=new_id)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    transport: Mapped[str] = mapped_column(String(20), default="streamable_http")
    url: Mapped[str | None] = mapped_column(String(2000), default=None)
    command: Mapped[str | None] = mapped_column(String(1000), default=None)
    args: Mapped[list[str]] = mapped_column(JSON, default=list)
    auth_mode: Mapped[str] = mapped_column(String(30), default="none")
    auth_token_enc: Mapped[str | None] = mapped_column(Text, default=None)
    # All custom headers as one encrypted JSON object.
    headers_enc: Mapped[str | None] = mapped_column(Text, default=None)
    enabled: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
