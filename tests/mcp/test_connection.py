"""McpConnection against the real server-everything, over streamable HTTP, SSE and stdio."""

from __future__ import annotations

import asyncio
import gc
import os
import signal
import time
from collections.abc import Callable
from pathlib import Path

import pytest
from mcp.shared.message import SessionMessage
from mcp_types import JSONRPCResponse

from llmchat.errors import McpUnreachable, Timeout
from llmchat.mcp import McpConnection, ServerSpec
from llmchat.net import REGISTERED_SERVERS
from tests.fixtures.mcp_servers import EVERYTHING_JS, EverythingServer, HttpTransport


def http_spec(url: str, transport: str = "streamable_http", **overrides: object) -> ServerSpec:
    return ServerSpec(name="everything", transport=transport, url=url, policy=REGISTERED_SERVERS, **overrides)  # type: ignore[arg-type]


@pytest.fixture(params=["streamable_http", "sse", "stdio"])
def spec(
    request: pytest.FixtureRequest,
    everything_http_url: str,
    everything_sse_url: str,
    everything_stdio_command: tuple[str, list[str]],
) -> ServerSpec:
    """server-everything over each transport."""
    if request.param == "stdio":
        command, args = everything_stdio_command
        return ServerSpec(name="everything", transport="stdio", command=command, args=tuple(args))
    return http_spec(everything_http_url if request.param == "streamable_http" else everything_sse_url, request.param)


async def test_lists_tools_and_calls_echo_on_one_session(spec: ServerSpec) -> None:
    started = time.perf_counter()
    async with McpConnection(spec) as conn:
        opened = time.perf_counter()
        names = {tool.name for tool in conn.tools}
        assert {"echo", "get-sum", "trigger-long-running-operation"} <= names
        for i in range(20):
            outcome = await conn.call_tool("echo", {"message": f"hello {i}"})
            assert outcome.text == f"Echo: hello {i}"
            assert not outcome.is_error
        assert conn.sessions_opened == 1
    elapsed = time.perf_counter() - opened
    print(f"{spec.transport}: open {1000 * (opened - started):.0f} ms, 20 echo calls {1000 * elapsed:.0f} ms")


async def test_server_sees_one_session_for_many_calls(
    everything_server: Callable[[HttpTransport], EverythingServer],
) -> None:
    server = everything_server("streamableHttp")
    async with McpConnection(http_spec(server.url)) as conn:
        await asyncio.gather(*(conn.call_tool("echo", {"message": str(i)}) for i in range(10)))
        for i in range(10):
            await conn.call_tool("echo", {"message": str(i)})
    assert server.sessions_initialized() == 1


async def test_progress_notifications_reach_the_callback(spec: ServerSpec) -> None:
    seen: list[tuple[float, float | None, str | None]] = []

    async def progress(done: float, total: float | None, message: str | None) -> None:
        seen.append((done, total, message))

    async with McpConnection(spec) as conn:
        outcome = await conn.call_tool(
            "trigger-long-running-operation", {"duration": 0.3, "steps": 3}, progress=progress
        )
    assert "completed" in outcome.text
    assert [(done, total) for done, total, _ in seen] == [(1, 3), (2, 3), (3, 3)]


async def test_tool_errors_are_outcomes_with_the_message(everything_http_url: str) -> None:
    async with McpConnection(http_spec(everything_http_url)) as conn:
        bad_arguments = await conn.call_tool("get-sum", {"a": "one"})
        unknown = await conn.call_tool("no-such-tool", {})
        still_fine = await conn.call_tool("echo", {"message": "ok"})
    assert bad_arguments.is_error
    assert "Invalid arguments" in bad_arguments.text
    assert unknown.is_error
    assert "no-such-tool" in unknown.text
    assert still_fine.text == "Echo: ok"


