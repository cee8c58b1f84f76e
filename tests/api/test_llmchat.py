"""The /llmchat API end to end: a fake provider over real HTTP, the real server-everything, our auth."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import httpx
import pytest

from llmchat.app import create_app
from llmchat.chat.events import Event, SseDecoder, ToolEnd
from llmchat.settings import Settings
from tests.fakes.openai import FakeOpenAI
from tests.fakes.replies import Call, Hang, HttpError, Malformed, Text, ToolCalls
from tests.fakes.server import FakeServer
from tests.fixtures.app import ADMIN_EMAIL, ADMIN_PASSWORD, free_port, make_settings
from tests.fixtures.auth import MakeUser, login
from tests.fixtures.mcp_servers import CannedHttp, EverythingServer

API_KEY = "sk-llmchat-api-test-key-9876543210"
NO_RETRY = {"x-should-retry": "false"}
Caller = tuple[str, dict[str, str]]


async def add_model(
    client: httpx.AsyncClient,
    admin: dict[str, str],
    fake: FakeServer,
    *,
    name: str = "Fake",
    model_id: str = "gpt-4o-mini",
    provider_type: str = "openai_compatible",
) -> str:
    """Register `fake` as a provider with one model; returns the model's `provider-slug/model_id`."""
    api_base = f"{fake.url}/v1" if provider_type == "openai_compatible" else fake.url
    body = {"name": name, "provider_type": provider_type, "api_base": api_base, "api_key": API_KEY}
    provider = await client.post("/llm/providers", json=body, headers=admin)
    assert provider.status_code == 201, provider.text
    model = await client.post(
        "/llm/models", json={"provider_id": provider.json()["id"], "model_id": model_id}, headers=admin
    )
    assert model.status_code == 201, model.text
    ref: str = model.json()["ref"]
    return ref


async def connect(
    client: httpx.AsyncClient, caller: Caller, model: str, servers: list[dict[str, Any]] | None = None, **extra: Any
) -> httpx.Response:
    email, headers = caller
    body = {"user_id": email, "llm": {"model": model, **extra.pop("llm", {})}, "servers": servers or [], **extra}
    return await client.post("/llmchat/connect", json=body, headers=headers)


async def chat(
    client: httpx.AsyncClient, caller: Caller, message: str, *, streaming: bool | None = None
) -> httpx.Response:
    """Send a message; without `streaming` the session's choice at connect applies."""
    email, headers = caller
    body: dict[str, Any] = {"user_id": email, "message": message}
    if streaming is not None:
        body["streaming"] = streaming
    return await client.post("/llmchat/chat", json=body, headers=headers)


def events_of(text: str) -> list[Event]:
    decoder = SseDecoder()
    return [event for line in text.split("\n") if (event := decoder.feed(line)) is not None]


def openai_messages(fake: FakeOpenAI, index: int = -1) -> list[dict[str, Any]]:
    messages: list[dict[str, Any]] = fake.requests[index].json["messages"]
    return messages


@pytest.fixture
def settings(tmp_path: Path, sqlite_url: str) -> Settings:
    """The tests' settings, with an LLM timeout short enough to test."""
    return make_settings(tmp_path, sqlite_url, llm_timeout=2)


@pytest.fixture
async def caller(make_user: MakeUser) -> Caller:
    """A signed-in user with the `user` role."""
    return await make_user("user")


@pytest.fixture
async def model(client: httpx.AsyncClient, admin_headers: dict[str, str], fake_openai: FakeOpenAI) -> str:
    return await add_model(client, admin_headers, fake_openai)


