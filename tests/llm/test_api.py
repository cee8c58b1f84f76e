"""The /llm admin API and /llmchat/gateway/models, through the app, against real fake-provider servers."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from tests.fakes.openai import FakeOpenAI
from tests.fixtures.app import free_port
from tests.fixtures.auth import MakeUser

KEY = "sk-api-test-secret-42"
Headers = dict[str, str]


async def add_provider(client: httpx.AsyncClient, headers: Headers, **body: Any) -> dict[str, Any]:
    body = {"name": "OpenAI", "provider_type": "openai", "api_key": KEY} | body
    response = await client.post("/llm/providers", json=body, headers=headers)
    assert response.status_code == 201, response.text
    created: dict[str, Any] = response.json()
    return created


async def add_model(client: httpx.AsyncClient, headers: Headers, provider_id: str, model_id: str) -> dict[str, Any]:
    response = await client.post(
        "/llm/models", json={"provider_id": provider_id, "model_id": model_id}, headers=headers
    )
    assert response.status_code == 201, response.text
    created: dict[str, Any] = response.json()
    return created


async def test_provider_round_trip_never_shows_the_key(client: httpx.AsyncClient, admin_headers: Headers) -> None:
    created = await add_provider(client, admin_headers, default_max_tokens=1024)
    assert created["api_key"] == "*****"
    url = f"/llm/providers/{created['id']}"

    responses = [
        await client.get(url, headers=admin_headers),
        await client.get("/llm/providers", headers=admin_headers),
        await client.patch(url, json={"api_key": "*****", "default_temperature": 1.5}, headers=admin_headers),
        await client.post(f"{url}/disable", headers=admin_headers),
    ]
    assert all(r.status_code == 200 for r in responses)
    assert all(KEY not in r.text for r in responses)
    listed = responses[1].json()
    assert (listed["total"], listed["limit"], listed["offset"]) == (1, 50, 0)
    assert listed["items"][0]["api_key"] == "*****"
    assert responses[2].json()["default_temperature"] == 1.5
    assert responses[3].json()["enabled"] is False

    assert (await client.delete(url, headers=admin_headers)).status_code == 204
    missing = await client.get(url, headers=admin_headers)
    assert missing.status_code == 404
    assert missing.json()["detail"] == f"No provider with id '{created['id']}'."


async def test_refusals_name_the_problem(client: httpx.AsyncClient, admin_headers: Headers) -> None:
    await add_provider(client, admin_headers)
    cases = [
        ({"name": "openai"}, 409, "A provider named 'openai' already exists."),
        ({"name": "B", "provider_type": "nope"}, 400, "Unknown provider_type 'nope'."),
        ({"name": "B", "provider_type": "watsonx", "api_base": "https://w"}, 400, "config.project_id is required"),
        ({"name": "B", "provider_type": "ollama", "api_base": "ftp://x"}, 400, "api_base: not a valid http(s) URL"),
        ({"name": "B", "api_key": None}, 400, "api_key is required for provider type openai"),
        ({"name": "B", "default_temperature": 3}, 422, "default_temperature: Input should be less than or equal to 2"),
        ({"name": "B", "default_max_tokens": 0}, 422, "default_max_tokens: Input should be greater than 0"),
    ]
    for body, status, message in cases:
        response = await client.post(
            "/llm/providers", json={"provider_type": "openai", "api_key": KEY} | body, headers=admin_headers
        )
        assert (response.status_code, message in response.json()["detail"]) == (status, True), response.text


async def test_model_round_trip_and_pagination(client: httpx.AsyncClient, admin_headers: Headers) -> None:
    provider = await add_provider(client, admin_headers)
    for model_id in ("gpt-4o-mini", "gpt-4o", "o3"):
        await add_model(client, admin_headers, provider["id"], model_id)
    page = await client.get(
        "/llm/models", params={"provider_id": provider["id"], "limit": 2, "offset": 1}, headers=admin_headers
    )
    assert [m["ref"] for m in page.json()["items"]] == ["openai/gpt-4o-mini", "openai/o3"]
    assert page.json()["total"] == 3

    model = page.json()["items"][0]
    url = f"/llm/models/{model['id']}"
    patched = await client.patch(
        url, json={"model_name": "GPT-4o mini", "context_window": 128000}, headers=admin_headers
    )
    assert (patched.json()["model_name"], patched.json()["context_window"]) == ("GPT-4o mini", 128000)
    assert (await client.post(f"{url}/disable", headers=admin_headers)).json()["enabled"] is False
    assert (await client.post(f"{url}/enable", headers=admin_headers)).json()["enabled"] is True

    duplicate = await client.post(
        "/llm/models", json={"provider_id": provider["id"], "model_id": "o3"}, headers=admin_headers
    )
    assert duplicate.status_code == 409
    assert (await client.delete(url, headers=admin_headers)).status_code == 204
    assert (await client.get(url, headers=admin_headers)).status_code == 404
    assert (await client.get("/llm/models", params={"limit": 0}, headers=admin_headers)).status_code == 422


async def test_only_admins_manage_and_readers_see_gateway_models(
    client: httpx.AsyncClient, admin_headers: Headers, make_user: MakeUser
) -> None:
    on = await add_provider(client, admin_headers, name="On")
    off = await add_provider(client, admin_headers, name="Off", enabled=False)
    visible = await add_model(client, admin_headers, on["id"], "gpt-4o")
    disabled = await add_model(client, admin_headers, on["id"], "gpt-3.5")
    await client.post(f"/llm/models/{disabled['id']}/disable", headers=admin_headers)
    await add_model(client, admin_headers, off["id"], "gpt-4o")

    _, user = await make_user("user")
    _, viewer = await make_user("viewer")
    for path in ("/llm/providers", "/llm/models", "/llm/provider-types"):
        assert (await client.get(path, headers=user)).status_code == 403
    assert (await client.post("/llm/providers", json={"name": "X"}, headers=viewer)).status_code == 403
    assert (await client.get("/llmchat/gateway/models")).status_code == 401

    listing = (await client.get("/llmchat/gateway/models", headers=viewer)).json()
    assert listing == {
        "count": 1,
        "models": [
            {
                "id": visible["id"],
                "model_id": "gpt-4o",
                "model_name": "gpt-4o",
                "provider_id": on["id"],
                "provider_name": "On",
                "provider_type": "openai",
                "supports_streaming": True,
                "supports_function_calling": True,
                "supports_vision": False,
            }
        ],
    }


async def test_provider_types_describe_their_fields(client: httpx.AsyncClient, admin_headers: Headers) -> None:
    types = {t["name"]: t for t in (await client.get("/llm/provider-types", headers=admin_headers)).json()["types"]}
    assert {"openai", "anthropic", "bedrock", "ollama", "openai_compatible"} <= set(types)
    secret = {f["name"]: f["secret"] for f in types["bedrock"]["fields"]}
    assert secret["aws_secret_access_key"] is True and secret["region"] is False
    assert types["openai"]["needs_api_key"] is True


@pytest.mark.parametrize(
    ("api_base", "api_key", "reason"),
    [
        ("{fake}/v1", KEY, None),
        ("{fake}/v1", "sk-wrong", "401 Unauthorized: the API key was rejected"),
        ("http://127.0.0.1:{closed}/v1", KEY, "connection refused at http://127.0.0.1:"),
    ],
    ids=["healthy", "wrong-key", "closed-port"],
)
async def test_health_is_checked_for_real_and_stored(
    client: httpx.AsyncClient,
    admin_headers: Headers,
    fake_openai: FakeOpenAI,
    api_base: str,
    api_key: str,
    reason: str | None,
) -> None:
    fake_openai.require_key(KEY)
    base = api_base.format(fake=fake_openai.url, closed=free_port())
    provider = await add_provider(client, admin_headers, api_base=base, api_key=api_key)

    result = (await client.post(f"/llm/providers/{provider['id']}/health", headers=admin_headers)).json()

    assert result["healthy"] is (reason is None)
    assert result["status"] == ("healthy" if reason is None else "unhealthy")
    assert (result["error"] is None) if reason is None else (reason in result["error"])
    assert result["latency_ms"] >= 0 and result["checked_at"]
    stored = (await client.get(f"/llm/providers/{provider['id']}", headers=admin_headers)).json()
    assert (stored["health_status"], stored["health_error"]) == (result["status"], result["error"])
    assert stored["health_checked_at"] == result["checked_at"]
    assert "sk-wrong" not in str(result)


async def test_discover_lists_marks_and_adds(
    client: httpx.AsyncClient, admin_headers: Headers, fake_openai: FakeOpenAI
) -> None:
    fake_openai.models = ["gpt-4o", "gpt-4o-mini", "o3"]
    provider = await add_provider(client, admin_headers, api_base=f"{fake_openai.url}/v1")
    await add_model(client, admin_headers, provider["id"], "gpt-4o")
    url = f"/llm/providers/{provider['id']}/discover"

    listed = (await client.post(url, headers=admin_headers)).json()
    assert {m["model_id"]: m["already_added"] for m in listed["models"]} == {
        "gpt-4o": True,
        "gpt-4o-mini": False,
        "o3": False,
    }
    assert listed["added"] == []

    some = (await client.post(url, json={"add": ["o3", "gpt-4o"]}, headers=admin_headers)).json()
    assert [m["ref"] for m in some["added"]] == ["openai/o3"]
    rest = (await client.post(url, json={"add": True}, headers=admin_headers)).json()
    assert [m["model_id"] for m in rest["added"]] == ["gpt-4o-mini"]
    unknown = await client.post(url, json={"add": ["gpt-9"]}, headers=admin_headers)
    assert (unknown.status_code, unknown.json()["detail"]) == (400, "Provider 'OpenAI' does not offer: gpt-9.")
    total = (await client.get("/llm/models", headers=admin_headers)).json()["total"]
    assert total == 3


async def test_discover_reports_an_unreachable_provider(client: httpx.AsyncClient, admin_headers: Headers) -> None:
    provider = await add_provider(client, admin_headers, api_base=f"http://127.0.0.1:{free_port()}/v1")
    response = await client.post(f"/llm/providers/{provider['id']}/discover", headers=admin_headers)
    assert response.status_code == 502
    assert "connection refused" in response.json()["detail"]
