"""What a fake provider answers to the next chat request: scripted with `FakeServer.script(...)`."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import Any


def _words(text: str) -> list[str]:
    """`text` split word by word, each word keeping the whitespace after it."""
    return re.findall(r"\s*\S+\s*", text) or ([text] if text else [])


@dataclass
class Text:
    """A plain text answer, streamed in `chunks` (default: word by word) with `delay` seconds between chunks."""

    content: str
    chunks: list[str] | None = None
    delay: float = 0.0
    input_tokens: int = 10
    output_tokens: int | None = None

    def parts(self) -> list[str]:
        return self.chunks if self.chunks is not None else _words(self.content)

    @property
    def usage(self) -> tuple[int, int]:
        return self.input_tokens, self.output_tokens if self.output_tokens is not None else len(self.parts())


@dataclass
class Call:
    """One tool call; a `str` `arguments` is sent as is, so it may be malformed JSON."""

    name: str
    arguments: dict[str, Any] | str = field(default_factory=dict)
    id: str | None = None

    @property
    def arguments_json(self) -> str:
        return self.arguments if isinstance(self.arguments, str) else json.dumps(self.arguments)

    @property
    def arguments_object(self) -> Any:
        """The arguments as a JSON object, for formats that carry objects; malformed text is passed on as is."""
        if isinstance(self.arguments, dict):
            return self.arguments
        try:
            return json.loads(self.arguments)
        except ValueError:
            return self.arguments

    def arguments_chunks(self) -> list[str]:
        """The arguments JSON in three pieces, as providers stream them incrementally."""
        raw = self.arguments_json
        step = max(1, -(-len(raw) // 3))
        return [raw[i : i + step] for i in range(0, len(raw), step)] or [""]


@dataclass
class ToolCalls:
    """An answer that calls tools, optionally after some text."""

    calls: list[Call]
    text: str = ""
    input_tokens: int = 10
    output_tokens: int | None = None

    def text_parts(self) -> list[str]:
        return _words(self.text)

    @property
    def usage(self) -> tuple[int, int]:
        default = len(self.text_parts()) + len(self.calls)
        return self.input_tokens, self.output_tokens if self.output_tokens is not None else default


@dataclass
class HttpError:
    """An HTTP error; `body=None` sends the provider's usual error JSON for that status."""

    status: int
    body: dict[str, Any] | str | None = None
    headers: dict[str, str] | None = None


@dataclass
class Hang:
    """Accept the request and send nothing for `seconds` (or until the client goes away), then answer "ok"."""

    seconds: float


@dataclass
class Malformed:
    """A broken answer: `raw` bytes (default: the provider's truncated JSON or stream) with a 200 status."""

    raw: bytes | None = None


Reply = Text | ToolCalls | HttpError | Hang | Malformed
