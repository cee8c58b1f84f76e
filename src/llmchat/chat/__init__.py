"""The chat engine: sessions (`sessions`), the turn loop over pydantic-ai's model layer (`turn`), events
(`events`) and working history (`history`). No FastAPI here: the HTTP API, the CLI and the tests drive it.

Nothing is imported here, so a client that only needs `events` does not load pydantic-ai and the MCP SDK.
"""
