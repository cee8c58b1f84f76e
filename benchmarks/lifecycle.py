"""Start-up time and memory: the service process as a whole, beside a bare process importing our libraries."""

from __future__ import annotations

import asyncio
import json
import statistics
import sys
import time
from dataclasses import dataclass
from pathlib import Path

from benchmarks.context import Ctx
from benchmarks.procs import ROOT, Service, start_service
from benchmarks.report import Report, Row, fmt

MB = 1024 * 1024


@dataclass
class ImportFloor:
    """A fresh Python importing fastapi, uvicorn, pydantic-ai's OpenAI model, mcp and SQLAlchemy."""

    seconds: float = float("nan")
    """From spawning the interpreter to the imports done."""
    rss_mb: float = float("nan")
    session_kb: float = float("nan")
    """RSS per idle MCP client session (official SDK, tools listed)."""
    shared_tls_kb: float = float("nan")
    """The same, the sessions' httpx2 clients sharing one TLS context (as llmchat's do)."""
    sessions: int = 0


async def import_floor(mcp_url: str, sessions: int) -> ImportFloor:
    floor = ImportFloor(sessions=sessions)
    started = time.perf_counter()
    for line in await _import_floor_process(mcp_url, str(sessions)):
        kind, _, data = line.partition(" ")
        if kind == "IMPORTED":
            floor.seconds = json.loads(data)["at"] - started
            floor.rss_mb = json.loads(data)["rss_mb"]
        elif kind == "SESSIONS":
            floor.session_kb = json.loads(data)["rss_per_session_kb"]
    for line in await _import_floor_process(mcp_url, str(sessions), "shared-tls"):
        kind, _, data = line.partition(" ")
        if kind == "SESSIONS":
            floor.shared_tls_kb = json.loads(data)["rss_per_session_kb"]
    return floor


async def _import_floor_process(*args: str) -> list[str]:
    """The lines `python -m benchmarks.import_floor ARGS` prints, each IMPORTED line given the time it arrived."""
    proc = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "benchmarks.import_floor", *args, cwd=ROOT, stdout=asyncio.subprocess.PIPE
    )
    assert proc.stdout is not None
    lines: list[str] = []
    try:
        async with asyncio.timeout(120):
            async for raw in proc.stdout:
                line = raw.decode()
                if line.startswith("IMPORTED "):
                    line = "IMPORTED " + json.dumps({**json.loads(line[9:]), "at": time.perf_counter()})
                lines.append(line)
            await proc.wait()
    finally:
        if proc.returncode is None:
            proc.kill()
            await proc.wait()
    return lines


async def startup(report: Report, log_dir: Path, data_dir: Path, warm_starts: int, floor: ImportFloor) -> Service:
    """`llmchat serve` to `/health` 200: once on an empty data directory, then restarted on it; the last one
    started stays running for the other measures."""
    service = await asyncio.to_thread(start_service, log_dir, data_dir)
    first = service.started_in
    warm: list[float] = []
    for _ in range(warm_starts):
        await asyncio.to_thread(service.proc.stop)
        service = await asyncio.to_thread(start_service, log_dir, data_dir)
        warm.append(service.started_in)
    figure = statistics.median(warm) if warm else first
    report.rows.append(
        Row(
            key="startup",
            measure="start-up: `llmchat serve` to /health 200",
            service=f"first start {fmt(first)} s (migrations, keys, admin)"
            + (f" · restart median {fmt(figure)} s of {len(warm)}" if warm else ""),
            floor=f"python + imports of our libraries {fmt(floor.seconds)} s",
            result=f"{fmt(figure)} s",
            target="<= 3 s",
            met=figure <= 3.0,
            values={"first_start_s": first, "restarts_s": warm, "figure_s": figure, "import_floor_s": floor.seconds},
        )
    )
    return service


async def idle_rss(service: Service, settle: float = 1.0) -> float:
    await asyncio.sleep(settle)
    return service.proc.rss() / MB


def idle_row(at_start_mb: float, warm_mb: float, floor: ImportFloor) -> Row:
    worst = max(at_start_mb, warm_mb)
    return Row(
        key="memory_idle",
        measure="memory: idle worker RSS",
        service=f"at start {fmt(at_start_mb, 1)} MB · after a warm-up turn {fmt(warm_mb, 1)} MB",
        floor=f"bare imports {fmt(floor.rss_mb, 1)} MB",
        result=f"{fmt(worst, 1)} MB",
        target="<= 200 MB",
        met=worst <= 200,
        values={"at_start_mb": at_start_mb, "warm_mb": warm_mb, "import_floor_mb": floor.rss_mb},
    )


async def session_memory(ctx: Ctx, floor: ImportFloor) -> Row:
    """RSS added per connected idle session: connect every benchmark user (tools listed, no turn yet)."""
    emails = sorted(ctx.users)
    await ctx.disconnect_users(emails)
    before = await idle_rss(ctx.service, 0.5)
    await ctx.connect_users(emails)
    after = await idle_rss(ctx.service, 0.5)
    per_kb = (after - before) * 1024 / len(emails)
    return Row(
        key="memory_session",
        measure=f"memory: per connected idle session ({len(emails)} sessions)",
        service=f"{fmt(before, 1)} → {fmt(after, 1)} MB",
        floor=(
            f"MCP SDK client session {fmt(floor.session_kb, 0)} kB, "
            f"{fmt(floor.shared_tls_kb, 0)} kB with one shared TLS context (of {floor.sessions})"
        ),
        result=f"{fmt(per_kb, 0)} kB/session",
        target="<= 150 kB",
        met=per_kb <= 150,
        values={
            "sessions": len(emails),
            "before_mb": before,
            "after_mb": after,
            "per_session_kb": per_kb,
            "mcp_client_session_kb": floor.session_kb,
            "mcp_client_session_shared_tls_kb": floor.shared_tls_kb,
        },
    )


async def leak(ctx: Ctx) -> Row:
    """RSS before and after many connect/disconnect cycles (spread over the benchmark users)."""
    emails = sorted(ctx.users)
    cycles = ctx.scale.cycles
    await ctx.disconnect_users(emails)
    before = await idle_rss(ctx.service, 0.5)
    done = 0
    while done < cycles:
        batch = emails[: min(len(emails), cycles - done)]
        await ctx.connect_users(batch)
        await ctx.disconnect_users(batch)
        done += len(batch)
    after = await idle_rss(ctx.service, 0.5)
    growth = (after - before) / before
    return Row(
        key="memory_cycles",
        measure=f"memory: after {cycles} connect/disconnect cycles",
        service=f"{fmt(before, 1)} → {fmt(after, 1)} MB",
        floor="",
        result=f"{growth * 100:+.1f}%",
        target="within 10% of before",
        met=abs(growth) <= 0.10,
        values={"cycles": cycles, "before_mb": before, "after_mb": after, "growth_pct": growth * 100},
    )
