"""Floors for start-up and memory, in a fresh process: importing our libraries, and idle MCP client sessions.

`python -m benchmarks.import_floor [MCP_URL N]` prints `IMPORTED {json}` once the libraries llmchat serves
with are imported (seconds, RSS), then, given a URL, opens N sessions with the official SDK (each listing the
tools) and prints `SESSIONS {json}` with the RSS they added per session.
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


async def _sessions(url: str, count: int) -> dict[str, float]:
    import mcp

    opened: list[mcp.Client] = []
    before = rss_bytes()
    try:
        for _ in range(count):
            client = mcp.Client(url)
            await client.__aenter__()
            opened.append(client)
            await client.list_tools()
        after = rss_bytes()
    finally:
        for client in reversed(opened):
            await client.__aexit__(None, None, None)
    return {"sessions": count, "rss_per_session_kb": (after - before) / count / 1024}


def main() -> None:
    _import_libraries()
    imported = {"import_s": time.perf_counter() - _started, "rss_mb": rss_bytes() / 1024 / 1024}
    print("IMPORTED " + json.dumps(imported), flush=True)
    if len(sys.argv) == 3:
        print("SESSIONS " + json.dumps(asyncio.run(_sessions(sys.argv[1], int(sys.argv[2])))), flush=True)


if __name__ == "__main__":
    main()
