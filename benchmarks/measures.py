"""Per-operation measures: a plain turn, time to first token, a long stream, a tool turn, a connect.

Each runs the service's operation interleaved with the same operation done directly (the raw HTTP call to
the fake LLM, pydantic-ai's model layer, the MCP SDK on an open session), so overheads are differences
measured under the same load. The floors send the very messages the service sends: the session's working
history, mirrored, and the new message. Service CPU comes from /proc of the service process around a batch.
"""

from __future__ import annotations

import json
import time
from typing import Any

import mcp

from benchmarks.client import BenchError, StreamResult
from benchmarks.context import PLAIN, TOOL, Ctx, Entry, pai_messages, raw_messages
from benchmarks.fake_llm import DEFAULT_TOKENS, expected_text
from benchmarks.report import FloorRow, Row, fmt, ms
from benchmarks.stats import Op, Sample, interleaved, percentile


def _floor(ctx: Ctx, key: str, operation: str, sample: Sample, wall: list[float] | None = None) -> None:
    values = wall if wall is not None else sample.wall
    ctx.report.floors.append(
        FloorRow(
            key=ctx.key(key),
            operation=ctx.label(operation),
            p50_ms=percentile(values, 50) * 1000,
            p95_ms=percentile(values, 95) * 1000,
            cpu_ms=sample.cpu_mean * 1000,
            n=len(values),
        )
    )


class _RoundUser:
    """The user whose session the service turn of this round runs in, and that session's history then:
    the floors of the round send the same messages."""

    def __init__(self, ctx: Ctx) -> None:
        self.ctx = ctx
        self._next = ctx.rotating_users()
        self.email = ""
        self.history: list[Entry] = []

    def pick(self) -> None:
        self.email = self._next()
        self.history = list(self.ctx.history.setdefault(self.email, []))

    @property
    def token(self) -> str:
        return self.ctx.users[self.email]

    def record(self, *entries: Entry) -> None:
        self.ctx.history[self.email].extend(entries)


async def _batch(ctx: Ctx, ops: dict[str, Op], reps: int, user: _RoundUser) -> tuple[dict[str, Sample], float]:
    """Warm up, then run the ops interleaved; also returns the service CPU per round."""
    await interleaved(ops, 3, warmup=0, before_round=user.pick)
    cpu0 = ctx.service.proc.cpu()
    samples = await interleaved(ops, reps, warmup=0, before_round=user.pick)
    return samples, (ctx.service.proc.cpu() - cpu0) / reps


def _check_answer(body: dict[str, Any], *, tool: bool = False) -> dict[str, Any]:
    if tool:
        if not body.get("tool_used") or "echo" not in body.get("tools", []):
            raise BenchError(f"the tool turn did not call echo: {str(body)[:300]}")
    elif body.get("response") != expected_text(DEFAULT_TOKENS):
        raise BenchError(f"unexpected answer: {str(body.get('response'))[:200]}")
    return body


