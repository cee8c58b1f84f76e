"""A turn running in its own task, so another request (cancel) or a vanished client can stop it.

Streaming consumers read the turn's events from a queue as SSE frames; non-streaming callers await its end.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import AsyncIterator, Awaitable, Callable

from llmchat import metrics
from llmchat.chat.events import PING_FRAME, Error, Event, Final, encode_sse
from llmchat.chat.turn import Turn
from llmchat.errors import LLMChatError

log = logging.getLogger("llmchat.chat")

PING_INTERVAL = 15.0
UNEXPECTED = "The chat turn failed unexpectedly. Try again; if it keeps happening, reconnect."


class RunningTurn:
    """Runs `turn` now; `on_done(turn)` (e.g. saving the history) runs after it finished without error."""

    def __init__(self, turn: Turn, on_done: Callable[[Turn], Awaitable[None]], *, stream: bool) -> None:
        self.turn = turn
        self.stream = stream
        self.final: Final | None = None
        self.error: LLMChatError | None = None
        # Events, pings (bytes) and None at the end; a non-streaming turn needs no queue.
        self._queue: asyncio.Queue[Event | bytes | None] | None = asyncio.Queue() if stream else None
        self._on_done = on_done
        self._started = time.perf_counter()
        if self._queue is not None:
            turn.emit = self._queue.put_nowait
        self.task = asyncio.create_task(self._drive(), name="chat turn")
        self.task.add_done_callback(self._finished)

    def done(self) -> bool:
        return self.task.done()

    def cancel(self) -> bool:
        """Stop the turn; False when it had already ended."""
        return self.task.cancel()

    async def result(self) -> Final:
        """Wait for the end of the turn: its final event, or the LLMChatError it failed with."""
        try:
            await asyncio.wait({self.task})
        except asyncio.CancelledError:
            self.cancel()
            raise
        if self.error is not None:
            raise self.error
        return self.final or self._cancelled_final()

    async def sse(self, ping_interval: float = PING_INTERVAL) -> AsyncIterator[bytes]:
        """The turn's events as SSE frames, with a ping comment while idle; closing it cancels the turn."""
        queue = self._queue
        assert queue is not None, "sse() needs a turn started with stream=True"
        loop = asyncio.get_running_loop()
        last_sent = loop.time()

        async def ping() -> None:
            nonlocal last_sent
            while True:
                await asyncio.sleep(last_sent + ping_interval - loop.time())
                if loop.time() - last_sent >= ping_interval:
                    last_sent = loop.time()
                    queue.put_nowait(PING_FRAME)

        pinger = asyncio.create_task(ping())
        event_id = 0
        try:
            while True:
                items = [await queue.get()]
                last_sent = loop.time()
                while not queue.empty():
                    items.append(queue.get_nowait())
                frames: list[bytes] = []
                for item in items:
                    if item is None:
                        if frames:
                            yield b"".join(frames)
                        return
                    if isinstance(item, bytes):
                        frames.append(item)
                    else:
                        event_id += 1
                        frames.append(encode_sse(item, event_id))
                yield b"".join(frames)
        finally:
            pinger.cancel()
            self.cancel()

    async def _drive(self) -> None:
        try:
            self.final = await self.turn.run()
            await self._on_done(self.turn)
        except LLMChatError as exc:
            self.error = exc
            self.turn.emit(Error(exc.message, exc.recoverable))
        except Exception:
            log.exception("chat turn failed")
            self.error = LLMChatError(UNEXPECTED)
            self.turn.emit(Error(UNEXPECTED))

    def _finished(self, task: asyncio.Task[None]) -> None:
        self._record_outcome()
        if self._queue is None:
            return
        if task.cancelled() and self.final is None:
            self._queue.put_nowait(self._cancelled_final())
        self._queue.put_nowait(None)

    def _record_outcome(self) -> None:
        if self.error is not None:
            outcome = "failed"
        elif self.final is not None and not self.final.cancelled:
            outcome = "completed"
        else:
            outcome = "cancelled"
        usage = self.turn.usage
        metrics.turn_ended(
            outcome,
            streaming=self.stream,
            seconds=time.perf_counter() - self._started,
            input_tokens=usage.input_tokens,
            output_tokens=usage.output_tokens,
        )

    def _cancelled_final(self) -> Final:
        return Final(content="", conversation_id=self.turn.options.conversation_id, cancelled=True)