async def test_results_are_text_for_the_model(everything_http_url: str) -> None:
    async with McpConnection(http_spec(everything_http_url), max_result_bytes=100) as conn:
        big = await conn.call_tool("echo", {"message": "x" * 1000})
        image = await conn.call_tool("get-tiny-image", {})
        structured = await conn.call_tool("get-structured-content", {"location": "New York"})
    assert big.truncated
    assert big.text == "Echo: " + "x" * 94 + "\n[truncated: result was 1006 bytes, showing the first 100]"
    assert "[image: image/png, " in image.text
    assert "base64" not in image.text
    assert len(image.text) < 200
    assert structured.data == {"temperature": 33, "conditions": "Cloudy", "humidity": 82}
    assert structured.text == '{"temperature": 33, "conditions": "Cloudy", "humidity": 82}'
    assert structured.output == structured.data


async def test_slow_tool_times_out_and_the_session_survives(spec: ServerSpec) -> None:
    async with McpConnection(spec, tool_timeout=0.3) as conn:
        with pytest.raises(Timeout) as raised:
            await conn.call_tool("trigger-long-running-operation", {"duration": 5, "steps": 5})
        assert raised.value.message == (
            "Tool 'trigger-long-running-operation' on MCP server 'everything' did not answer within 0.3 s."
        )
        assert (await conn.call_tool("echo", {"message": "after"})).text == "Echo: after"
        assert conn.sessions_opened == 1


async def test_opened_in_one_task_used_and_closed_in_others(spec: ServerSpec) -> None:
    conn = McpConnection(spec)
    await asyncio.create_task(conn.open())
    results = await asyncio.gather(
        asyncio.create_task(conn.call_tool("echo", {"message": "a"})),
        asyncio.create_task(conn.call_tool("echo", {"message": "b"})),
    )
    assert [r.text for r in results] == ["Echo: a", "Echo: b"]
    await asyncio.create_task(conn.close())
    await conn.close()  # twice is fine
    with pytest.raises(McpUnreachable, match="was closed"):
        await conn.call_tool("echo", {"message": "c"})
    assert conn.sessions_opened == 1


async def test_idle_sessions_share_the_listing_and_keep_no_message(spec: ServerSpec) -> None:
    """Sessions to one server hold one copy of its tools; the dispatcher keeps no message it has routed.

    (The SDK's SSE reader itself keeps its last event and message in its loop variables: not ours to drop.)"""
    async with McpConnection(spec) as first, McpConnection(spec) as second:
        assert [t.name for t in first.tools] == [t.name for t in second.tools]
        assert all(a is b for a, b in zip(first.tools, second.tools, strict=True))
        assert (await first.call_tool("echo", {"message": "kept?"})).text == "Echo: kept?"
        await asyncio.sleep(0.05)
        gc.collect()
        held = [o for o in gc.get_objects() if isinstance(o, SessionMessage) and isinstance(o.message, JSONRPCResponse)]
        if spec.transport != "sse":
            assert not [o for o in held if "kept?" in repr(o.message.result) or "tools" in o.message.result]


@pytest.mark.parametrize("transport", ["streamable_http", "sse"])
async def test_unreachable_servers_are_named_with_the_cause(transport: str) -> None:
    with pytest.raises(McpUnreachable) as refused:
        await McpConnection(http_spec("http://127.0.0.1:9/mcp", transport)).open()
    assert refused.value.message == (
        "MCP server 'everything' (http://127.0.0.1:9/mcp) is unreachable: connection refused."
    )
    assert refused.value.status_code == 503
    with pytest.raises(McpUnreachable, match=r"nonexistent\.invalid.*could not be resolved \(DNS\)"):
        await McpConnection(http_spec("http://nonexistent.invalid/mcp", transport)).open()


@pytest.mark.parametrize("transport", ["streamable_http", "sse"])
async def test_http_refusals_are_explained(
    transport: str, canned_http: Callable[..., object], everything_http_url: str
) -> None:
    auth = await canned_http(status=401, body=b'{"error":"unauthorized"}', headers={"content-type": "application/json"})  # type: ignore[misc]
    spec = http_spec(auth.url(), transport, headers={"Authorization": "Bearer s3cret-token"})
    with pytest.raises(McpUnreachable) as rejected:
        await McpConnection(spec).open()
    assert "authentication rejected (HTTP 401)" in rejected.value.message
    assert "s3cret" not in rejected.value.message
    assert auth.requests[0][2]["authorization"] == "Bearer s3cret-token"

    not_mcp = everything_http_url.replace("/mcp", "/elsewhere")
    with pytest.raises(McpUnreachable, match=r"no MCP endpoint at this URL \(HTTP 404\)"):
        await McpConnection(http_spec(not_mcp, transport)).open()

    silent = await canned_http(hang=True)  # type: ignore[misc]
    started = time.perf_counter()
    with pytest.raises(McpUnreachable, match=r"it did not answer within 0\.5 s"):
        await McpConnection(http_spec(silent.url(), transport, timeout=0.5)).open()
    assert time.perf_counter() - started < 3