async def plain_turn(ctx: Ctx) -> Row:
    """A non-streaming turn with server-everything's tools attached, against the raw and model-layer calls."""
    user = _RoundUser(ctx)
    model, tools_params, bare_params = ctx.pai_model, ctx.params(tools=True), ctx.params(tools=False)

    async def service() -> object:
        body = _check_answer(await ctx.api.chat(user.token, user.email, PLAIN))
        user.record(("user", PLAIN), ("text", body["response"]))
        return body

    ops: dict[str, Op] = {
        "raw": lambda: ctx.raw.complete(raw_messages(user.history, PLAIN), tools=True),
        "raw_bare": lambda: ctx.raw.complete(raw_messages(user.history, PLAIN), tools=False),
        "pai": lambda: model.request(pai_messages(user.history, PLAIN), None, tools_params),
        "pai_bare": lambda: model.request(pai_messages(user.history, PLAIN), None, bare_params),
        "service": service,
    }
    samples, service_cpu = await _batch(ctx, ops, ctx.scale.reps, user)
    n_tools = len(ctx.tool_defs)
    _floor(ctx, "raw_call", "raw httpx chat call, 20-token answer", samples["raw_bare"])
    _floor(ctx, "raw_call_tools", f"raw httpx chat call with {n_tools} tools", samples["raw"])
    _floor(ctx, "pai_request", "pydantic-ai Model.request", samples["pai_bare"])
    _floor(ctx, "pai_request_tools", f"pydantic-ai Model.request with {n_tools} tools", samples["pai"])
    svc, raw, pai = samples["service"], samples["raw"], samples["pai"]
    over_raw, over_pai = svc.p50 - raw.p50, svc.p50 - pai.p50
    return Row(
        key=ctx.key("plain_turn"),
        measure=ctx.label(f"plain turn, non-streaming, {n_tools} tools attached"),
        service=f"p50 {ms(svc.p50)} · p95 {ms(svc.p95)} · service CPU {ms(service_cpu)}/turn",
        floor=f"raw {ms(raw.p50)} · pydantic-ai {ms(pai.p50)} (CPU {ms(pai.cpu_mean)})",
        result=f"+{ms(over_raw)} over raw · +{ms(over_pai)} over pydantic-ai",
        target="<= 5 ms over raw; <= 1.5 ms over pydantic-ai",
        met=over_raw <= 0.005 and over_pai <= 0.0015,
        values={
            "service": svc.summary(),
            "service_cpu_ms": service_cpu * 1000,
            "raw": raw.summary(),
            "pydantic_ai": pai.summary(),
            "overhead_over_raw_ms": over_raw * 1000,
            "overhead_over_pydantic_ai_ms": over_pai * 1000,
        },
    )


async def first_token(ctx: Ctx) -> Row:
    """Time to the first `event: token` of a streamed turn, against the first content chunk of a raw stream."""
    user = _RoundUser(ctx)
    model, params = ctx.pai_model, ctx.params(tools=True)

    async def service() -> StreamResult:
        result = await ctx.api.chat_stream(user.token, user.email, PLAIN)
        if result.text != expected_text(DEFAULT_TOKENS) or result.errors:
            raise BenchError(f"streamed answer incomplete: {result.text[:100]!r} {result.errors}")
        user.record(("user", PLAIN), ("text", result.text))
        return result

    async def pai_stream() -> StreamResult:
        result = StreamResult()
        started = time.perf_counter()
        async with model.request_stream(pai_messages(user.history, PLAIN), None, params) as stream:
            async for _event in stream:
                if result.token_events == 0:
                    result.ttft = time.perf_counter() - started
                result.token_events += 1
        return result

    ops: dict[str, Op] = {
        "raw": lambda: ctx.raw.stream(raw_messages(user.history, PLAIN), tools=True),
        "pai": pai_stream,
        "service": service,
    }
    samples, service_cpu = await _batch(ctx, ops, ctx.scale.reps, user)
    ttft = {name: [r.ttft for r in sample.results if isinstance(r, StreamResult)] for name, sample in samples.items()}
    _floor(ctx, "raw_stream_ttft", "raw httpx stream: first content chunk", samples["raw"], wall=ttft["raw"])
    _floor(ctx, "pai_stream_ttft", "pydantic-ai request_stream: first event", samples["pai"], wall=ttft["pai"])
    svc50, svc95 = percentile(ttft["service"], 50), percentile(ttft["service"], 95)
    raw50, pai50 = percentile(ttft["raw"], 50), percentile(ttft["pai"], 50)
    over = svc50 - raw50
    return Row(
        key=ctx.key("ttft"),
        measure=ctx.label("time to first token, streaming"),
        service=f"p50 {ms(svc50)} · p95 {ms(svc95)} · service CPU {ms(service_cpu)}/turn",
        floor=f"raw {ms(raw50)} · pydantic-ai {ms(pai50)}",
        result=f"+{ms(over)} over raw",
        target="<= 5 ms over raw",
        met=over <= 0.005,
        values={
            "service_ttft_p50_ms": svc50 * 1000,
            "service_ttft_p95_ms": svc95 * 1000,
            "service_turn": samples["service"].summary(),
            "service_cpu_ms": service_cpu * 1000,
            "raw_ttft_p50_ms": raw50 * 1000,
            "pydantic_ai_ttft_p50_ms": pai50 * 1000,
            "overhead_over_raw_ms": over * 1000,
        },
    )


