"""Amazon Bedrock: Converse and ConverseStream (AWS event-stream framing) through boto3, SigV4-signed."""

from __future__ import annotations

from pydantic_ai.messages import TextPart, ToolCallPart

from llmchat.llm.factory import build_model, model_settings
from llmchat.llm.providers import REGISTRY
from tests.fakes.bedrock import FakeBedrock
from tests.fakes.replies import Call, Text, ToolCalls
from tests.llm.chat_requests import ask, ask_streaming
from tests.llm.fake_connections import AWS_KEY_ID, connect

MODEL = "anthropic.claude-3-5-haiku-20241022-v1:0"


async def test_converse_is_signed_and_carries_the_settings(fake_bedrock: FakeBedrock) -> None:
    conn = connect("bedrock", fake_bedrock.url, key=AWS_KEY_ID)
    fake_bedrock.script(Text("Hello from Bedrock."))

    response = await ask(build_model(conn, MODEL), model_settings(conn, temperature=0.6, max_tokens=70))

    assert response.parts == [TextPart(content="Hello from Bedrock.")]
    assert (response.usage.input_tokens, response.usage.output_tokens) == (10, 3)
    sent = fake_bedrock.requests[-1]
    assert (sent.method, sent.path) == ("POST", f"/model/{MODEL}/converse")
    assert sent.headers["authorization"].startswith(f"AWS4-HMAC-SHA256 Credential={AWS_KEY_ID}/")
    assert "/us-east-1/bedrock/aws4_request" in sent.headers["authorization"]
    assert sent.json["inferenceConfig"] == {"maxTokens": 70, "temperature": 0.6}
    assert sent.json["toolConfig"]["tools"][0]["toolSpec"]["name"] == "echo"


async def test_converse_stream_parses_text_and_tool_calls(fake_bedrock: FakeBedrock) -> None:
    fake_bedrock.script(ToolCalls([Call("echo", {"text": "ping"}, id="tooluse_1")], text="Let me see."))

    response = await ask_streaming(build_model(connect("bedrock", fake_bedrock.url), MODEL))

    assert response.parts == [
        TextPart(content="Let me see."),
        ToolCallPart(tool_name="echo", args='{"text": "ping"}', tool_call_id="tooluse_1"),
    ]
    assert fake_bedrock.requests[-1].path == f"/model/{MODEL}/converse-stream"


async def test_discovery_lists_foundation_models(fake_bedrock: FakeBedrock) -> None:
    models = await REGISTRY["bedrock"].list_models(connect("bedrock", fake_bedrock.url))

    assert [(m.model_id, m.supports_vision) for m in models] == [(MODEL, True), ("amazon.nova-lite-v1:0", False)]
    sent = fake_bedrock.requests[-1]
    assert (sent.path, sent.query) == ("/foundation-models", {"byOutputModality": "TEXT"})
    assert sent.headers["authorization"].startswith("AWS4-HMAC-SHA256 ")