async def test_a_stdio_command_that_does_not_exist() -> None:
    spec = ServerSpec(name="tool", transport="stdio", command="/nonexistent/mcp-server", args=("--token", "s3cret"))
    with pytest.raises(McpUnreachable) as failed:
        await McpConnection(spec).open()
    assert failed.value.message == (
        "MCP server 'tool' (/nonexistent/mcp-server) is unreachable: "
        "the command could not be started (No such file or directory)."
    )


@pytest.mark.parametrize("transport", ["streamableHttp", "sse"])
async def test_server_killed_between_calls_is_reopened_after_restart(
    transport: HttpTransport, everything_server: Callable[[HttpTransport], EverythingServer]
) -> None:
    server = everything_server(transport)
    async with McpConnection(http_spec(server.url, "sse" if transport == "sse" else "streamable_http")) as conn:
        assert (await conn.call_tool("echo", {"message": "1"})).text == "Echo: 1"
        server.kill()
        await asyncio.sleep(0.3)
        with pytest.raises(McpUnreachable, match="connection refused"):
            await conn.call_tool("echo", {"message": "2"})
        server.start()
        assert (await conn.call_tool("echo", {"message": "3"})).text == "Echo: 3"
        assert conn.sessions_opened == 2


async def test_server_restarted_between_calls_is_transparent(
    everything_server: Callable[[HttpTransport], EverythingServer],
) -> None:
    server = everything_server("streamableHttp")
    async with McpConnection(http_spec(server.url)) as conn:
        await conn.call_tool("echo", {"message": "1"})
        server.kill()
        server.start()
        assert (await conn.call_tool("echo", {"message": "2"})).text == "Echo: 2"
        assert conn.sessions_opened == 2


async def test_server_killed_during_a_call(everything_server: Callable[[HttpTransport], EverythingServer]) -> None:
    server = everything_server("streamableHttp")
    async with McpConnection(http_spec(server.url)) as conn:
        call = asyncio.create_task(conn.call_tool("trigger-long-running-operation", {"duration": 3, "steps": 3}))
        await asyncio.sleep(0.5)
        server.kill()
        t0 = time.perf_counter()
        with pytest.raises(McpUnreachable, match=r"Lost the connection to MCP server 'everything'.*during tool"):
            await call
        t1 = time.perf_counter()
        server.start()
        t2 = time.perf_counter()
        assert (await conn.call_tool("echo", {"message": "back"})).text == "Echo: back"
        t3 = time.perf_counter()
    print(f"error after {t1 - t0:.2f}s, server restart {t2 - t1:.2f}s, reopen and call {t3 - t2:.2f}s")


async def test_stdio_server_that_died_is_restarted_by_the_next_call(
    everything_stdio_command: tuple[str, list[str]],
) -> None:
    command, args = everything_stdio_command
    spec = ServerSpec(name="everything", transport="stdio", command=command, args=tuple(args))
    async with McpConnection(spec) as conn:
        await conn.call_tool("echo", {"message": "1"})
        for pid in _children_running(EVERYTHING_JS):
            os.kill(pid, signal.SIGKILL)
        await asyncio.sleep(0.3)
        assert (await conn.call_tool("echo", {"message": "2"})).text == "Echo: 2"
        assert conn.sessions_opened == 2


def _children_running(script: Path) -> list[int]:
    """Our child processes whose command line mentions `script` with stdio."""
    pids = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            parent = int(stat.read_text().rsplit(")", 1)[1].split()[1])
            cmdline = (stat.parent / "cmdline").read_bytes().split(b"\0")
        except (OSError, IndexError, ValueError):
            continue
        if parent == os.getpid() and str(script).encode() in cmdline and b"stdio" in cmdline:
            pids.append(int(stat.parent.name))
    return pids
