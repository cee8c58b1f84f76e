"""llmchat: chat with LLMs that call tools from MCP servers."""

__version__ = "0.1.0"
