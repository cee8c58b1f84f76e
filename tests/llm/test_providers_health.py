"""Health checks and discovery for every provider type, against its fake: real requests, reasons a person reads."""

from __future__ import annotations

import pytest

from llmchat.errors import ProviderUnavailable, Timeout
from llmchat.llm.providers import REGISTRY
from tests.fakes.gemini import ACCESS_TOKEN
from tests.fakes.replies import Hang
from tests.llm.fake_connections import KEY, closed_port_url, connect, fake_for

TYPES = list(REGISTRY)

WRONG_KEY_REASONS = {
    "google": "400 Bad Request: the API key was rejected",
    "google_vertex": "401 Unauthorized: Google rejected the credentials",
    "bedrock": "403 Forbidden: the AWS credentials were rejected",
}


@pytest.mark.parametrize("provider_type", TYPES)
async def test_a_working_provider_is_healthy_and_lists_its_models(
    provider_type: str, request: pytest.FixtureRequest
) -> None:
    fake = fake_for(provider_type, request)
    conn = connect(provider_type, fake.url)

    await REGISTRY[provider_type].check_health(conn)
    models = await REGISTRY[provider_type].list_models(conn)

    assert [m.model_id for m in models] == fake.models
    assert fake.requests, "the check went over HTTP"


@pytest.mark.parametrize("provider_type", TYPES)
async def test_a_wrong_key_is_unhealthy_with_the_reason(provider_type: str, request: pytest.FixtureRequest) -> None:
    fake = fake_for(provider_type, request)
    fake.require_key("another-token" if provider_type == "google_vertex" else KEY)
    conn = connect(provider_type, fake.url, key="sk-wrong-9876543210")

    with pytest.raises(ProviderUnavailable) as caught:
        await REGISTRY[provider_type].check_health(conn)

    assert caught.value.message == WRONG_KEY_REASONS.get(provider_type, "401 Unauthorized: the API key was rejected")
    assert "sk-wrong" not in caught.value.message and ACCESS_TOKEN not in caught.value.message


@pytest.mark.parametrize("provider_type", TYPES)
async def test_a_closed_port_is_unhealthy(provider_type: str) -> None:
    url = closed_port_url()

    with pytest.raises(ProviderUnavailable, match=f"^connection refused at {url}$"):
        await REGISTRY[provider_type].check_health(connect(provider_type, url))


@pytest.mark.parametrize("provider_type", TYPES)
async def test_a_provider_that_does_not_answer_times_out(provider_type: str, request: pytest.FixtureRequest) -> None:
    fake = fake_for(provider_type, request)
    fake.script_models(Hang(5))

    with pytest.raises(Timeout, match=r"^timed out after 0.5s"):
        await REGISTRY[provider_type].check_health(connect(provider_type, fake.url, timeout=0.5))


async def test_an_unknown_host_fails_its_dns_lookup() -> None:
    conn = connect("openai", "http://api.example.invalid")

    with pytest.raises(ProviderUnavailable, match=r"^DNS lookup failed for api.example.invalid$"):
        await REGISTRY["openai"].check_health(conn)
