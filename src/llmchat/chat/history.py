"""Working history: the recent messages of a chat session that go back to the model with each turn.

Whole turns are kept (the user's message, tool calls, tool results and the answer), so follow-up questions
about tool results work. Trimming drops the oldest whole turns, so a tool result is never kept without the
call it answers. Stores are value-based (pydantic-ai messages in, copies out), so a shared store can keep
them as JSON (`ModelMessagesTypeAdapter`) without the callers noticing.
"""

from __future__ import annotations

import time
from abc import ABC, abstractmethod
from collections.abc import Sequence
from dataclasses import dataclass, field

from pydantic_ai.messages import ModelMessage, ModelRequest, UserPromptPart


def is_turn_start(message: ModelMessage) -> bool:
    """A request that opens a turn: it carries the user's words, and answers no tool call."""
    return isinstance(message, ModelRequest) and any(isinstance(p, UserPromptPart) for p in message.parts)


def trim_history(messages: Sequence[ModelMessage], max_messages: int) -> list[ModelMessage]:
    """The newest whole turns that fit in `max_messages`; the latest turn is kept whole even if it alone is longer."""
    if len(messages) <= max_messages:
        return list(messages)
    starts = [i for i, m in enumerate(messages) if is_turn_start(m)]
    first_allowed = len(messages) - max_messages
    cut = next((i for i in starts if i >= first_allowed), starts[-1] if starts else len(messages))
    return list(messages[cut:])


class HistoryStore(ABC):
    """Where working histories live, keyed by chat session; in-process or shared between workers."""

    @abstractmethod
    async def get(self, key: str) -> list[ModelMessage]:
        """The history of `key`, oldest first; empty when there is none or it expired."""

    @abstractmethod
    async def append(self, key: str, messages: Sequence[ModelMessage]) -> None:
        """Add the messages of one turn, then trim to whole turns within the size limit."""

    @abstractmethod
    async def replace(self, key: str, messages: Sequence[ModelMessage]) -> None:
        """Set the whole history of `key` (trimmed to the size limit)."""

    @abstractmethod
    async def clear(self, key: str) -> None:
        """Forget the history of `key`."""


@dataclass
class _Entry:
    messages: list[ModelMessage] = field(default_factory=list)
    expires: float = 0.0


class MemoryHistoryStore(HistoryStore):
    """Histories in this process, dropped after `ttl` seconds without use."""

    def __init__(self, max_messages: int, ttl: float) -> None:
        self.max_messages = max_messages
        self.ttl = ttl
        self._entries: dict[str, _Entry] = {}

    def _live(self, key: str) -> _Entry | None:
        entry = self._entries.get(key)
        if entry is not None and entry.expires <= time.monotonic():
            del self._entries[key]
            return None
        return entry

    async def get(self, key: str) -> list[ModelMessage]:
        entry = self._live(key)
        if entry is None:
            return []
        entry.expires = time.monotonic() + self.ttl
        return list(entry.messages)

    async def append(self, key: str, messages: Sequence[ModelMessage]) -> None:
        entry = self._live(key)
        current = entry.messages if entry else []
        await self.replace(key, [*current, *messages])

    async def replace(self, key: str, messages: Sequence[ModelMessage]) -> None:
        self._prune()
        self._entries[key] = _Entry(trim_history(messages, self.max_messages), time.monotonic() + self.ttl)

    async def clear(self, key: str) -> None:
        self._entries.pop(key, None)

    def _prune(self) -> None:
        """Drop expired histories so abandoned sessions don't accumulate."""
        now = time.monotonic()
        for key in [k for k, e in self._entries.items() if e.expires <= now]:
            del self._entries[key]
