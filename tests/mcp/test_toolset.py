"""McpToolset: several servers as one tool catalogue, with colliding names prefixed."""

from __future__ import annotations

import re
import time

import pytest

from llmchat.errors import InvalidInput, McpUnreachable
from llmchat.mcp import McpToolset, ServerSpec, valid_tool_name
from llmchat.net import REGISTERED_SERVERS


def everything(name: str, url: str, transport: str = "streamable_http") -> ServerSpec:
    return ServerSpec(name=name, transport=transport, url=url, policy=REGISTERED_SERVERS)  # type: ignore[arg-type]


async def test_colliding_tools_are_prefixed_and_all_callable(
    everything_http_url: str, everything_stdio_command: tuple[str, list[str]]
) -> None:
    command, args = everything_stdio_command
    specs = [
        everything("everything", everything_http_url),
        ServerSpec(name="local", transport="stdio", command=command, args=tuple(args)),
    ]
    started = time.perf_counter()
    toolset = await McpToolset.connect(specs)
    print(f"opened 2 servers concurrently in {1000 * (time.perf_counter() - started):.0f} ms")
    try:
        names = [tool.name for tool in toolset.tools]
        assert "everything_echo" in names
        assert "local_echo" in names
        assert "echo" not in names
        assert len(names) == len(set(names))
        tool = toolset.get("local_echo")
        assert tool is not None
        assert (tool.server, tool.original_name) == ("local", "echo")
        assert tool.description == "Echoes back the input string"
        assert tool.input_schema["properties"]["message"]["type"] == "string"
        assert (await toolset.call("everything_echo", {"message": "a"})).text == "Echo: a"
        assert (await toolset.call("local_echo", {"message": "b"})).text == "Echo: b"
        unknown = await toolset.call("echo", {"message": "c"})
        assert unknown.is_error
        assert "There is no tool named 'echo'" in unknown.text
    finally:
        await toolset.close()


async def test_one_server_keeps_its_tool_names(everything_sse_url: str) -> None:
    toolset = await McpToolset.connect([everything("everything", everything_sse_url, "sse")])
    try:
        assert "echo" in [tool.name for tool in toolset.tools]
        assert (await toolset.call("echo", {"message": "x"})).text == "Echo: x"
    finally:
        await toolset.close()


async def test_one_unreachable_server_fails_the_whole_set(everything_http_url: str) -> None:
    specs = [everything("good", everything_http_url), everything("gone", "http://127.0.0.1:9/mcp")]
    with pytest.raises(McpUnreachable, match=r"MCP server 'gone' .* connection refused"):
        await McpToolset.connect(specs)


async def test_server_names_must_be_distinct(everything_http_url: str) -> None:
    with pytest.raises(InvalidInput, match="Two MCP servers are named 'a'"):
        await McpToolset.connect([everything("a", everything_http_url), everything("a", everything_http_url)])


def test_tool_names_are_valid_for_every_model_api() -> None:
    assert valid_tool_name("get-sum") == "get-sum"
    assert valid_tool_name("my server_files.read/all") == "my_server_files_read_all"
    long_a, long_b = "x" * 70 + "a", "x" * 70 + "b"
    assert len(valid_tool_name(long_a)) == 64
    assert valid_tool_name(long_a) != valid_tool_name(long_b)
    assert re.fullmatch(r"[a-zA-Z0-9_-]{1,64}", valid_tool_name("naïve tool ✓"))
