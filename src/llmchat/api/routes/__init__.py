"""One router module per resource; `include_all` mounts them."""

from fastapi import FastAPI

from llmchat.api.routes import auth, gateway, health, llm, llmchat, mcp_servers, users


def include_all(app: FastAPI) -> None:
    app.include_router(health.router)
    app.include_router(auth.router)
    app.include_router(users.router)
    app.include_router(llm.router)
    app.include_router(gateway.router)
    app.include_router(llmchat.router)
    app.include_router(mcp_servers.router)
