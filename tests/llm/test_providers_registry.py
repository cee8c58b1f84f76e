"""The registry of provider types: what each declares, and that declaring costs no SDK import."""

from __future__ import annotations

import subprocess
import sys

import pytest

from llmchat.errors import InvalidInput
from llmchat.llm.providers import REGISTRY, ProviderConnection, get_provider_type

TYPES = [
    "openai",
    "azure_openai",
    "anthropic",
    "bedrock",
    "google",
    "google_vertex",
    "ollama",
    "openai_compatible",
    "groq",
    "mistral",
    "watsonx",
]


def test_the_registry_lists_every_type_once() -> None:
    assert list(REGISTRY) == TYPES
    assert all(REGISTRY[name].name == name and REGISTRY[name].label for name in TYPES)


def test_an_unknown_type_is_refused_with_the_known_ones() -> None:
    with pytest.raises(InvalidInput, match=r"Unknown provider type 'cohere'; known types: openai, azure_openai"):
        get_provider_type("cohere")


@pytest.mark.parametrize(
    ("provider_type", "required", "secret"),
    [
        ("azure_openai", set(), set()),
        ("bedrock", {"region"}, {"aws_secret_access_key", "aws_session_token"}),
        ("google_vertex", {"project"}, {"credentials_json"}),
        ("openai_compatible", set(), {"headers", "basic_auth_password"}),
        ("watsonx", {"project_id"}, set()),
    ],
)
def test_types_declare_their_config_fields(provider_type: str, required: set[str], secret: set[str]) -> None:
    fields = REGISTRY[provider_type].fields
    assert {f.name for f in fields if f.required} == required
    assert {f.name for f in fields if f.secret} == secret


def test_what_each_type_needs() -> None:
    assert REGISTRY["azure_openai"].needs_api_base and REGISTRY["azure_openai"].default_api_version == "2024-10-21"
    assert REGISTRY["groq"].default_api_base == "https://api.groq.com/openai/v1"
    assert REGISTRY["mistral"].default_api_base == "https://api.mistral.ai/v1"
    assert REGISTRY["ollama"].default_api_base == "http://127.0.0.1:11434"
    keyless = {name for name, t in REGISTRY.items() if not t.needs_api_key}
    assert keyless == {"bedrock", "google_vertex", "ollama", "openai_compatible"}


def test_a_connection_missing_required_settings_is_refused_by_name() -> None:
    conn = ProviderConnection("watsonx", api_key=None, config={"project_id": ""})
    with pytest.raises(InvalidInput, match=r"IBM watsonx.ai provider needs api_key, api_base, config.project_id"):
        REGISTRY["watsonx"].build_model(conn, "ibm/granite-3-8b-instruct")


def test_importing_the_registry_and_factory_loads_no_provider_sdk() -> None:
    sdks = ["openai", "anthropic", "google.genai", "boto3", "pydantic_ai.models.openai"]
    code = (
        "import sys, llmchat.llm.providers, llmchat.llm.factory; "
        f"print(','.join(m for m in {sdks!r} if m in sys.modules))"
    )
    loaded = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert loaded.strip() == ""


def test_preloading_imports_the_sdks_of_the_named_types_only() -> None:
    code = (
        "import asyncio, sys; from llmchat.llm.factory import preload_sdks; "
        "asyncio.run(preload_sdks(['anthropic', 'bedrock', 'no-such-type'])); "
        "print(','.join(m for m in ['anthropic', 'boto3', 'pydantic_ai.models.bedrock', 'openai'] if m in sys.modules))"
    )
    loaded = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert loaded.strip() == "anthropic,boto3,pydantic_ai.models.bedrock"
