"""The FastAPI application: wiring of services, routers, the error mapping and the HTTP metrics."""

from __future__ import annotations

import logging
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from llmchat import metrics
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
    app.add_middleware(_HttpMetrics)
    return app


class _HttpMetrics:
    """Counts and times every HTTP request, until its response ends, labelled by its route template.

    Pure ASGI, so a streamed response passes through untouched. The template is that of the route the router
    put in the scope (FastAPI leaves a prefix given to `include_router` out of it: our routers carry theirs).
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        status = 500

        async def send_noting_status(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, send_noting_status)
        finally:
            route = getattr(scope.get("route"), "path_format", "unmatched")
            metrics.request_ended(scope["method"], route, status, time.perf_counter() - started)


def _safe_errors(errors: object) -> list[dict[str, object]]:
    """Field errors without the submitted values (they may hold secrets)."""
    out: list[dict[str, object]] = []
    for err in errors if isinstance(errors, list | tuple) else []:
        out.append({"loc": list(err.get("loc", ())), "msg": err.get("msg", ""), "type": err.get("type", "")})
    return out
