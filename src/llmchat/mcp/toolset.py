"""`McpToolset`: the tools of a chat session's MCP servers as one catalogue, under names every model accepts.

Naming rule: a tool keeps its own name unless another server of the session offers the same name; then
every copy is exposed as `<server>_<tool>` (e.g. `everything_echo`). Names are then made valid for model
APIs: characters outside [a-zA-Z0-9_-] become `_`, and a name longer than 64 characters is cut to 55 and
ends with `_` and 8 hex digits of a hash of the full name, so long names stay distinct. Should a name still
be taken, `_2`, `_3`... is added.
"""

from __future__ import annotations

import asyncio
import hashlib
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from llmchat.errors import InvalidInput, LLMChatError
from llmchat.mcp.connection import McpConnection, ProgressCallback
from llmchat.mcp.results import ToolOutcome
from llmchat.mcp.spec import ServerSpec

MAX_NAME = 64
_INVALID = re.compile(r"[^a-zA-Z0-9_-]")


@dataclass(frozen=True)
class ExposedTool:
    """A tool as the model sees it, and where calls to it go."""

    name: str
    original_name: str
    server: str
    description: str
    input_schema: dict[str, Any]
    connection: McpConnection = field(repr=False, compare=False)


class McpToolset:
    """Several open MCP connections and the tools they offer. Build it with `McpToolset.connect`."""

    def __init__(self, connections: Sequence[McpConnection]) -> None:
        """Wrap connections that are already open (their tools are read now)."""
        self.connections = list(connections)
        self.tools = _expose(self.connections)
        self._by_name = {tool.name: tool for tool in self.tools}

    @classmethod
    async def connect(
        cls, specs: Sequence[ServerSpec], *, tool_timeout: float = 60.0, max_result_bytes: int = 100_000
    ) -> McpToolset:
        """Open every server at once. If any cannot be opened, close the others and raise its error."""
        names = [spec.name for spec in specs]
        duplicate = next((name for name in names if names.count(name) > 1), None)
        if duplicate is not None:
            raise InvalidInput(f"Two MCP servers are named '{duplicate}'; give each server a distinct name.")
        connections = [
            McpConnection(spec, tool_timeout=tool_timeout, max_result_bytes=max_result_bytes) for spec in specs
        ]
        results = await asyncio.gather(*(c.open() for c in connections), return_exceptions=True)
        failures = [r for r in results if isinstance(r, BaseException)]
        if failures:
            await asyncio.gather(*(c.close() for c in connections))
            first = failures[0]
            if isinstance(first, LLMChatError) and len(failures) > 1:
                others = " ".join(f.message if isinstance(f, LLMChatError) else repr(f) for f in failures[1:])
                raise type(first)(f"{first.message} {others}")
            raise first
        return cls(connections)

    def get(self, name: str) -> ExposedTool | None:
        return self._by_name.get(name)

    async def call(
        self, name: str, arguments: dict[str, Any] | None = None, *, progress: ProgressCallback | None = None
    ) -> ToolOutcome:
        """Call a tool by its exposed name; an unknown name is a tool error the model can correct."""
        tool = self._by_name.get(name)
        if tool is None:
            known = ", ".join(sorted(self._by_name)) or "none"
            return ToolOutcome(text=f"There is no tool named '{name}'. Available tools: {known}.", is_error=True)
        return await tool.connection.call_tool(tool.original_name, arguments, progress=progress)

    async def close(self) -> None:
        """Close every connection, concurrently; never raises for a server that is already gone."""
        await asyncio.gather(*(c.close() for c in self.connections))


def valid_tool_name(name: str) -> str:
    """`name` with invalid characters replaced and cut to 64 characters (a hash keeps long names distinct)."""
    cleaned = _INVALID.sub("_", name) or "tool"
    if len(cleaned) <= MAX_NAME:
        return cleaned
    digest = hashlib.sha256(name.encode()).hexdigest()[:8]
    return f"{cleaned[: MAX_NAME - 9]}_{digest}"


def _expose(connections: Sequence[McpConnection]) -> list[ExposedTool]:
    offered: dict[str, int] = {}
    for connection in connections:
        for tool in connection.tools:
            offered[tool.name] = offered.get(tool.name, 0) + 1
    taken: set[str] = set()
    exposed: list[ExposedTool] = []
    for connection in connections:
        for tool in connection.tools:
            wanted = f"{connection.name}_{tool.name}" if offered[tool.name] > 1 else tool.name
            name = _unique(valid_tool_name(wanted), taken)
            taken.add(name)
            exposed.append(
                ExposedTool(
                    name=name,
                    original_name=tool.name,
                    server=connection.name,
                    description=tool.description or tool.title or "",
                    input_schema=tool.input_schema,
                    connection=connection,
                )
            )
    return exposed


def _unique(name: str, taken: set[str]) -> str:
    candidate, n = name, 1
    while candidate in taken:
        n += 1
        suffix = f"_{n}"
        candidate = f"{name[: MAX_NAME - len(suffix)]}{suffix}"
    return candidate
