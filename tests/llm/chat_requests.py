"""One chat request through pydantic-ai's model layer, as the chat engine sends it, offering an `echo` tool."""

from __future__ import annotations

from pydantic_ai.messages import ModelMessage, ModelRequest, ModelResponse, UserPromptPart
from pydantic_ai.models import Model, ModelRequestParameters
from pydantic_ai.settings import ModelSettings
from pydantic_ai.tools import ToolDefinition

ECHO = ToolDefinition(
    name="echo",
    description="Echo the text back.",
    parameters_json_schema={"type": "object", "properties": {"text": {"type": "string"}}, "required": ["text"]},
)
PARAMETERS = ModelRequestParameters(function_tools=[ECHO], allow_text_output=True)


def _messages(prompt: str) -> list[ModelMessage]:
    return [ModelRequest(parts=[UserPromptPart(prompt)])]


async def ask(model: Model, settings: ModelSettings | None = None, prompt: str = "Hello?") -> ModelResponse:
    """The non-streamed answer."""
    return await model.request(_messages(prompt), settings, PARAMETERS)


async def ask_streaming(model: Model, settings: ModelSettings | None = None, prompt: str = "Hello?") -> ModelResponse:
    """The streamed answer, once the stream is consumed."""
    async with model.request_stream(_messages(prompt), settings, PARAMETERS) as stream:
        async for _ in stream:
            pass
    return stream.get()
