"""One benchmark run: start the processes, measure every line, stop what was started, return the report."""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import logging
import subprocess
import tempfile
import time
import traceback
from collections.abc import Awaitable, Callable, Collection
from datetime import UTC, datetime
from pathlib import Path

import httpx

from benchmarks import lifecycle, load, measures
from benchmarks.client import ChatApi, RawLLM, pooled_client
from benchmarks.context import PLAIN, Ctx, Scale, floor_model, server_tools
from benchmarks.procs import (
    ADMIN_EMAIL,
    ADMIN_PASSWORD,
    HOST,
    JWT_SECRET,
    ROOT,
    Proc,
    Service,
    machine,
    start_everything,
    start_fake_llm,
    start_redis,
    start_service,
)
from benchmarks.profiling import profiling
from benchmarks.report import Report, Row
from benchmarks.seed import seed_users

log = logging.getLogger("benchmarks")

MEASURES = ("startup", "memory", "plain_turn", "ttft", "long_stream", "tool_turn", "connect", "users", "streams")
"""Names for `--only`; start-up and memory are always measured when the service starts."""
TURN_MEASURES = ("plain_turn", "ttft", "tool_turn", "connect", "users")
"""What runs again with Redis-backed state, once the service has that mode."""


def git_info() -> dict[str, object]:
    def git(*args: str) -> str:
        try:
            return subprocess.run(["git", *args], cwd=ROOT, capture_output=True, text=True, timeout=10).stdout.strip()
        except (OSError, subprocess.SubprocessError):
            return ""

    return {"commit": git("rev-parse", "--short", "HEAD") or "?", "dirty": bool(git("status", "--porcelain"))}


async def _guard(ctx: Ctx, key: str, label: str, step: Callable[[Ctx], Awaitable[Row]], timeout: float) -> None:
    """Run one measure (under py-spy when profiling); a failure becomes an ERROR row instead of ending the run."""
    log.info("measuring %s", label)
    try:
        async with asyncio.timeout(timeout):
            with profiling(ctx.service.proc.pid, ctx.key(key)):
                ctx.report.rows.append(await step(ctx))
    except Exception as exc:
        log.debug("%s failed", key, exc_info=True)
        detail = "".join(traceback.format_exception_only(exc)).strip()
        ctx.report.rows.append(Row(key=ctx.key(key), measure=ctx.label(label), error=detail[:500]))


async def _make_ctx(
    scale: Scale, report: Report, llm: Proc, everything: Proc, service: Service, http: httpx.AsyncClient, mode: str
) -> Ctx:
    api = ChatApi(http, service.url)
    admin_token = await api.login(ADMIN_EMAIL, ADMIN_PASSWORD)
    model_ref = await api.add_model(admin_token, llm.url)
    mcp_url = f"{everything.url}/mcp"
    openai_tools, defs = await server_tools(mcp_url)
    users = await seed_users(service.database_url, JWT_SECRET, scale.users)
    ctx = Ctx(
        scale=scale,
        report=report,
        llm=llm,
        everything=everything,
        service=service,
        http=http,
        api=api,
        raw=RawLLM(http, llm.url, openai_tools),
        model_ref=model_ref,
        admin_email=ADMIN_EMAIL,
        admin_token=admin_token,
        tool_defs=defs,
        pai_model=floor_model(llm.url),
        users=users,
        mode=mode,
    )
    # Warm-up: the first connect and turns load what the service imports lazily.
    await api.connect(admin_token, ADMIN_EMAIL, model_ref, mcp_url)
    await api.chat(admin_token, ADMIN_EMAIL, PLAIN)
    await api.chat_stream(admin_token, ADMIN_EMAIL, PLAIN)
    await api.disconnect(admin_token, ADMIN_EMAIL)
    return ctx


async def _turn_measures(ctx: Ctx, only: Collection[str]) -> None:
    scale = ctx.scale
    steps: list[tuple[str, str, Callable[[Ctx], Awaitable[Row]]]] = [
        ("plain_turn", "plain turn", measures.plain_turn),
        ("ttft", "time to first token", measures.first_token),
        ("long_stream", "long stream", measures.long_stream),
        ("tool_turn", "tool turn", measures.tool_turn),
        ("connect", "connect", measures.connect),
    ]
    for key, label, step in steps:
        if key in only:
            await ctx.refresh_long_histories()
            await _guard(ctx, key, label, step, timeout=scale.load_timeout * 2)


