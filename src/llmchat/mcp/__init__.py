"""MCP servers: connections behind one interface, the per-session tool catalogue, and registered servers.

The chat engine asks for a session to a server (`McpConnection`, or `McpToolset` for several) and never
learns whether it speaks streamable HTTP, SSE or stdio.
"""

from llmchat.mcp.connection import McpConnection, ProgressCallback
from llmchat.mcp.results import ToolOutcome
from llmchat.mcp.spec import TRANSPORTS, ServerSpec, TransportName, bearer
from llmchat.mcp.toolset import ExposedTool, McpToolset, valid_tool_name

__all__ = [
    "TRANSPORTS",
    "ExposedTool",
    "McpConnection",
    "McpToolset",
    "ProgressCallback",
    "ServerSpec",
    "ToolOutcome",
    "TransportName",
    "bearer",
    "valid_tool_name",
]
