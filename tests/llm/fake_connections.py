"""A `ProviderConnection` of each provider type pointing at the fake server that speaks its wire format."""

from __future__ import annotations

import json
import socket
from functools import cache
from typing import Any

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from llmchat.llm.providers import ProviderConnection
from tests.fakes.server import FakeServer

KEY = "sk-test-0123456789"
AWS_KEY_ID = "AKIDTESTFAKE"

FAKE_FOR_TYPE = {
    "openai": "fake_openai",
    "azure_openai": "fake_openai",
    "anthropic": "fake_anthropic",
    "bedrock": "fake_bedrock",
    "google": "fake_gemini",
    "google_vertex": "fake_gemini",
    "ollama": "fake_ollama",
    "openai_compatible": "fake_openai",
    "groq": "fake_openai",
    "mistral": "fake_openai",
    "watsonx": "fake_openai",
}
"""The fixture of the fake server each provider type talks to."""


@cache
def _private_key_pem() -> str:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    pem = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    return pem.decode()


def service_account(url: str) -> str:
    """A service account key (JSON) that gets its OAuth tokens from the fake at `url`."""
    return json.dumps(
        {
            "type": "service_account",
            "project_id": "llmchat-test",
            "private_key_id": "key-1",
            "private_key": _private_key_pem(),
            "client_email": "chat@llmchat-test.iam.gserviceaccount.com",
            "client_id": "1234567890",
            "token_uri": f"{url}/token",
        }
    )


def connect(provider_type: str, url: str, *, key: str | None = KEY, **overrides: Any) -> ProviderConnection:
    """A connection of `provider_type` to the fake at `url` presenting `key` (its AWS key id, for Bedrock)."""
    values: dict[str, Any] = {"provider_type": provider_type, "api_key": key, "timeout": 5.0}
    match provider_type:
        case "openai" | "mistral" | "openai_compatible":
            values["api_base"] = f"{url}/v1"
        case "groq":
            values["api_base"] = f"{url}/openai/v1"
        case "watsonx":
            values |= {"api_base": f"{url}/ml/gateway/v1", "config": {"project_id": "proj-42"}}
        case "azure_openai" | "anthropic" | "google" | "ollama":
            values["api_base"] = url
        case "google_vertex":
            vertex = {"project": "llmchat-test", "location": "europe-west4", "credentials_json": service_account(url)}
            values |= {"api_base": url, "api_key": None, "config": vertex}
        case "bedrock":
            aws = {"region": "us-east-1", "aws_access_key_id": key, "aws_secret_access_key": "aws-secret"}
            values |= {"api_base": url, "api_key": None, "config": aws}
    return ProviderConnection(**(values | overrides))


def closed_port_url() -> str:
    """A URL nothing listens on."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return f"http://127.0.0.1:{s.getsockname()[1]}"


def fake_for(provider_type: str, request: Any) -> FakeServer:
    """The fake server fixture for `provider_type`, from a pytest `request`."""
    server: FakeServer = request.getfixturevalue(FAKE_FOR_TYPE[provider_type])
    return server
