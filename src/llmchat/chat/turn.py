"""One chat turn: our own agent loop over pydantic-ai's model layer (not `Agent`, which costs more per request).

The model answers or calls tools; the calls of one step run in parallel; their results go back; repeat up to
`max_steps` model requests, the last one offered no tools so it must answer. Streaming and non-streaming
turns run this same code and emit the same events; only the model call differs.
"""

from __future__ import annotations

import asyncio
import time
import weakref
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace

from pydantic_ai.messages import (
    INVALID_JSON_KEY,
    InstructionPart,
    ModelMessage,
    ModelRequest,
    ModelRequestPart,
    ModelResponse,
    PartDeltaEvent,
    PartStartEvent,
    TextPart,
    TextPartDelta,
    ThinkingPart,
    ThinkingPartDelta,
    ToolCallPart,
    ToolReturnPart,
    UserPromptPart,
)
from pydantic_ai.models import Model, ModelRequestParameters, StreamedResponse
from pydantic_ai.settings import ModelSettings
from pydantic_ai.tools import ToolDefinition

from llmchat import metrics
from llmchat.chat.events import (
    Event,
    Final,
    Thinking,
    Token,
    ToolEnd,
    ToolError,
    ToolInvocation,
    ToolProgress,
    ToolStart,
    Usage,
    now_iso,
)
from llmchat.chat.provider_errors import translate_model_error
from llmchat.errors import LLMChatError, Timeout
from llmchat.mcp import ExposedTool, McpToolset, ToolOutcome

Emit = Callable[[Event], None]

CANCELLED_TOOL_RESULT = "The user cancelled this tool call."


@dataclass(frozen=True, slots=True)
class ModelSetup:
    """A session's model and what goes with every request to it; built once per session."""

    model: Model
    settings: ModelSettings | None
    params: ModelRequestParameters
    """Tools offered and the system prompt."""
    last_step_params: ModelRequestParameters
    """The same without tools, for the last step a turn may take."""

    @classmethod
    def build(
        cls, model: Model, settings: ModelSettings | None, tools: Sequence[ExposedTool], system_prompt: str | None
    ) -> ModelSetup:
        """Tool definitions are built here once: offering tools is costly enough without rebuilding them."""
        instructions = [InstructionPart(system_prompt)] if system_prompt else None
        definitions = [_definition(t) for t in tools]
        params = ModelRequestParameters(function_tools=definitions, instruction_parts=instructions)
        last = ModelRequestParameters(instruction_parts=instructions) if definitions else params
        return cls(model, settings, params, last)


_definitions: weakref.WeakValueDictionary[tuple[str, str | None, int], ToolDefinition] = weakref.WeakValueDictionary()


def _definition(tool: ExposedTool) -> ToolDefinition:
    """One definition per (name, description, schema), however many sessions offer the tool: sessions to the
    same server share its listing's schema dicts (see `llmchat.mcp.connection`), so 200 sessions keep one set.
    pydantic-ai never changes a definition (it copies with `replace`); the key's `id` is valid while the
    definition, which holds the schema, is alive."""
    description = tool.description or None
    key = (tool.name, description, id(tool.input_schema))
    definition = _definitions.get(key)
    if definition is None:
        definition = ToolDefinition(name=tool.name, parameters_json_schema=tool.input_schema, description=description)
        _definitions[key] = definition
    return definition


@dataclass(frozen=True, slots=True)
class TurnOptions:
    max_steps: int
    llm_timeout: float
    stream: bool
    conversation_id: str


