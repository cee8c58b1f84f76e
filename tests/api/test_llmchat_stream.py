"""Streaming through a real port: cancelling, one turn at a time, and a client that goes away."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import httpx
import pytest

from llmchat.chat.events import Event, Final, SseDecoder
from tests.api.test_llmchat import Caller, add_model, chat, connect, openai_messages
from tests.fakes.openai import FakeOpenAI
from tests.fakes.replies import Text
from tests.fixtures.app import ADMIN_EMAIL, ADMIN_PASSWORD, LiveServer
from tests.fixtures.auth import login

SLOW_ANSWER = Text("one two three four five six seven eight nine ten", delay=0.3)


@pytest.fixture
async def live_client(live_server: LiveServer) -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(base_url=live_server.url, timeout=30) as client:
        yield client


@pytest.fixture
async def connected(live_client: httpx.AsyncClient, fake_openai: FakeOpenAI) -> Caller:
    """The admin, connected to a model on the fake provider, streaming by default."""
    caller = (ADMIN_EMAIL, await login(live_client, ADMIN_EMAIL, ADMIN_PASSWORD))
    model = await add_model(live_client, caller[1], fake_openai)
    assert (await connect(live_client, caller, model, streaming=True)).status_code == 200
    return caller


async def until_idle(client: httpx.AsyncClient, caller: Caller) -> None:
    """Wait until the caller's session runs no turn (cancel answers 'idle')."""
    for _ in range(100):
        response = await client.post("/llmchat/cancel", json={"user_id": caller[0]}, headers=caller[1])
        if response.json()["status"] == "idle":
            return
        await asyncio.sleep(0.05)
    raise AssertionError("the turn did not end")


async def test_cancel_stops_the_stream_and_keeps_the_partial_answer(
    live_client: httpx.AsyncClient, connected: Caller, fake_openai: FakeOpenAI
) -> None:
    email, headers = connected
    fake_openai.script(SLOW_ANSWER)
    events: list[Event] = []
    decoder = SseDecoder()
    body = {"user_id": email, "message": "count to ten"}
    async with live_client.stream("POST", "/llmchat/chat", json=body, headers=headers) as response:
        async for line in response.aiter_lines():
            event = decoder.feed(line)
            if event is None:
                continue
            events.append(event)
            if len(events) == 1:
                busy = await chat(live_client, connected, "me too")
                assert (busy.status_code, busy.json()["detail"]) == (
                    409,
                    "A reply is still being generated for this session. Wait for it, or cancel it first.",
                )
                cancel = await live_client.post("/llmchat/cancel", json={"user_id": email}, headers=headers)
                assert cancel.json() == {"status": "cancelled"}

    final = events[-1]
    assert isinstance(final, Final) and final.cancelled
    assert final.content.startswith("one ") and not final.content.endswith("ten")
    assert [e.type for e in events[:-1]] == ["token"] * (len(events) - 1)

    fake_openai.script(Text("ok"))
    follow_up = await chat(live_client, connected, "go on", streaming=False)
    assert follow_up.status_code == 200
    assert openai_messages(fake_openai) == [
        {"role": "user", "content": "count to ten"},
        {"role": "assistant", "content": final.content},
        {"role": "user", "content": "go on"},
    ]


async def test_a_client_that_goes_away_cancels_the_turn(
    live_client: httpx.AsyncClient, connected: Caller, fake_openai: FakeOpenAI
) -> None:
    email, headers = connected
    fake_openai.script(SLOW_ANSWER)
    decoder = SseDecoder()
    body = {"user_id": email, "message": "count to ten"}
    async with live_client.stream("POST", "/llmchat/chat", json=body, headers=headers) as response:
        async for line in response.aiter_lines():
            if decoder.feed(line) is not None:
                break

    await until_idle(live_client, connected)
    fake_openai.script(Text("ok"))
    follow_up = await chat(live_client, connected, "still there?", streaming=False)

    assert follow_up.status_code == 200
    partial = openai_messages(fake_openai)[1]
    assert partial["role"] == "assistant" and partial["content"].startswith("one ")
    assert not partial["content"].endswith("ten")