async def test_connect_chat_status_config_and_disconnect(
    client: httpx.AsyncClient, caller: Caller, model: str, fake_openai: FakeOpenAI, everything_http_url: str
) -> None:
    email, headers = caller
    servers = [{"url": everything_http_url, "name": "everything"}]
    connected = await connect(client, caller, model, servers, llm={"temperature": 0.3, "system_prompt": "Be brief."})
    assert connected.status_code == 200, connected.text
    body = connected.json()
    assert (body["status"], body["user_id"], body["provider"], body["model"]) == ("connected", email, "Fake", model)
    assert "echo" in body["tools"] and body["tool_count"] == len(body["tools"])
    assert body["servers"] == [
        {
            "name": "everything",
            "url": everything_http_url,
            "transport": "streamable_http",
            "tool_count": body["tool_count"],
        }
    ]

    fake_openai.script(Text("Hi! How can I help?"))
    answer = await chat(client, caller, "hello")
    assert answer.status_code == 200, answer.text
    result = answer.json()
    assert result["response"] == "Hi! How can I help?"
    assert (result["user_id"], result["tool_used"], result["tools"], result["tool_invocations"]) == (
        email,
        False,
        [],
        [],
    )
    assert result["usage"] == {"input_tokens": 10, "output_tokens": 5}
    assert result["elapsed_ms"] >= 0 and result["conversation_id"]
    sent = fake_openai.requests[-1].json
    assert sent["temperature"] == 0.3 and sent["messages"][0] == {"role": "system", "content": "Be brief."}
    assert "stream" not in sent or sent["stream"] is False

    status = (await client.get(f"/llmchat/status/{email}", headers=headers)).json()
    assert status == {
        "user_id": email,
        "connected": True,
        "model": model,
        "servers": body["servers"],
        "conversation_id": result["conversation_id"],
    }
    config = (await client.get(f"/llmchat/config/{email}", headers=headers)).json()
    assert config["llm"]["model"] == model and config["servers"][0]["url"] == everything_http_url

    gone = await client.post("/llmchat/disconnect", json={"user_id": email}, headers=headers)
    assert gone.json() == {"status": "disconnected", "user_id": email, "message": "Successfully disconnected."}
    again = await client.post("/llmchat/disconnect", json={"user_id": email}, headers=headers)
    assert again.json()["status"] == "no_active_session"
    assert (await client.get(f"/llmchat/status/{email}", headers=headers)).json() == {
        "user_id": email,
        "connected": False,
    }
    assert (await client.get(f"/llmchat/config/{email}", headers=headers)).status_code == 404
    assert (await chat(client, caller, "hello?")).json()["detail"] == (
        "No active session found. Please connect to a server first."
    )


async def test_streaming_chat_is_server_sent_events(
    client: httpx.AsyncClient, caller: Caller, model: str, fake_openai: FakeOpenAI
) -> None:
    assert (await connect(client, caller, model, streaming=True)).status_code == 200
    fake_openai.script(Text("one two three"))

    response = await chat(client, caller, "count")

    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/event-stream")
    assert response.headers["cache-control"] == "no-cache" and response.headers["x-accel-buffering"] == "no"
    assert response.text.startswith('id: 1\nevent: token\ndata: {"content":"one "}\n\n')
    events = events_of(response.text)
    assert [e.type for e in events] == ["token", "token", "token", "final"]
    final = events[-1].to_json()
    assert final["content"] == "one two three" and final["cancelled"] is False
    assert fake_openai.requests[-1].json["stream"] is True


async def test_a_tool_turn_through_the_api(
    client: httpx.AsyncClient, caller: Caller, model: str, fake_openai: FakeOpenAI, everything_http_url: str
) -> None:
    assert (await connect(client, caller, model, [{"url": everything_http_url}])).status_code == 200
    fake_openai.script(ToolCalls([Call("echo", {"message": "hi"}, id="c1")]), Text("It said: Echo: hi"))

    streamed = events_of((await chat(client, caller, "echo hi", streaming=True)).text)

    assert [e.type for e in streamed] == ["tool_start", "tool_end", "token", "token", "token", "token", "final"]
    tool_end = streamed[1]
    assert isinstance(tool_end, ToolEnd) and tool_end.server == "127.0.0.1" and tool_end.output == "Echo: hi"

    fake_openai.script(Text("You asked me to echo 'hi'; it returned 'Echo: hi'."))
    follow_up = (await chat(client, caller, "what did the tool return?")).json()
    assert follow_up["response"].endswith("it returned 'Echo: hi'.")
    history = openai_messages(fake_openai)
    assert [m["role"] for m in history] == ["user", "assistant", "tool", "assistant", "user"]
    assert history[2] == {"role": "tool", "tool_call_id": "c1", "content": "Echo: hi"}


async def test_reconnecting_starts_an_empty_history(
    client: httpx.AsyncClient, caller: Caller, model: str, fake_openai: FakeOpenAI
) -> None:
    await connect(client, caller, model)
    await chat(client, caller, "first")
    await connect(client, caller, model)

    await chat(client, caller, "second")

    assert openai_messages(fake_openai) == [{"role": "user", "content": "second"}]


async def test_an_unreachable_mcp_server_is_503_naming_it(
    client: httpx.AsyncClient, caller: Caller, model: str
) -> None:
    url = f"http://127.0.0.1:{free_port()}/mcp"
    response = await connect(client, caller, model, [{"url": url, "name": "tools-box"}])

    assert response.status_code == 503
    assert "'tools-box'" in response.json()["detail"] and "connection refused" in response.json()["detail"]
    assert (await client.get(f"/llmchat/status/{caller[0]}", headers=caller[1])).json()["connected"] is False


