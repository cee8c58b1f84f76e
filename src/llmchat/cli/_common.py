"""Helpers shared by the CLI commands: settings, the database session, one-line errors and JSON output."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from functools import cached_property
from typing import Annotated, Any, TypeVar

import typer
from pydantic import BaseModel, ValidationError
from pydantic_core import to_jsonable_python
from rich.console import Console
from sqlalchemy.ext.asyncio import AsyncSession

from llmchat.api.validation import describe_validation_error
from llmchat.crypto import SecretBox
from llmchat.db import Database
from llmchat.errors import InvalidInput, LLMChatError
from llmchat.services import secret_box_for
from llmchat.settings import Settings, load_settings

T = TypeVar("T")
M = TypeVar("M", bound=BaseModel)

console = Console(soft_wrap=True)
err_console = Console(stderr=True, soft_wrap=True)

JsonOpt = Annotated[bool, typer.Option("--json", help="Print JSON for scripts instead of text.")]


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


@dataclass(frozen=True)
class Store:
    """What a command works with: a session on the configured database, the settings and the secrets' keys."""

    session: AsyncSession
    settings: Settings

    @cached_property
    def secrets(self) -> SecretBox:
        """Loaded on first use, so commands that store no secret never create the key file."""
        return secret_box_for(self.settings)


def run_with_store(work: Callable[[Store], Awaitable[T]]) -> T:
    """Run `work` on the configured database (migrated first), reporting our errors in one line."""
    settings = settings_or_exit()

    async def main() -> T:
        settings.data_dir.mkdir(parents=True, exist_ok=True)
        db = Database(settings.effective_database_url)
        try:
            await db.upgrade()
            async with db.session() as session:
                return await work(Store(session, settings))
        finally:
            await db.dispose()

    with reported_errors():
        return asyncio.run(main())
    raise AssertionError("unreachable")


def parse(model: type[M], **values: Any) -> M:
    """Build a request model from options, turning a validation problem into our one-line error."""
    try:
        return model(**values)
    except ValidationError as exc:
        raise InvalidInput(describe_validation_error(exc.errors())) from None


def print_json(value: object) -> None:
    """Print `value` (a response model, a list of them, or plain data) as indented JSON for scripts."""
    typer.echo(json.dumps(to_jsonable_python(value), indent=2))