async def long_stream(ctx: Ctx) -> Row:
    """One streamed answer of many tokens at a time: every token must arrive; service CPU per token."""
    tokens, reps = ctx.scale.long_tokens, ctx.scale.long_reps
    message = f"tokens={tokens}"
    expected = expected_text(tokens)
    model, params = ctx.pai_model, ctx.params(tools=True)

    raw = Sample()
    for _ in range(reps):
        cpu0 = time.process_time()
        result = await ctx.raw.stream(raw_messages([], message), tools=True)
        raw.cpu.append((time.process_time() - cpu0) / tokens)
        raw.wall.append(result.total)
    pai = Sample()
    for _ in range(reps):
        cpu0, t0 = time.process_time(), time.perf_counter()
        async with model.request_stream(pai_messages([], message), None, params) as stream:
            async for _event in stream:
                pass
        pai.cpu.append((time.process_time() - cpu0) / tokens)
        pai.wall.append(time.perf_counter() - t0)
    _floor(ctx, "raw_stream_chunk", f"raw httpx stream, {tokens} chunks (CPU is per chunk)", raw)
    _floor(ctx, "pai_stream_chunk", f"pydantic-ai request_stream, {tokens} chunks (CPU is per chunk)", pai)

    next_user = ctx.rotating_users()
    emails = [next_user() for _ in range(reps)]
    await ctx.connect_users(set(emails))
    wall: list[float] = []
    events = delivered = complete = 0
    cpu0, llm_cpu0 = ctx.service.proc.cpu(), ctx.llm.cpu()
    for email in emails:
        result = await ctx.api.chat_stream(ctx.users[email], email, message)
        wall.append(result.total)
        events += result.token_events
        delivered += len(result.text.split())
        complete += result.text == expected and not result.errors
    service_cpu = (ctx.service.proc.cpu() - cpu0) / (reps * tokens)
    llm_cpu = (ctx.llm.cpu() - llm_cpu0) / (reps * tokens)
    await ctx.connect_users(set(emails))  # drop the long answers from these histories
    p50 = percentile(wall, 50)
    all_there = complete == reps
    return Row(
        key=ctx.key("long_stream"),
        measure=ctx.label(f"one streamed {tokens}-token answer"),
        service=(
            f"{delivered}/{reps * tokens} tokens in {events} token events · {fmt(tokens / p50, 0)} tokens/s · "
            f"service CPU {fmt(service_cpu * 1e6, 1)} µs/token"
        ),
        floor=f"raw parse {fmt(raw.cpu_mean * 1e6, 1)} µs/chunk · pydantic-ai {fmt(pai.cpu_mean * 1e6, 1)} µs/chunk",
        result=f"{'every token delivered' if all_there else 'TOKENS MISSING'} · {fmt(service_cpu * 1e6, 1)} µs/token",
        target="every token; <= 200 µs service CPU/token (stretch 50)",
        met=all_there and service_cpu <= 200e-6,
        values={
            "tokens": tokens,
            "reps": reps,
            "complete_streams": complete,
            "tokens_delivered": delivered,
            "token_events": events,
            "stream_p50_ms": p50 * 1000,
            "tokens_per_s": tokens / p50,
            "service_cpu_us_per_token": service_cpu * 1e6,
            "fake_llm_cpu_us_per_token": llm_cpu * 1e6,
            "raw_cpu_us_per_chunk": raw.cpu_mean * 1e6,
            "pydantic_ai_cpu_us_per_chunk": pai.cpu_mean * 1e6,
        },
    )


