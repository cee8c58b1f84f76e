"""The turn loop against fake providers (real HTTP, real wire formats) and the real server-everything."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import Any

import pytest
from pydantic_ai.messages import ModelMessage, ModelResponse, TextPart, ThinkingPart, ToolReturnPart
from pydantic_ai.models.function import AgentInfo, DeltaThinkingCalls, DeltaThinkingPart, FunctionModel

from llmchat.chat.events import Error, Event, Final, Thinking, Token, ToolEnd, ToolError, ToolProgress, ToolStart
from llmchat.chat.turn import CANCELLED_TOOL_RESULT, ModelSetup, Turn, TurnOptions
from llmchat.errors import LLMChatError, ProviderUnavailable, RateLimited, Timeout
from llmchat.llm.factory import build_model
from llmchat.llm.providers.base import ProviderConnection
from llmchat.mcp import McpToolset
from tests.chat.conftest import API_KEY, anthropic_setup, everything_spec, openai_setup, run_turn
from tests.fakes.anthropic import FakeAnthropic
from tests.fakes.openai import FakeOpenAI
from tests.fakes.replies import Call, Hang, HttpError, Malformed, Text, ToolCalls
from tests.fixtures.app import free_port

NO_RETRY = {"x-should-retry": "false"}


def openai_messages(fake: FakeOpenAI, index: int) -> list[dict[str, Any]]:
    messages: list[dict[str, Any]] = fake.requests[index].json["messages"]
    return messages


@pytest.mark.parametrize("stream", [True, False])
async def test_a_plain_turn_streams_tokens_or_not_and_ends_with_final(
    fake_openai: FakeOpenAI, no_tools: McpToolset, stream: bool
) -> None:
    fake_openai.script(Text("Hello there, friend.", input_tokens=12))
    setup = openai_setup(fake_openai, system_prompt="You are terse.")

    run = await run_turn(setup, no_tools, "hi", stream=stream)

    tokens = run.of_type("token")
    assert "".join(t.content for t in tokens if isinstance(t, Token)) == "Hello there, friend."
    assert len(tokens) == (3 if stream else 1)
    assert run.events[-1] == run.final
    assert run.final.content == "Hello there, friend."
    assert (run.final.usage.input_tokens, run.final.usage.output_tokens) == (12, 3)
    assert not run.final.cancelled and not run.final.tool_used
    request = fake_openai.requests[0].json
    assert bool(request.get("stream")) is stream, "no provider streaming when the client did not ask for it"
    assert request["messages"] == [
        {"role": "system", "content": "You are terse."},
        {"role": "user", "content": "hi"},
    ]


@pytest.mark.parametrize("stream", [True, False])
async def test_a_tool_turn_calls_echo_and_answers_with_its_result(
    fake_openai: FakeOpenAI, everything: McpToolset, stream: bool
) -> None:
    fake_openai.script(
        ToolCalls([Call("echo", {"message": "ping"}, id="call_1")], input_tokens=20),
        Text("The server said: Echo: ping", input_tokens=30),
    )

    run = await run_turn(openai_setup(fake_openai, everything), everything, "echo ping", stream=stream)

    kinds = [e.type for e in run.events]
    assert kinds.index("tool_start") < kinds.index("tool_end") < kinds.index("final")
    start, end = run.of_type("tool_start")[0], run.of_type("tool_end")[0]
    assert isinstance(start, ToolStart) and isinstance(end, ToolEnd)
    assert (start.id, start.tool, start.server, start.input) == ("call_1", "echo", "everything", {"message": "ping"})
    assert (end.id, end.output) == ("call_1", "Echo: ping")
    assert run.final.content == "The server said: Echo: ping"
    assert run.final.tools == ["echo"]
    [invocation] = run.final.tool_invocations
    assert invocation.to_json().keys() == {"id", "tool", "input", "output", "start", "end"}
    assert run.final.usage.input_tokens == 50
    first_offer = {t["function"]["name"] for t in fake_openai.requests[0].json["tools"]}
    assert {"echo", "get-sum", "trigger-long-running-operation"} <= first_offer
    second = openai_messages(fake_openai, 1)
    assert second[-2]["tool_calls"][0]["function"]["name"] == "echo"
    assert second[-1] == {"role": "tool", "tool_call_id": "call_1", "content": "Echo: ping"}


async def test_calls_of_one_step_run_in_parallel(fake_openai: FakeOpenAI, everything: McpToolset) -> None:
    fake_openai.script(
        ToolCalls(
            [
                Call("trigger-long-running-operation", {"duration": 1, "steps": 1}, id="slow_1"),
                Call("trigger-long-running-operation", {"duration": 1, "steps": 1}, id="slow_2"),
                Call("get-sum", {"a": 2, "b": 3}, id="sum"),
            ]
        ),
        Text("done"),
    )
    loop = asyncio.get_running_loop()
    started = loop.time()

    run = await run_turn(openai_setup(fake_openai, everything), everything, "go", stream=True)

    assert loop.time() - started < 1.9, "two 1-second tools in one step take about one second"
    results = {m["tool_call_id"]: m["content"] for m in openai_messages(fake_openai, 1) if m["role"] == "tool"}
    assert results["sum"] == "The sum of 2 and 3 is 5."
    assert set(results) == {"slow_1", "slow_2", "sum"}
    assert len(run.of_type("tool_end")) == 3


async def test_colliding_tool_names_are_prefixed_with_the_server(
    fake_openai: FakeOpenAI, everything_http_url: str
) -> None:
    toolset = await McpToolset.connect(
        [everything_spec(everything_http_url, "a"), everything_spec(everything_http_url, "b")]
    )
    try:
        fake_openai.script(ToolCalls([Call("b_echo", {"message": "x"})]), Text("ok"))

        run = await run_turn(openai_setup(fake_openai, toolset), toolset, "echo x on b")

        offered = {t["function"]["name"] for t in fake_openai.requests[0].json["tools"]}
        assert {"a_echo", "b_echo"} <= offered and "echo" not in offered
        start = run.of_type("tool_start")[0]
        assert isinstance(start, ToolStart) and (start.tool, start.server) == ("b_echo", "b")
        assert run.final.tool_invocations[0].output == "Echo: x"
    finally:
        await toolset.close()


async def test_a_long_running_tool_reports_progress(fake_openai: FakeOpenAI, everything: McpToolset) -> None:
    fake_openai.script(
        ToolCalls([Call("trigger-long-running-operation", {"duration": 0.6, "steps": 3})]), Text("finished")
    )

    run = await run_turn(openai_setup(fake_openai, everything), everything, "run it")

    progress = [e for e in run.events if isinstance(e, ToolProgress)]
    assert [(p.progress, p.total) for p in progress] == [(1, 3), (2, 3), (3, 3)]
    kinds = [e.type for e in run.events]
    assert kinds.index("tool_start") < kinds.index("tool_progress") < kinds.index("tool_end")


async def test_a_tool_error_goes_to_the_client_and_back_to_the_model(
    fake_openai: FakeOpenAI, everything: McpToolset
) -> None:
    fake_openai.script(
        ToolCalls([Call("get-sum", {"a": "x"}, id="bad"), Call("no-such-tool", {}, id="ghost")]),
        Text("Sorry, that failed."),
    )

    run = await run_turn(openai_setup(fake_openai, everything), everything, "add")

    errors = {e.id: e for e in run.events if isinstance(e, ToolError)}
    assert "Invalid arguments for tool get-sum" in errors["bad"].error
    assert "There is no tool named 'no-such-tool'" in errors["ghost"].error
    assert {inv.id: inv.to_json().get("error") is not None for inv in run.final.tool_invocations} == {
        "bad": True,
        "ghost": True,
    }
    fed_back = {m["tool_call_id"]: m["content"] for m in openai_messages(fake_openai, 1) if m["role"] == "tool"}
    assert "Invalid arguments for tool get-sum" in fed_back["bad"]
    assert run.final.content == "Sorry, that failed."


async def test_the_last_allowed_step_offers_no_tools(fake_openai: FakeOpenAI, everything: McpToolset) -> None:
    fake_openai.script(ToolCalls([Call("echo", {"message": "1"})]), Text("enough"))

    run = await run_turn(openai_setup(fake_openai, everything), everything, "loop", max_steps=2)

    assert "tools" in fake_openai.requests[0].json
    assert "tools" not in fake_openai.requests[1].json
    assert run.final.content == "enough"


async def test_sessions_to_one_server_share_their_tool_definitions(
    fake_openai: FakeOpenAI, everything: McpToolset, everything_http_url: str
) -> None:
    other = await McpToolset.connect([everything_spec(everything_http_url)])
    try:
        mine = openai_setup(fake_openai, everything).params.function_tools
        theirs = openai_setup(fake_openai, other).params.function_tools
    finally:
        await other.close()
    assert len(mine) == len(everything.tools) > 0
    assert all(a is b for a, b in zip(mine, theirs, strict=True))
    assert [d.name for d in mine] == [t.name for t in everything.tools]


@pytest.mark.parametrize(
    ("reply", "error", "status"),
    [
        (HttpError(500, headers=NO_RETRY), ProviderUnavailable, 502),
        (HttpError(429, headers=NO_RETRY), RateLimited, 429),
        (HttpError(401), ProviderUnavailable, 502),
        (Malformed(), ProviderUnavailable, 502),
        (Hang(5), Timeout, 504),
    ],
)
@pytest.mark.parametrize("stream", [True, False])
async def test_provider_failures_become_clear_errors(
    fake_openai: FakeOpenAI,
    no_tools: McpToolset,
    reply: Any,
    error: type[LLMChatError],
    status: int,
    stream: bool,
) -> None:
    fake_openai.script(reply)

    with pytest.raises(error) as caught:
        await run_turn(openai_setup(fake_openai), no_tools, "hi", stream=stream, llm_timeout=0.5)

    assert caught.value.status_code == status
    assert API_KEY not in caught.value.message and fake_openai.url not in caught.value.message
    if status == 502 and isinstance(reply, Malformed):
        assert "malformed" in caught.value.message


async def test_cancelling_mid_stream_keeps_the_partial_answer(fake_openai: FakeOpenAI, no_tools: McpToolset) -> None:
    fake_openai.script(Text("one two three four five six", delay=0.3))
    events: list[Event] = []
    first_token = asyncio.Event()

    def emit(event: Event) -> None:
        events.append(event)
        if isinstance(event, Token):
            first_token.set()

    turn = Turn(openai_setup(fake_openai), no_tools, [], "count", TurnOptions(5, 10, True, "conv"), emit)
    task = asyncio.create_task(turn.run())
    await first_token.wait()
    task.cancel()
    final = await task

    assert final.cancelled and final.content.startswith("one ")
    assert final.content != "one two three four five six"
    assert events[-1] == final
    partial = turn.new_messages[-1]
    assert isinstance(partial, ModelResponse) and partial.state == "interrupted"
    assert [p.content for p in partial.parts if isinstance(p, TextPart)] == [final.content]


async def test_cancelling_during_a_tool_call_stops_it(fake_openai: FakeOpenAI, everything: McpToolset) -> None:
    fake_openai.script(ToolCalls([Call("trigger-long-running-operation", {"duration": 30, "steps": 30}, id="long")]))
    started = asyncio.Event()

    def emit(event: Event) -> None:
        if isinstance(event, ToolStart):
            started.set()

    options = TurnOptions(5, 10, False, "conv")
    turn = Turn(openai_setup(fake_openai, everything), everything, [], "wait", options, emit)
    task = asyncio.create_task(turn.run())
    await started.wait()
    task.cancel()
    final = await asyncio.wait_for(task, 5)

    assert final.cancelled
    assert final.tool_invocations[0].error == CANCELLED_TOOL_RESULT
    answered = turn.new_messages[-1]
    assert [p.tool_call_id for p in answered.parts if isinstance(p, ToolReturnPart)] == ["long"]
    fake_openai.script(Text("still works"))
    run = await run_turn(openai_setup(fake_openai, everything), everything, "echo", history=turn.new_messages)
    assert run.final.content == "still works"


async def test_a_follow_up_sees_the_previous_tool_call_and_result(
    fake_openai: FakeOpenAI, everything: McpToolset
) -> None:
    setup = openai_setup(fake_openai, everything)
    fake_openai.script(ToolCalls([Call("echo", {"message": "42"}, id="call_42")]), Text("It echoed 42."))
    first = await run_turn(setup, everything, "echo 42")
    fake_openai.script(Text("It returned 'Echo: 42'."))

    await run_turn(setup, everything, "what did the tool return?", history=first.messages)

    roles = [(m["role"], m.get("tool_call_id")) for m in openai_messages(fake_openai, 2)]
    assert roles == [
        ("user", None),
        ("assistant", None),
        ("tool", "call_42"),
        ("assistant", None),
        ("user", None),
    ]
    assert openai_messages(fake_openai, 2)[2]["content"] == "Echo: 42"


@pytest.mark.parametrize("stream", [True, False])
async def test_a_full_tool_turn_in_the_anthropic_wire_format(
    fake_anthropic: FakeAnthropic, everything: McpToolset, stream: bool
) -> None:
    fake_anthropic.script(
        ToolCalls([Call("echo", {"message": "hola"}, id="toolu_1")], text="Let me check."),
        Text("It said Echo: hola"),
    )

    run = await run_turn(anthropic_setup(fake_anthropic, everything), everything, "echo hola", stream=stream)

    assert run.final.content == "Let me check.It said Echo: hola"
    end = run.of_type("tool_end")[0]
    assert isinstance(end, ToolEnd) and end.output == "Echo: hola"
    second = fake_anthropic.requests[1].json["messages"]
    result = second[-1]["content"][-1]
    assert result["type"] == "tool_result" and result["tool_use_id"] == "toolu_1"
    assert "Echo: hola" in str(result["content"])
    assert fake_anthropic.presented_key(fake_anthropic.requests[0]) == API_KEY


async def test_a_lost_mcp_server_ends_the_turn_and_the_next_turn_reconnects(
    fake_openai: FakeOpenAI, everything_server: Any
) -> None:
    server = everything_server("streamableHttp")
    toolset = await McpToolset.connect([everything_spec(server.url)], tool_timeout=10)
    try:
        setup = openai_setup(fake_openai, toolset)
        server.kill()
        fake_openai.script(ToolCalls([Call("echo", {"message": "a"})]))
        events: list[Event] = []
        turn = Turn(setup, toolset, [], "echo", TurnOptions(5, 10, True, "conv"), events.append)
        with pytest.raises(LLMChatError) as caught:
            await turn.run()
        assert caught.value.status_code == 503 and "'everything'" in caught.value.message

        server.start()
        fake_openai.script(ToolCalls([Call("echo", {"message": "b"})]), Text("back"))
        run = await run_turn(setup, toolset, "echo again")
        assert run.final.tool_invocations[0].output == "Echo: b"
        assert not any(isinstance(e, Error | Final) and e.type == "error" for e in run.events)
    finally:
        await toolset.close()


@pytest.mark.parametrize("stream", [True, False])
async def test_reasoning_comes_as_thinking_events(no_tools: McpToolset, stream: bool) -> None:
    """pydantic-ai's FunctionModel stands in for a reasoning model (the fake providers send no reasoning)."""

    def answer(_messages: list[ModelMessage], _info: AgentInfo) -> ModelResponse:
        return ModelResponse(parts=[ThinkingPart("Let me think."), TextPart("42")])

    async def stream_answer(_messages: list[ModelMessage], _info: AgentInfo) -> AsyncIterator[DeltaThinkingCalls]:
        yield {0: DeltaThinkingPart(content="Let me ")}
        yield {0: DeltaThinkingPart(content="think.")}

    setup = ModelSetup.build(FunctionModel(answer, stream_function=stream_answer), None, [], None)

    run = await run_turn(setup, no_tools, "meaning of life?", stream=stream)

    thinking = "".join(e.content for e in run.events if isinstance(e, Thinking))
    assert thinking == "Let me think."
    assert run.final.content == ("" if stream else "42")


async def test_a_tool_that_times_out_is_a_tool_error(fake_openai: FakeOpenAI, everything_http_url: str) -> None:
    toolset = await McpToolset.connect([everything_spec(everything_http_url)], tool_timeout=0.5)
    try:
        fake_openai.script(
            ToolCalls([Call("trigger-long-running-operation", {"duration": 3, "steps": 1})]), Text("too slow")
        )

        run = await run_turn(openai_setup(fake_openai, toolset), toolset, "wait")

        [error] = [e for e in run.events if isinstance(e, ToolError)]
        assert "did not answer within 0.5 s" in error.error
        assert run.final.content == "too slow"
    finally:
        await toolset.close()


async def test_an_unreachable_provider_is_a_clear_502(no_tools: McpToolset) -> None:
    conn = ProviderConnection(provider_type="openai_compatible", api_base=f"http://127.0.0.1:{free_port()}/v1")
    setup = ModelSetup.build(build_model(conn, "gpt-4o-mini"), None, [], None)

    with pytest.raises(ProviderUnavailable) as caught:
        await run_turn(setup, no_tools, "hi", stream=False)

    assert caught.value.message == "Could not reach the LLM provider. Check that it is running and reachable."
