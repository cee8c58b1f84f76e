"""The application metrics at /metrics move with requests, turns, tool calls, sessions and health checks.

The registry is process-wide, shared with every other test: each test reads a value before and after.
"""

from __future__ import annotations

import asyncio

import httpx
import pytest
from prometheus_client import REGISTRY

from tests.api.test_llmchat import NO_RETRY, Caller, add_model, chat, connect
from tests.fakes.openai import FakeOpenAI
from tests.fakes.replies import Call, Hang, HttpError, Text, ToolCalls
from tests.fixtures.app import ADMIN_EMAIL


def value(name: str, **labels: str) -> float:
    """A sample's current value; 0 for a series not created yet."""
    return REGISTRY.get_sample_value(name, labels) or 0.0


def turns(outcome: str, streaming: str) -> float:
    return value("llmchat_chat_turns_total", outcome=outcome, streaming=streaming)


@pytest.fixture
def admin(admin_headers: dict[str, str]) -> Caller:
    return ADMIN_EMAIL, admin_headers


@pytest.fixture
async def model(client: httpx.AsyncClient, admin_headers: dict[str, str], fake_openai: FakeOpenAI) -> str:
    return await add_model(client, admin_headers, fake_openai)


async def test_requests_are_counted_by_route_template_never_by_raw_path(
    client: httpx.AsyncClient, admin_headers: dict[str, str]
) -> None:
    template = {"method": "GET", "route": "/llm/providers/{provider_id}", "status": "404"}
    unmatched = {"method": "GET", "route": "unmatched", "status": "404"}
    before = value("llmchat_http_requests_total", **template), value("llmchat_http_requests_total", **unmatched)
    timed = value("llmchat_http_request_duration_seconds_count", method="GET", route="/llm/providers/{provider_id}")

    assert (await client.get("/llm/providers/no-such-id", headers=admin_headers)).status_code == 404
    assert (await client.get("/no/such/page")).status_code == 404

    after = value("llmchat_http_requests_total", **template), value("llmchat_http_requests_total", **unmatched)
    assert (after[0] - before[0], after[1] - before[1]) == (1, 1)
    assert value("llmchat_http_request_duration_seconds_count", method="GET", route=template["route"]) == timed + 1
    raw = {**template, "route": "/llm/providers/no-such-id"}
    assert REGISTRY.get_sample_value("llmchat_http_requests_total", raw) is None
    exposed = (await client.get("/metrics")).text
    assert 'llmchat_http_requests_total{method="GET",route="/llm/providers/{provider_id}",status="404"}' in exposed


async def test_a_completed_turn_counts_the_turn_and_its_tokens(
    client: httpx.AsyncClient, admin: Caller, model: str, fake_openai: FakeOpenAI
) -> None:
    assert (await connect(client, admin, model)).status_code == 200
    before = (
        turns("completed", "false"),
        value("llmchat_chat_turn_duration_seconds_count"),
        value("llmchat_llm_tokens_total", direction="input"),
        value("llmchat_llm_tokens_total", direction="output"),
    )
    fake_openai.script(Text("Hi there, friend.", input_tokens=12))

    assert (await chat(client, admin, "hello")).status_code == 200

    after = (
        turns("completed", "false"),
        value("llmchat_chat_turn_duration_seconds_count"),
        value("llmchat_llm_tokens_total", direction="input"),
        value("llmchat_llm_tokens_total", direction="output"),
    )
    assert [a - b for a, b in zip(after, before, strict=True)] == [1, 1, 12, 3]


async def test_a_tool_turn_counts_its_tool_call(
    client: httpx.AsyncClient, admin: Caller, model: str, fake_openai: FakeOpenAI, everything_http_url: str
) -> None:
    assert (await connect(client, admin, model, [{"url": everything_http_url}])).status_code == 200
    before = (
        value("llmchat_tool_calls_total", outcome="ok"),
        value("llmchat_tool_call_duration_seconds_count"),
        turns("completed", "true"),
    )
    fake_openai.script(ToolCalls([Call("echo", {"message": "hi"})]), Text("It said: Echo: hi"))

    assert (await chat(client, admin, "echo hi", streaming=True)).status_code == 200

    after = (
        value("llmchat_tool_calls_total", outcome="ok"),
        value("llmchat_tool_call_duration_seconds_count"),
        turns("completed", "true"),
    )
    assert [a - b for a, b in zip(after, before, strict=True)] == [1, 1, 1]


async def test_connect_and_disconnect_move_the_sessions_gauge(
    client: httpx.AsyncClient, admin: Caller, model: str
) -> None:
    before = value("llmchat_chat_sessions")

    assert (await connect(client, admin, model)).status_code == 200
    assert value("llmchat_chat_sessions") == before + 1
    assert (await connect(client, admin, model)).status_code == 200
    assert value("llmchat_chat_sessions") == before + 1, "reconnecting replaces the session"

    await client.post("/llmchat/disconnect", json={"user_id": admin[0]}, headers=admin[1])
    assert value("llmchat_chat_sessions") == before


async def test_a_cancelled_turn_is_counted_as_cancelled(
    client: httpx.AsyncClient, admin: Caller, model: str, fake_openai: FakeOpenAI
) -> None:
    assert (await connect(client, admin, model)).status_code == 200
    before = turns("cancelled", "false"), turns("completed", "false")
    fake_openai.script(Hang(10))
    answer = asyncio.create_task(chat(client, admin, "wait for it"))

    for _ in range(100):
        cancel = await client.post("/llmchat/cancel", json={"user_id": admin[0]}, headers=admin[1])
        if cancel.json()["status"] == "cancelled":
            break
        await asyncio.sleep(0.02)

    assert (await answer).json()["cancelled"] is True
    assert (turns("cancelled", "false") - before[0], turns("completed", "false") - before[1]) == (1, 0)


async def test_a_failed_turn_is_counted_as_failed(
    client: httpx.AsyncClient, admin: Caller, model: str, fake_openai: FakeOpenAI
) -> None:
    assert (await connect(client, admin, model)).status_code == 200
    before = turns("failed", "true")
    fake_openai.script(HttpError(500, headers=NO_RETRY))

    await chat(client, admin, "hi", streaming=True)

    assert turns("failed", "true") == before + 1


async def test_provider_health_checks_are_counted_by_type_and_result(
    client: httpx.AsyncClient, admin_headers: dict[str, str], fake_openai: FakeOpenAI
) -> None:
    body = {"name": "Checked", "provider_type": "openai_compatible", "api_base": f"{fake_openai.url}/v1"}
    provider = (
        await client.post("/llm/providers", json={**body, "api_key": "sk-test-key"}, headers=admin_headers)
    ).json()
    healthy = {"provider_type": "openai_compatible", "healthy": "true"}
    before = value("llmchat_provider_health_checks_total", **healthy)

    check = await client.post(f"/llm/providers/{provider['id']}/health", headers=admin_headers)

    assert check.json()["healthy"] is True
    assert value("llmchat_provider_health_checks_total", **healthy) == before + 1
