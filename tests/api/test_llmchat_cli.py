"""`llmchat chat`, the terminal client of the /llmchat API, against a server on a real port."""

from __future__ import annotations

import json

import httpx
from typer.testing import CliRunner

from llmchat.cli import app
from tests.api.test_llmchat import add_model
from tests.fakes.openai import FakeOpenAI
from tests.fakes.replies import Call, HttpError, Text, ToolCalls
from tests.fixtures.app import ADMIN_EMAIL, ADMIN_PASSWORD, LiveServer
from tests.fixtures.auth import login


async def registered_model(live_server: LiveServer, fake: FakeOpenAI) -> tuple[str, dict[str, str]]:
    async with httpx.AsyncClient(base_url=live_server.url) as client:
        admin = await login(client, ADMIN_EMAIL, ADMIN_PASSWORD)
        return await add_model(client, admin, fake), admin


async def test_one_message_with_json_events(
    live_server: LiveServer, fake_openai: FakeOpenAI, everything_http_url: str
) -> None:
    model, admin = await registered_model(live_server, fake_openai)
    fake_openai.script(ToolCalls([Call("echo", {"message": "cli"})]), Text("It said Echo: cli"))
    args = ["chat", "--url", live_server.url, "--email", ADMIN_EMAIL, "--password", ADMIN_PASSWORD]

    result = CliRunner().invoke(app, [*args, "--model", model, "--server", everything_http_url, "-m", "echo", "--json"])

    assert result.exit_code == 0, result.output
    events = [json.loads(line) for line in result.output.splitlines()]
    assert [e["event"] for e in events][:2] == ["tool_start", "tool_end"]
    assert events[1]["data"]["output"] == "Echo: cli"
    assert events[-1]["data"]["content"] == "It said Echo: cli"
    async with httpx.AsyncClient(base_url=live_server.url) as client:
        status = await client.get(f"/llmchat/status/{ADMIN_EMAIL}", headers=admin)
    assert status.json()["connected"] is False, "the client disconnects when done"


async def test_text_output_and_errors(live_server: LiveServer, fake_openai: FakeOpenAI) -> None:
    model, admin = await registered_model(live_server, fake_openai)
    token = admin["Authorization"].removeprefix("Bearer ")
    args = ["chat", "--url", live_server.url, "--token", token, "--model", model]
    runner = CliRunner()

    fake_openai.script(Text("Hello from the model."))
    answered = runner.invoke(app, [*args, "-m", "hi"])
    fake_openai.script(HttpError(500, headers={"x-should-retry": "false"}))
    failed = runner.invoke(app, [*args, "-m", "hi"])
    unknown = runner.invoke(app, ["chat", "--url", live_server.url, "--token", token, "--model", "nope", "-m", "hi"])

    assert answered.exit_code == 0 and "Hello from the model." in answered.output
    assert failed.exit_code == 1 and "The LLM provider failed (HTTP 500)" in failed.output
    assert unknown.exit_code == 2 and "Unknown model 'nope'" in unknown.output
