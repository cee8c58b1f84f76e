"""Floors for start-up and memory, in a fresh process: importing our libraries, and idle MCP client sessions.

`python -m benchmarks.import_floor [MCP_URL N [shared-tls]]` prints `IMPORTED {json}` once the libraries
llmchat serves with are imported (seconds, RSS), then, given a URL, opens N sessions with the official SDK
(each listing the tools) and prints `SESSIONS {json}` with the RSS they added per session: `mcp.Client(url)`
as it comes (each session builds its own TLS context, ~0.9 MB) or, with `shared-tls`, over httpx2 clients
that share one TLS context, as llmchat's do. One kind per process: memory the first kind freed would be
reused by the second.
"""

from __future__ import annotations

import asyncio
import json
import os
import sys
import time

_started = time.perf_counter()


def rss_bytes() -> int:
    """This process's resident set size (read directly: importing the harness would skew the floor)."""
    with open("/proc/self/statm", "rb") as f:
        return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")


def _import_libraries() -> None:
    import fastapi  # noqa: F401
    import mcp  # noqa: F401
    import pydantic_ai.models.openai  # noqa: F401
    import sqlalchemy.ext.asyncio  # noqa: F401
    import uvicorn  # noqa: F401


async def _sessions(url: str, count: int, *, shared_tls: bool) -> float:
    """RSS per idle session, in kB."""
    import contextlib

    import httpx2
    import mcp
    from mcp.client.streamable_http import streamable_http_client

    context = httpx2.create_ssl_context()
    before = rss_bytes()
    async with contextlib.AsyncExitStack() as stack:
        for _ in range(count):
            if shared_tls:
                http = await stack.enter_async_context(httpx2.AsyncClient(verify=context))
                client = await stack.enter_async_context(mcp.Client(streamable_http_client(url, http_client=http)))
            else:
                client = await stack.enter_async_context(mcp.Client(url))
            await client.list_tools()
        after = rss_bytes()
    return (after - before) / count / 1024


def main() -> None:
    _import_libraries()
    imported = {"import_s": time.perf_counter() - _started, "rss_mb": rss_bytes() / 1024 / 1024}
    print("IMPORTED " + json.dumps(imported), flush=True)
    if len(sys.argv) >= 3:
        shared = sys.argv[3:] == ["shared-tls"]
        per_session = asyncio.run(_sessions(sys.argv[1], int(sys.argv[2]), shared_tls=shared))
        print("SESSIONS " + json.dumps({"sessions": int(sys.argv[2]), "rss_per_session_kb": per_session}), flush=True)


if __name__ == "__main__":
    main()