async def test_unknown_and_ambiguous_models_are_400(
    client: httpx.AsyncClient,
    admin_headers: dict[str, str],
    caller: Caller,
    fake_openai: FakeOpenAI,
) -> None:
    await add_model(client, admin_headers, fake_openai, name="One", model_id="twin")
    await add_model(client, admin_headers, fake_openai, name="Two", model_id="twin")

    unknown = await connect(client, caller, "no-such-model")
    ambiguous = await connect(client, caller, "twin")

    assert unknown.status_code == 400 and "'no-such-model'" in unknown.json()["detail"]
    assert ambiguous.status_code == 400 and "one/twin" in ambiguous.json()["detail"]
    assert (await connect(client, caller, "two/twin")).status_code == 200


async def test_bad_requests_are_400_with_a_message(client: httpx.AsyncClient, caller: Caller, model: str) -> None:
    assert (await chat(client, caller, "hi")).status_code == 400
    await connect(client, caller, model)

    empty = await chat(client, caller, "   \n")
    stdio = await connect(client, caller, model, [{"url": "node", "transport": "stdio"}])
    bad_temperature = await connect(client, caller, model, llm={"temperature": 3})

    assert (empty.status_code, empty.json()["detail"]) == (400, "Message cannot be empty.")
    assert stdio.status_code == 400 and "administrator" in stdio.json()["detail"]
    assert bad_temperature.status_code == 422


async def test_callers_touch_only_their_own_session(
    client: httpx.AsyncClient, caller: Caller, make_user: MakeUser, model: str
) -> None:
    email, headers = caller
    other_email, _ = await make_user("user")
    _, viewer = await make_user("viewer")
    requests = [
        ("POST", "/llmchat/connect", {"user_id": other_email, "llm": {"model": model}}),
        ("POST", "/llmchat/chat", {"user_id": other_email, "message": "hi"}),
        ("POST", "/llmchat/cancel", {"user_id": other_email}),
        ("POST", "/llmchat/disconnect", {"user_id": other_email}),
        ("GET", f"/llmchat/status/{other_email}", None),
        ("GET", f"/llmchat/config/{other_email}", None),
    ]
    for method, path, body in requests:
        mismatch = await client.request(method, path, json=body, headers=headers)
        assert (mismatch.status_code, mismatch.json()["detail"]) == (403, "User ID mismatch."), path
        anonymous = await client.request(method, path, json=body)
        assert anonymous.status_code == 401, path
    refused = await client.post("/llmchat/chat", json={"user_id": email, "message": "hi"}, headers=viewer)
    assert refused.status_code == 403


@pytest.mark.parametrize(
    ("reply", "status"),
    [
        (HttpError(500, headers=NO_RETRY), 502),
        (HttpError(429, headers=NO_RETRY), 429),
        (Hang(10), 504),
        (Malformed(), 502),
    ],
)
async def test_provider_failures_have_their_own_status_and_never_leak_the_key(
    client: httpx.AsyncClient, caller: Caller, model: str, fake_openai: FakeOpenAI, reply: Any, status: int
) -> None:
    await connect(client, caller, model)

    fake_openai.script(reply)
    plain = await chat(client, caller, "hi")
    fake_openai.script(reply)
    streamed = await chat(client, caller, "hi", streaming=True)

    assert plain.status_code == status
    [error] = events_of(streamed.text)
    assert error.type == "error"
    assert error.to_json()["error"] == plain.json()["detail"]
    assert error.to_json()["recoverable"] is True, "each of these is transient: sending again may work"
    for text in (plain.text, streamed.text):
        assert API_KEY not in text and "Traceback" not in text and fake_openai.url not in text


async def test_config_masks_every_secret_and_no_token_reaches_the_server_unasked(
    client: httpx.AsyncClient, caller: Caller, model: str, canned_http: Any, everything_http_url: str
) -> None:
    email, headers = caller
    servers = [
        {
            "url": f"{everything_http_url}?api_key=query-secret",
            "name": "everything",
            "auth_token": "mcp-secret-token",
            "headers": {"X-Api-Key": "header-secret", "Cookie": "c=secret-cookie", "X-Team": "research"},
        }
    ]
    assert (await connect(client, caller, model, servers)).status_code == 200

    response = await client.get(f"/llmchat/config/{email}", headers=headers)

    assert response.json()["servers"][0]["headers"] == {
        "X-Api-Key": "*****",
        "Cookie": "*****",
        "X-Team": "research",
        "Authorization": "*****",
    }
    assert response.json()["servers"][0]["url"] == everything_http_url
    for secret in ("mcp-secret-token", "header-secret", "secret-cookie", "query-secret", API_KEY):
        assert secret not in response.text

    canned: CannedHttp = await canned_http(status=404)
    await connect(client, caller, model, [{"url": canned.url(), "auth_token": ""}])
    assert canned.requests, "the connect attempt reached the server"
    assert all("authorization" not in h for _, _, h in canned.requests)


