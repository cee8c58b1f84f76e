"""The FastAPI application: wiring of services, routers and the error mapping."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse

from llmchat.api import routes
from llmchat.api.validation import describe_validation_error
from llmchat.errors import LLMChatError
from llmchat.services import Services
from llmchat.settings import Settings, load_settings

log = logging.getLogger("llmchat")


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or load_settings()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        services = await Services.start(settings)
        app.state.services = services
        try:
            yield
        finally:
            await services.stop()

    app = FastAPI(title="llmchat", version="0.1.0", lifespan=lifespan)
    app.state.settings = settings

    @app.exception_handler(LLMChatError)
    async def _llmchat_error(_request: Request, exc: LLMChatError) -> JSONResponse:
        return JSONResponse({"detail": exc.message}, status_code=exc.status_code, headers=dict(exc.headers))

    @app.exception_handler(RequestValidationError)
    async def _validation_error(_request: Request, exc: RequestValidationError) -> JSONResponse:
        return JSONResponse(
            {"detail": describe_validation_error(exc.errors()), "errors": _safe_errors(exc.errors())},
            status_code=422,
        )

    routes.include_all(app)
    return app


def _safe_errors(errors: object) -> list[dict[str, object]]:
    """Field errors without the submitted values (they may hold secrets)."""
    out: list[dict[str, object]] = []
    for err in errors if isinstance(errors, list | tuple) else []:
        out.append({"loc": list(err.get("loc", ())), "msg": err.get("msg", ""), "type": err.get("type", "")})
    return out