async def tool_turn(ctx: Ctx) -> Row:
    """A turn that calls `echo` (2 LLM calls + 1 MCP call), against the same done directly on an open session."""
    user = _RoundUser(ctx)
    async with mcp.Client(ctx.mcp_url) as session:

        async def raw_turn() -> object:
            messages = raw_messages(user.history, TOOL)
            first = await ctx.raw.complete(messages)
            call = first["choices"][0]["message"]["tool_calls"][0]
            result = await session.call_tool(call["function"]["name"], json.loads(call["function"]["arguments"]))
            text = "".join(getattr(c, "text", "") for c in result.content)
            return await ctx.raw.complete(
                [
                    *messages,
                    {"role": "assistant", "content": None, "tool_calls": [call]},
                    {"role": "tool", "tool_call_id": call["id"], "content": text},
                ]
            )

        async def service() -> object:
            body = _check_answer(await ctx.api.chat(user.token, user.email, TOOL), tool=True)
            inv = body["tool_invocations"][0]
            output = inv.get("output")
            user.record(
                ("user", TOOL),
                ("call", inv["id"], inv["tool"], json.dumps(inv["input"])),
                ("result", inv["id"], inv["tool"], output if isinstance(output, str) else json.dumps(output)),
                ("text", body["response"]),
            )
            return body

        ops: dict[str, Op] = {
            "mcp": lambda: session.call_tool("echo", {"message": "benchmark"}),
            "raw": raw_turn,
            "service": service,
        }
        samples, service_cpu = await _batch(ctx, ops, ctx.scale.tool_reps, user)
    _floor(ctx, "mcp_call_tool", "mcp.Client.call_tool('echo'), open session", samples["mcp"])
    _floor(ctx, "raw_tool_turn", "raw tool turn: 2 raw LLM calls + call_tool('echo')", samples["raw"])
    svc, raw = samples["service"], samples["raw"]
    over = svc.p50 - raw.p50
    return Row(
        key=ctx.key("tool_turn"),
        measure=ctx.label("tool turn (echo), non-streaming"),
        service=f"p50 {ms(svc.p50)} · p95 {ms(svc.p95)} · service CPU {ms(service_cpu)}/turn",
        floor=f"raw {ms(raw.p50)} (MCP call alone {ms(samples['mcp'].p50)})",
        result=f"+{ms(over)} over raw",
        target="<= 10 ms over raw",
        met=over <= 0.010,
        values={
            "service": svc.summary(),
            "service_cpu_ms": service_cpu * 1000,
            "raw": raw.summary(),
            "mcp_call": samples["mcp"].summary(),
            "overhead_over_raw_ms": over * 1000,
        },
    )


async def connect(ctx: Ctx) -> Row:
    """POST /llmchat/connect with server-everything, against opening an MCP session and listing its tools."""
    email = sorted(ctx.users)[0]
    await ctx.disconnect(email)
    direct, service, disconnect = Sample(), Sample(), Sample()
    service_cpu = 0.0
    for round_no in range(ctx.scale.connect_reps + 2):
        warm = round_no < 2
        for which in ("direct", "service") if round_no % 2 else ("service", "direct"):
            if which == "direct":
                cpu0, t0 = time.process_time(), time.perf_counter()
                client = mcp.Client(ctx.mcp_url)
                await client.__aenter__()
                try:
                    await client.list_tools()
                    if not warm:
                        direct.wall.append(time.perf_counter() - t0)
                        direct.cpu.append(time.process_time() - cpu0)
                finally:
                    await client.__aexit__(None, None, None)
            else:
                svc_cpu0, t0 = ctx.service.proc.cpu(), time.perf_counter()
                body = await ctx.connect(email)
                elapsed = time.perf_counter() - t0
                if body.get("tool_count") != len(ctx.tool_defs):
                    raise BenchError(f"connect listed {body.get('tool_count')} tools")
                if not warm:
                    service.wall.append(elapsed)
                    service_cpu += ctx.service.proc.cpu() - svc_cpu0
                t0 = time.perf_counter()
                await ctx.disconnect(email)
                if not warm:
                    disconnect.wall.append(time.perf_counter() - t0)
    await ctx.connect(email)
    service_cpu /= ctx.scale.connect_reps
    _floor(ctx, "mcp_open", "mcp.Client(url) open + list_tools", direct)
    over = service.p50 - direct.p50
    return Row(
        key=ctx.key("connect"),
        measure=ctx.label("connect (server-everything, streamable HTTP)"),
        service=(
            f"p50 {ms(service.p50)} · p95 {ms(service.p95)} · service CPU {ms(service_cpu)}/connect · "
            f"disconnect p50 {ms(disconnect.p50)}"
        ),
        floor=f"MCP open + list_tools {ms(direct.p50)} (client CPU {ms(direct.cpu_mean)})",
        result=f"+{ms(over)} over direct",
        target="<= 15 ms over direct",
        met=over <= 0.015,
        values={
            "service": service.summary(),
            "service_cpu_ms": service_cpu * 1000,
            "disconnect": disconnect.summary(),
            "direct": direct.summary(),
            "overhead_over_direct_ms": over * 1000,
        },
    )
