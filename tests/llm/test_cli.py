"""`llmchat providers` and `llmchat models`, run on the configured database (both databases)."""

from __future__ import annotations

from typing import Any

import pytest

from tests.fakes.openai import FakeOpenAI
from tests.fixtures.cli import as_json

KEY = "sk-cli-secret-777"


def test_add_test_discover_and_list(llmchat: Any, fake_openai: FakeOpenAI) -> None:
    fake_openai.require_key(KEY)
    added = llmchat("providers", "add", "OpenAI", "--type", "openai", "--api-base", f"{fake_openai.url}/v1", input=KEY)
    assert added.exit_code == 0, added.output
    assert "Added provider OpenAI (openai), slug openai." in added.stdout
    assert KEY not in added.stdout

    listed = as_json(llmchat("providers", "list", "--json"))
    assert [(p["name"], p["api_key"]) for p in listed] == [("OpenAI", "*****")]

    healthy = llmchat("providers", "test", "openai")
    assert (healthy.exit_code, "healthy" in healthy.stdout) == (0, True)

    found = as_json(llmchat("providers", "discover", "OpenAI", "--add", "gpt-4o", "--json"))
    assert {m["model_id"]: m["already_added"] for m in found["models"]} == {"gpt-4o-mini": False, "gpt-4o": False}
    assert [m["ref"] for m in found["added"]] == ["openai/gpt-4o"]
    rest = llmchat("providers", "discover", "openai", "--add-all")
    assert rest.exit_code == 0, rest.output
    assert "2 models listed, 1 added." in rest.stdout

    model = as_json(llmchat("models", "add", "openai", "o3", "--alias", "thinker", "--no-tools", "--json"))
    assert (model["ref"], model["model_alias"], model["supports_function_calling"]) == ("openai/o3", "thinker", False)
    models = as_json(llmchat("models", "list", "--provider", "openai", "--json"))
    assert [m["model_id"] for m in models] == ["gpt-4o", "gpt-4o-mini", "o3"]
    table = llmchat("models", "list")
    assert "openai/o3" in table.stdout


def test_an_unhealthy_provider_exits_1_with_the_reason(llmchat: Any, fake_openai: FakeOpenAI) -> None:
    fake_openai.require_key(KEY)
    base = f"{fake_openai.url}/v1"
    assert (
        llmchat("providers", "add", "Wrong", "--type", "openai", "--api-base", base, "--api-key", "nope").exit_code == 0
    )

    result = llmchat("providers", "test", "wrong")

    assert result.exit_code == 1
    assert "unhealthy: 401 Unauthorized: the API key was rejected" in result.stdout
    assert as_json(llmchat("providers", "list", "--json"))[0]["health_status"] == "unhealthy"


def test_config_fields_are_parsed_and_secret_ones_masked(llmchat: Any) -> None:
    result = llmchat(
        "providers", "add", "AWS", "--type", "bedrock", "--config", "region=eu-west-1",
        "--config", "aws_secret_access_key=very-secret", "--json",
    )  # fmt: skip
    provider = as_json(result)
    assert provider["config"] == {"region": "eu-west-1", "aws_secret_access_key": "*****"}
    assert "very-secret" not in result.stdout


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["providers", "add", "X", "--type", "nope"], "error: Unknown provider_type 'nope'. Known types:"),
        (["providers", "add", "X", "--type", "bedrock"], "error: config.region is required for provider type bedrock"),
        (["providers", "add", "X", "--type", "ollama", "--config", "oops"], "--config expects key=value, got 'oops'"),
        (["providers", "test", "missing"], "error: No provider named 'missing'."),
        (["models", "add", "missing", "gpt-4o"], "error: No provider named 'missing'."),
    ],
)
def test_errors_are_one_line(llmchat: Any, args: list[str], message: str) -> None:
    result = llmchat(*args)
    assert result.exit_code == 2
    assert message in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