async def _load_measures(ctx: Ctx, only: Collection[str]) -> None:
    if "users" in only:
        await _guard(ctx, "users_at_once", "users at once", load.users_at_once, ctx.scale.load_timeout * 3)
    if "streams" in only:
        await _guard(ctx, "streams_at_once", "streams at once", load.streams_at_once, ctx.scale.load_timeout * 3)
    with contextlib.suppress(Exception):
        await ctx.disconnect_users(ctx.users)


async def _memory_mode(
    scale: Scale, report: Report, procs: dict[str, Proc], http: httpx.AsyncClient, tmp: Path, only: Collection[str]
) -> None:
    llm, everything = procs["llm"], procs["everything"]
    floor = await lifecycle.import_floor(f"{everything.url}/mcp", sessions=min(50, scale.users))
    service = await lifecycle.startup(report, tmp / "logs", tmp / "data", scale.warm_starts, floor)
    procs["service"] = service.proc
    at_start = await lifecycle.idle_rss(service)
    ctx = await _make_ctx(scale, report, llm, everything, service, http, "memory")
    warm = await lifecycle.idle_rss(service, 0.5)
    report.rows.append(lifecycle.idle_row(at_start, warm, floor))
    await _guard(ctx, "memory_session", "memory per session", lambda c: lifecycle.session_memory(c, floor), 600)
    await _turn_measures(ctx, only)
    if "memory" in only:
        await _guard(ctx, "memory_cycles", "memory after cycles", lifecycle.leak, scale.load_timeout * 2)
    await _load_measures(ctx, only)
    after = await lifecycle.idle_rss(service, 0.5)
    report.notes.append(f"service RSS after the whole run, every session closed: {after:.1f} MB")
    service.proc.stop()


async def _redis_mode(
    scale: Scale, report: Report, procs: dict[str, Proc], http: httpx.AsyncClient, tmp: Path, only: Collection[str]
) -> None:
    """The turn measures again with LLMCHAT_REDIS_URL set, when the service has a Redis-backed mode."""
    redis = await asyncio.to_thread(start_redis, tmp / "logs")
    if redis is None:
        report.notes.append("Redis mode skipped: no redis-server on PATH.")
        return
    procs["redis"] = redis
    service = await asyncio.to_thread(
        start_service,
        tmp / "logs",
        tmp / "data-redis",
        name="llmchat-redis",
        redis_url=f"redis://{HOST}:{redis.port}/0",
    )
    procs["service-redis"] = service.proc
    checks = (await ChatApi(http, service.url).ready()).get("checks", {})
    if "redis" not in checks:
        report.notes.append(
            "Redis mode skipped: with LLMCHAT_REDIS_URL set, /ready reports no redis check, so the service keeps "
            "its state in-process (no Redis-backed mode yet)."
        )
        service.proc.stop()
        return
    ctx = await _make_ctx(scale, report, procs["llm"], procs["everything"], service, http, "redis")
    await ctx.connect_users(ctx.users)
    await _turn_measures(ctx, [m for m in TURN_MEASURES if m in only])
    await _load_measures(ctx, [m for m in TURN_MEASURES if m in only])
    service.proc.stop()


async def run(
    scale: Scale, *, modes: Collection[str] = ("memory", "redis"), only: Collection[str] = MEASURES
) -> Report:
    """Measure everything asked for; every process started here is stopped before returning."""
    started = time.perf_counter()
    report = Report(
        started=datetime.now(UTC).isoformat(timespec="seconds"),
        machine=machine(),
        scale=dataclasses.asdict(scale),
        git=git_info(),
    )
    procs: dict[str, Proc] = {}
    with tempfile.TemporaryDirectory(prefix="llmchat-bench-") as tmp_name:
        tmp = Path(tmp_name)
        (tmp / "logs").mkdir()
        try:
            procs["llm"] = await asyncio.to_thread(start_fake_llm, tmp / "logs")
            procs["everything"] = await asyncio.to_thread(start_everything, tmp / "logs")
            async with pooled_client() as http:
                if "memory" in modes:
                    await _memory_mode(scale, report, procs, http, tmp, only)
                if "redis" in modes:
                    await _redis_mode(scale, report, procs, http, tmp, only)
        finally:
            for proc in reversed(procs.values()):
                proc.stop()
    report.machine["load_average_end"] = machine()["load_average"]
    report.duration_s = time.perf_counter() - started
    return report
