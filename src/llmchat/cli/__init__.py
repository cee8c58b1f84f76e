"""The `llmchat` command: serve, manage users, providers, models and servers, and chat."""

from __future__ import annotations

from llmchat.cli.app import app


def main() -> None:
    app()


__all__ = ["app", "main"]
