"""Persistence: SQLAlchemy 2 async models, the engine, and Alembic migrations."""

from llmchat.db.engine import Database
from llmchat.db.models import ApiToken, AppMeta, Base, LLMModel, LLMProvider, McpServer, User

__all__ = ["ApiToken", "AppMeta", "Base", "Database", "LLMModel", "LLMProvider", "McpServer", "User"]
