"""Helpers shared by the CLI commands: loading settings and reporting errors in one line."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import typer
from rich.console import Console

from llmchat.errors import LLMChatError
from llmchat.settings import Settings, load_settings

console = Console(soft_wrap=True)
err_console = Console(stderr=True, soft_wrap=True)


@contextmanager
def reported_errors() -> Iterator[None]:
    """Print our errors as one line on stderr and exit non-zero, instead of a traceback."""
    try:
        yield
    except LLMChatError as exc:
        err_console.print(f"[bold red]error:[/] {exc.message}", highlight=False)
        raise typer.Exit(2) from None


def settings_or_exit() -> Settings:
    with reported_errors():
        return load_settings()
    raise AssertionError("unreachable")
