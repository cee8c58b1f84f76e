"""Fake LLM provider servers over real HTTP, speaking each provider's real wire format."""
