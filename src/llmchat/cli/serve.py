"""`llmchat serve`: run the HTTP service."""

from __future__ import annotations

from typing import Annotated

import typer

from llmchat.cli._common import err_console, settings_or_exit


def serve(
    host: Annotated[str | None, typer.Option(help="Address to listen on (default: LLMCHAT_HOST).")] = None,
    port: Annotated[int | None, typer.Option(help="Port to listen on (default: LLMCHAT_PORT).")] = None,
    workers: Annotated[int | None, typer.Option(help="Worker processes (>1 needs LLMCHAT_REDIS_URL).")] = None,
) -> None:
    """Serve the API and web UI (SQLite in the data directory and in-process state by default)."""
    settings = settings_or_exit()
    workers = workers or settings.workers
    if workers > 1 and not settings.redis_url:
        err_console.print(
            "[bold red]error:[/] several workers need shared state: set LLMCHAT_REDIS_URL, or run one worker.",
            highlight=False,
        )
        raise typer.Exit(2)

    import uvicorn

    uvicorn.run(
        "llmchat.app:create_app",
        factory=True,
        host=host or settings.host,
        port=port or settings.port,
        workers=workers,
        log_level=settings.log_level,
        proxy_headers=True,
        # Chat clients pause between messages; closing idle keep-alive connections after uvicorn's default 5 s
        # races clients that reuse them (a request sent as the server closes fails with an empty read error).
        timeout_keep_alive=75,
    )