@dataclass
class Turn:
    """One turn of a session: run it once; afterwards `new_messages` holds what to add to the history."""

    setup: ModelSetup
    tools: McpToolset
    history: Sequence[ModelMessage]
    message: str
    options: TurnOptions
    emit: Emit = field(default=lambda _event: None)
    """Where events go; a RunningTurn sets its queue here."""
    new_messages: list[ModelMessage] = field(default_factory=list)
    invocations: list[ToolInvocation] = field(default_factory=list)
    usage: Usage = field(default_factory=Usage)
    """Tokens used so far, over every model request of the turn."""
    _live_stream: StreamedResponse | None = None
    _tool_results: list[ModelRequestPart] = field(default_factory=list)

    async def run(self) -> Final:
        """Run the turn to its end and emit its events; raises LLMChatError when it fails.

        Cancelling the task running this stops the model and the tools; the turn then ends normally with the
        partial answer kept and `cancelled` set.
        """
        started = time.perf_counter()
        self.new_messages = [ModelRequest(parts=[UserPromptPart(self.message)])]
        cancelled = False
        try:
            await self._loop()
        except asyncio.CancelledError:
            task = asyncio.current_task()
            if task is not None:
                task.uncancel()
            cancelled = True
            self._keep_partial()
        final = Final(
            content=_answer_text(self.new_messages),
            conversation_id=self.options.conversation_id,
            tool_invocations=self.invocations,
            elapsed_ms=int((time.perf_counter() - started) * 1000),
            usage=self.usage,
            cancelled=cancelled,
        )
        self.emit(final)
        return final

    async def _loop(self) -> None:
        for step in range(self.options.max_steps):
            last = step == self.options.max_steps - 1
            params = self.setup.last_step_params if last else self.setup.params
            messages = [*self.history, *self.new_messages]
            response = await self._request(messages, params)
            self.new_messages.append(response)
            calls = [p for p in response.parts if isinstance(p, ToolCallPart)]
            if not calls:
                return
            self.new_messages.append(ModelRequest(parts=await self._run_tools(calls)))

    async def _request(self, messages: list[ModelMessage], params: ModelRequestParameters) -> ModelResponse:
        try:
            async with asyncio.timeout(self.options.llm_timeout):
                if self.options.stream:
                    response = await self._stream(messages, params)
                else:
                    response = await self.setup.model.request(messages, self.setup.settings, params)
                    self._emit_parts(response)
        except Exception as exc:
            error = translate_model_error(exc, timeout=self.options.llm_timeout)
            if error is None:
                raise
            raise error from None
        self._count(response)
        return response

    async def _stream(self, messages: list[ModelMessage], params: ModelRequestParameters) -> ModelResponse:
        emit = self.emit
        async with self.setup.model.request_stream(messages, self.setup.settings, params) as stream:
            self._live_stream = stream
            async for event in stream:
                if isinstance(event, PartDeltaEvent):
                    delta = event.delta
                    if isinstance(delta, TextPartDelta):
                        if delta.content_delta:
                            emit(Token(delta.content_delta))
                    elif isinstance(delta, ThinkingPartDelta) and delta.content_delta:
                        emit(Thinking(delta.content_delta))
                elif isinstance(event, PartStartEvent):
                    part = event.part
                    if isinstance(part, TextPart):
                        if part.content:
                            emit(Token(part.content))
                    elif isinstance(part, ThinkingPart) and part.content:
                        emit(Thinking(part.content))
        self._live_stream = None
        return stream.get()

    def _emit_parts(self, response: ModelResponse) -> None:
        for part in response.parts:
            if isinstance(part, TextPart) and part.content:
                self.emit(Token(part.content))
            elif isinstance(part, ThinkingPart) and part.content:
                self.emit(Thinking(part.content))

    def _count(self, response: ModelResponse) -> None:
        self.usage.input_tokens += response.usage.input_tokens
        self.usage.output_tokens += response.usage.output_tokens

    async def _run_tools(self, calls: list[ToolCallPart]) -> list[ModelRequestPart]:
        results: list[ModelRequestPart] = [_cancelled_result(call) for call in calls]
        self._tool_results = results

        async def run_one(index: int, call: ToolCallPart) -> None:
            results[index] = await self._run_tool(call)

        try:
            async with asyncio.TaskGroup() as group:
                for index, call in enumerate(calls):
                    group.create_task(run_one(index, call))
        except* LLMChatError as errors:
            raise errors.exceptions[0] from None
        return results

    async def _run_tool(self, call: ToolCallPart) -> ToolReturnPart:
        """Call one tool; its failure (or timeout) goes back to the model, a lost server ends the turn."""
        name, call_id = call.tool_name, call.tool_call_id
        args = call.args_as_dict()
        tool = self.tools.get(name)
        server = tool.server if tool is not None else ""
        invocation = ToolInvocation(id=call_id, tool=name, input=args, start=now_iso())
        self.invocations.append(invocation)
        self.emit(ToolStart(call_id, name, server, args, invocation.start))

        async def progress(done: float, total: float | None, message: str | None) -> None:
            self.emit(ToolProgress(call_id, name, done, total, message))

        started = time.perf_counter()
        if INVALID_JSON_KEY in args:
            outcome = ToolOutcome(text="The tool arguments are not valid JSON; send a JSON object.", is_error=True)
        else:
            try:
                outcome = await self.tools.call(name, args, progress=progress)
            except Timeout as exc:
                outcome = ToolOutcome(text=exc.message, is_error=True)
            except LLMChatError:
                metrics.tool_call_ended(ok=False, seconds=time.perf_counter() - started)
                raise
        metrics.tool_call_ended(ok=not outcome.is_error, seconds=time.perf_counter() - started)
        invocation.end = now_iso()
        if outcome.is_error:
            invocation.error = outcome.text
            self.emit(ToolError(call_id, name, server, outcome.text, invocation.end))
            return ToolReturnPart(name, outcome.text, call_id, outcome="failed")
        invocation.output = outcome.output
        self.emit(ToolEnd(call_id, name, server, outcome.output, invocation.end))
        return ToolReturnPart(name, outcome.text, call_id)

    def _keep_partial(self) -> None:
        """After a cancel: keep the partial answer, and answer every tool call left without a result."""
        if self._live_stream is not None:
            partial = self._live_stream.get()
            self._live_stream = None
            self._count(partial)
            kept = [p for p in partial.parts if isinstance(p, TextPart | ThinkingPart)]
            if kept:
                self.new_messages.append(replace(partial, parts=kept, state="interrupted"))
        elif isinstance(self.new_messages[-1], ModelResponse) and self._tool_results:
            self.new_messages.append(ModelRequest(parts=self._tool_results))
        for invocation in self.invocations:
            if invocation.end is None:
                invocation.end = now_iso()
                invocation.error = CANCELLED_TOOL_RESULT


def _cancelled_result(call: ToolCallPart) -> ToolReturnPart:
    return ToolReturnPart(call.tool_name, CANCELLED_TOOL_RESULT, call.tool_call_id, outcome="interrupted")


def _answer_text(messages: Sequence[ModelMessage]) -> str:
    """Every piece of answer text of the turn, in order: what a streaming client has shown."""
    return "".join(
        part.content
        for message in messages
        if isinstance(message, ModelResponse)
        for part in message.parts
        if isinstance(part, TextPart)
    )
