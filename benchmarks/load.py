"""Concurrency measures: many users connecting and chatting at once, many long streams at once.

Both are bounded in count and time and target only the processes of this run on 127.0.0.1. Each is
reported beside the same load done directly (MCP sessions opened with the SDK, the fake LLM called raw).
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from typing import Any

import mcp

from benchmarks import light
from benchmarks.client import BenchError
from benchmarks.context import PLAIN, USER_MESSAGE, Ctx, raw_messages
from benchmarks.fake_llm import DEFAULT_TOKENS, expected_text
from benchmarks.report import FloorRow, Row, fmt, ms
from benchmarks.stats import percentile


class _Outcomes:
    """Latencies and errors of many concurrent flows."""

    def __init__(self) -> None:
        self.latency: dict[str, list[float]] = {}
        self.errors: list[str] = []

    def add(self, what: str, seconds: float) -> None:
        self.latency.setdefault(what, []).append(seconds)

    def p(self, what: str, q: float) -> float:
        return percentile(self.latency.get(what, []), q)

    async def timed(self, what: str, call: Callable[[], Awaitable[Any]]) -> Any:
        t0 = time.perf_counter()
        result = await call()
        self.add(what, time.perf_counter() - t0)
        return result


async def _all_at_once(count: int, flow: Callable[[int, _Outcomes], Awaitable[None]], timeout: float) -> _Outcomes:
    """Start `count` flows together; an exception or the time limit counts as an error of that flow."""
    out = _Outcomes()

    async def guarded(index: int) -> None:
        try:
            await flow(index, out)
        except Exception as exc:
            out.errors.append(f"{type(exc).__name__}: {str(exc)[:200]}")

    tasks = [asyncio.create_task(guarded(i)) for i in range(count)]
    _done, pending = await asyncio.wait(tasks, timeout=timeout)
    for task in pending:
        task.cancel()
    if pending:
        await asyncio.wait(pending)
        out.errors += [f"did not finish within {timeout:g} s"] * len(pending)
    return out


async def users_at_once(ctx: Ctx) -> Row:
    """N users at once, each connecting and chatting 2 turns; directly: N MCP sessions and 2N raw LLM calls."""
    count, timeout = min(ctx.scale.users, len(ctx.users)), ctx.scale.load_timeout
    emails = sorted(ctx.users)[:count]
    expected = expected_text(DEFAULT_TOKENS)
    all_arrived = asyncio.Event()
    arrived: set[int] = set()

    def arrive(index: int) -> None:
        arrived.add(index)
        if len(arrived) == count:
            all_arrived.set()

    async def direct(index: int, out: _Outcomes) -> None:
        try:
            t0 = time.perf_counter()
            async with mcp.Client(ctx.mcp_url) as session:
                await session.list_tools()
                out.add("open", time.perf_counter() - t0)
                for _ in range(2):
                    await out.timed("turn", lambda: ctx.raw.complete(USER_MESSAGE))
                arrive(index)
                await all_arrived.wait()  # keep every session open until all are done, as the service does
        finally:
            arrive(index)

    t0 = time.perf_counter()
    floor = await _all_at_once(count, direct, timeout)
    floor_wall = time.perf_counter() - t0

    await ctx.disconnect_users(emails)

    async def service(index: int, out: _Outcomes) -> None:
        email = emails[index]
        token = ctx.users[email]
        await out.timed("connect", lambda: ctx.connect(email))
        for _ in range(2):
            body = await out.timed("turn", lambda: ctx.api.chat(token, email, PLAIN))
            if body.get("response") != expected:
                raise BenchError(f"unexpected answer {str(body.get('response'))[:100]}")
            ctx.history[email] += [("user", PLAIN), ("text", expected)]

    cpu0, mcp_cpu0 = ctx.service.proc.cpu(), ctx.everything.cpu()
    t0 = time.perf_counter()
    svc = await _all_at_once(count, service, timeout)
    wall = time.perf_counter() - t0
    service_cpu = ctx.service.proc.cpu() - cpu0
    mcp_cpu = ctx.everything.cpu() - mcp_cpu0
    turns = len(svc.latency.get("turn", []))
    p95 = svc.p("turn", 95)
    ctx.report.floors.append(
        FloorRow(
            key=ctx.key("direct_users"),
            operation=ctx.label(f"{count} at once: MCP open+list, then 2 raw LLM calls (p = raw call)"),
            p50_ms=floor.p("turn", 50) * 1000,
            p95_ms=floor.p("turn", 95) * 1000,
            cpu_ms=float("nan"),
            n=len(floor.latency.get("turn", [])),
            note=f"open p50 {ms(floor.p('open', 50))} p95 {ms(floor.p('open', 95))}; {len(floor.errors)} errors; "
            f"{fmt(floor_wall, 1)} s",
        )
    )
    return Row(
        key=ctx.key("users_at_once"),
        measure=ctx.label(f"{count} users at once, each connect + 2 turns"),
        service=(
            f"{len(svc.errors)} errors · turn p50 {ms(svc.p('turn', 50), 0)} p95 {ms(p95, 0)} · connect p50 "
            f"{ms(svc.p('connect', 50), 0)} p95 {ms(svc.p('connect', 95), 0)} · {fmt(turns / wall, 1)} turns/s · "
            f"service CPU {ms(service_cpu / max(count, 1), 1)}/user"
        ),
        floor=(
            f"direct: raw call p95 {ms(floor.p('turn', 95), 0)}, MCP open p95 {ms(floor.p('open', 95), 0)}, "
            f"{len(floor.errors)} errors"
        ),
        result=f"{len(svc.errors)} errors, turn p95 {ms(p95, 0)}, all done in {fmt(wall, 1)} s",
        target="0 errors; turn p95 <= 1 s",
        met=not svc.errors and turns == 2 * count and p95 <= 1.0,
        values={
            "users": count,
            "errors": len(svc.errors),
            "error_samples": svc.errors[:5],
            "turns": turns,
            "turn_p50_ms": svc.p("turn", 50) * 1000,
            "turn_p95_ms": p95 * 1000,
            "connect_p50_ms": svc.p("connect", 50) * 1000,
            "connect_p95_ms": svc.p("connect", 95) * 1000,
            "wall_s": wall,
            "turns_per_s": turns / wall if wall else float("nan"),
            "service_cpu_s": service_cpu,
            "server_everything_cpu_s": mcp_cpu,
            "direct_turn_p95_ms": floor.p("turn", 95) * 1000,
            "direct_open_p95_ms": floor.p("open", 95) * 1000,
            "direct_errors": len(floor.errors),
        },
    )


async def streams_at_once(ctx: Ctx) -> Row:
    """N streamed answers at once on one worker, the fake LLM pacing tokens; directly: N raw streams."""
    count = min(ctx.scale.streams, len(ctx.users))
    tokens, delay = ctx.scale.stream_tokens, ctx.scale.stream_delay_ms
    message = f"tokens={tokens} delay_ms={delay:g}"
    expected = expected_text(tokens)
    emails = sorted(ctx.users)[:count]
    timeout = ctx.scale.load_timeout

    raw_body = ctx.raw.body(raw_messages([], message), stream=True)

    async def direct(_index: int, out: _Outcomes) -> None:
        result = await light.raw_stream(ctx.raw.url, raw_body)
        out.add("ttft", result.ttft)
        if result.text != expected:
            raise BenchError("raw stream incomplete")

    floor = await _all_at_once(count, direct, timeout)
    await ctx.connect_users([e for e in emails if e not in ctx.history])

    complete = 0

    async def service(index: int, out: _Outcomes) -> None:
        nonlocal complete
        email = emails[index]
        result = await light.service_stream(ctx.service.url, ctx.users[email], email, message)
        out.add("ttft", result.ttft)
        out.add("total", result.total)
        if result.errors or result.text != expected:
            raise BenchError(f"stream incomplete: {len(result.text.split())}/{tokens} tokens {result.errors[:1]}")
        complete += 1

    cpu0, llm_cpu0 = ctx.service.proc.cpu(), ctx.llm.cpu()
    t0 = time.perf_counter()
    svc = await _all_at_once(count, service, timeout)
    wall = time.perf_counter() - t0
    service_cpu = (ctx.service.proc.cpu() - cpu0) / max(count * tokens, 1)
    llm_cpu = (ctx.llm.cpu() - llm_cpu0) / max(count * tokens, 1)
    p95 = svc.p("ttft", 95)
    ctx.report.floors.append(
        FloorRow(
            key=ctx.key("direct_streams"),
            operation=ctx.label(f"{count} raw streams at once, {tokens} tokens at {delay:g} ms (p = first chunk)"),
            p50_ms=floor.p("ttft", 50) * 1000,
            p95_ms=floor.p("ttft", 95) * 1000,
            cpu_ms=float("nan"),
            n=len(floor.latency.get("ttft", [])),
            note=f"{len(floor.errors)} errors",
        )
    )
    return Row(
        key=ctx.key("streams_at_once"),
        measure=ctx.label(f"{count} streams at once, {tokens} tokens at {delay:g} ms/token"),
        service=(
            f"{complete}/{count} complete · TTFT p50 {ms(svc.p('ttft', 50), 0)} p95 {ms(p95, 0)} · stream p95 "
            f"{fmt(svc.p('total', 95), 2)} s · service CPU {fmt(service_cpu * 1e6, 0)} µs/token"
        ),
        floor=f"raw TTFT p95 {ms(floor.p('ttft', 95), 0)}, ideal stream {fmt(tokens * delay / 1000, 1)} s",
        result=f"{complete}/{count} complete, TTFT p95 {ms(p95, 0)}",
        target="all complete with every token; TTFT p95 <= 300 ms",
        met=complete == count and p95 <= 0.300,
        values={
            "streams": count,
            "tokens": tokens,
            "delay_ms": delay,
            "complete": complete,
            "errors": len(svc.errors),
            "error_samples": svc.errors[:5],
            "ttft_p50_ms": svc.p("ttft", 50) * 1000,
            "ttft_p95_ms": p95 * 1000,
            "stream_p95_s": svc.p("total", 95),
            "wall_s": wall,
            "service_cpu_us_per_token": service_cpu * 1e6,
            "fake_llm_cpu_us_per_token": llm_cpu * 1e6,
            "direct_ttft_p95_ms": floor.p("ttft", 95) * 1000,
        },
    )