async def test_a_killed_mcp_server_fails_the_turn_then_is_reopened(
    client: httpx.AsyncClient, caller: Caller, model: str, fake_openai: FakeOpenAI, everything_server: Any
) -> None:
    server: EverythingServer = everything_server("streamableHttp")
    assert (await connect(client, caller, model, [{"url": server.url, "name": "mine"}])).status_code == 200
    server.kill()

    fake_openai.script(ToolCalls([Call("echo", {"message": "a"})]))
    lost = await chat(client, caller, "echo a")
    fake_openai.script(ToolCalls([Call("echo", {"message": "b"})]))
    lost_streamed = events_of((await chat(client, caller, "echo b", streaming=True)).text)
    server.start()
    fake_openai.script(ToolCalls([Call("echo", {"message": "c"})]), Text("back"))
    back = await chat(client, caller, "echo c")

    assert lost.status_code == 503 and "'mine'" in lost.json()["detail"]
    assert [e.type for e in lost_streamed] == ["tool_start", "error"]
    assert lost_streamed[-1].to_json()["recoverable"] is True, "the next turn reconnects by itself"
    assert back.status_code == 200 and back.json()["tool_invocations"][0]["output"] == "Echo: c"


async def test_user_urls_obey_the_ssrf_policy(
    tmp_path: Path, sqlite_url: str, fake_openai: FakeOpenAI, everything_http_url: str
) -> None:
    strict = make_settings(tmp_path, sqlite_url, ssrf_allow_private=False)
    async with strict_client(strict) as client:
        admin = await login(client, ADMIN_EMAIL, ADMIN_PASSWORD)
        model = await add_model(client, admin, fake_openai)
        caller = (ADMIN_EMAIL, admin)

        private = await connect(client, caller, model, [{"url": everything_http_url}])
        metadata = await connect(client, caller, model, [{"url": "http://169.254.169.254/latest/meta-data"}])

    assert private.status_code == 400 and "loopback" in private.json()["detail"]
    assert metadata.status_code == 400 and "metadata" in metadata.json()["detail"]


@asynccontextmanager
async def strict_client(settings: Settings) -> AsyncIterator[httpx.AsyncClient]:
    """A client of an app of its own, for settings other than the tests' defaults."""
    application = create_app(settings)
    async with application.router.lifespan_context(application):
        transport = httpx.ASGITransport(app=application)
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as c:
            yield c


async def register_server(client: httpx.AsyncClient, admin: dict[str, str], **body: Any) -> str:
    response = await client.post("/mcp/servers", json=body, headers=admin)
    assert response.status_code == 201, response.text
    server_id: str = response.json()["id"]
    return server_id


async def test_registered_servers_are_picked_by_id_and_their_secrets_stay_hidden(
    client: httpx.AsyncClient,
    admin_headers: dict[str, str],
    caller: Caller,
    model: str,
    fake_openai: FakeOpenAI,
    everything_http_url: str,
) -> None:
    server_id = await register_server(
        client, admin_headers, name="shared", url=everything_http_url, auth_mode="bearer", auth_token="admin-secret"
    )
    connected = await connect(client, caller, model, server_ids=[server_id])
    assert connected.status_code == 200, connected.text
    assert connected.json()["servers"][0]["name"] == "shared" and "echo" in connected.json()["tools"]

    fake_openai.script(ToolCalls([Call("echo", {"message": "via id"})]), Text("done"))
    assert (await chat(client, caller, "echo")).json()["tool_invocations"][0]["output"] == "Echo: via id"
    config = await client.get(f"/llmchat/config/{caller[0]}", headers=caller[1])
    assert config.json()["servers"] == [
        {
            "name": "shared",
            "transport": "streamable_http",
            "url": everything_http_url,
            "server_id": server_id,
            "headers": {},
        }
    ]
    assert "admin-secret" not in config.text
    unknown = await connect(client, caller, model, server_ids=["nope"])
    assert unknown.status_code == 400 and "'nope'" in unknown.json()["detail"]


async def test_only_forward_user_token_servers_get_the_callers_login_token(
    client: httpx.AsyncClient, admin_headers: dict[str, str], caller: Caller, model: str, canned_http: Any
) -> None:
    forwarding: CannedHttp = await canned_http(status=404)
    plain: CannedHttp = await canned_http(status=404)
    forward_id = await register_server(
        client, admin_headers, name="fwd", url=forwarding.url(), auth_mode="forward_user_token"
    )
    plain_id = await register_server(client, admin_headers, name="plain", url=plain.url())

    await connect(client, caller, model, server_ids=[forward_id])
    await connect(client, caller, model, server_ids=[plain_id])

    assert forwarding.requests[0][2]["authorization"] == caller[1]["Authorization"]
    assert plain.requests and all("authorization" not in h for _, _, h in plain.requests)
