"""One router module per resource; `include_all` mounts them."""

from fastapi import FastAPI

from llmchat.api.routes import health


def include_all(app: FastAPI) -> None:
    app.include_router(health.router)
