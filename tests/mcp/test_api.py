"""`/mcp/servers`: the catalogue of registered servers over HTTP, admin only, secrets masked."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

import httpx
import pytest

from tests.fixtures.auth import MakeUser
from tests.fixtures.mcp_servers import CannedHttp

TOKEN = "s3cret-bearer-value"
Canned = Callable[..., Awaitable[CannedHttp]]


async def test_crud_masks_secrets_and_keeps_them_on_mask(
    client: httpx.AsyncClient, admin_headers: dict[str, str], canned_http: Canned
) -> None:
    upstream = await canned_http(status=404)
    body = {"name": "remote", "url": upstream.url(), "auth_mode": "bearer", "auth_token": TOKEN}
    created = await client.post("/mcp/servers", json=body, headers=admin_headers)
    assert created.status_code == 201, created.text
    server = created.json()
    assert server["auth_token"] == "*****"
    assert (server["transport"], server["url"], server["enabled"]) == ("streamable_http", upstream.url(), True)
    assert TOKEN not in created.text

    listed = await client.get("/mcp/servers", headers=admin_headers)
    assert [(s["name"], s["auth_token"]) for s in listed.json()["items"]] == [("remote", "*****")]
    assert TOKEN not in listed.text

    renamed = await client.patch(
        f"/mcp/servers/{server['id']}", json={"name": "renamed", "auth_token": "*****"}, headers=admin_headers
    )
    assert renamed.status_code == 200, renamed.text
    assert (renamed.json()["name"], renamed.json()["auth_token"]) == ("renamed", "*****")

    tested = await client.post(f"/mcp/servers/{server['id']}/test", headers=admin_headers)
    assert tested.status_code == 200
    assert tested.json()["ok"] is False
    assert "MCP server 'renamed'" in tested.json()["error"]
    assert upstream.requests[0][2]["authorization"] == f"Bearer {TOKEN}"

    headers_mode = {"auth_mode": "headers", "headers": {"X-Api-Key": "k-1", "X-Tenant": "acme"}}
    switched = await client.patch(f"/mcp/servers/{server['id']}", json=headers_mode, headers=admin_headers)
    assert switched.json()["headers"] == {"X-Api-Key": "*****", "X-Tenant": "*****"}
    assert switched.json()["auth_token"] is None
    kept = {"headers": {"X-Api-Key": "*****", "X-Tenant": "other"}}
    await client.patch(f"/mcp/servers/{server['id']}", json=kept, headers=admin_headers)
    upstream.requests.clear()
    await client.post(f"/mcp/servers/{server['id']}/test", headers=admin_headers)
    sent = upstream.requests[0][2]
    assert (sent["x-api-key"], sent["x-tenant"], "authorization" in sent) == ("k-1", "other", False)

    fetched = await client.get(f"/mcp/servers/{server['id']}", headers=admin_headers)
    assert "k-1" not in fetched.text
    deleted = await client.delete(f"/mcp/servers/{server['id']}", headers=admin_headers)
    assert deleted.status_code == 204
    assert (await client.get(f"/mcp/servers/{server['id']}", headers=admin_headers)).status_code == 404


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ({"transport": "websocket"}, "Unknown transport 'websocket'; use one of: streamable_http, sse, stdio."),
        (
            {"auth_mode": "oauth"},
            "Unknown auth_mode 'oauth'; use one of: none, bearer, headers, forward_user_token.",
        ),
        ({"transport": "stdio", "url": None}, "A stdio server needs a command (and its args)."),
        ({"transport": "stdio", "command": "node"}, "A stdio server takes a command, not a url."),
        ({"url": None}, "A streamable_http server needs a url (http:// or https://)."),
        ({"url": "ftp://example.com/mcp"}, "refused: only http:// and https:// URLs are allowed"),
        ({"auth_mode": "bearer"}, "auth_mode 'bearer' needs an auth_token."),
        ({"auth_token": "t"}, "auth_token is used only with auth_mode 'bearer'."),
        ({"auth_mode": "headers", "headers": {"Bad Name": "x"}}, "Header 'Bad Name' is not a valid HTTP header."),
    ],
)
async def test_invalid_servers_get_a_400_saying_why(
    client: httpx.AsyncClient, admin_headers: dict[str, str], body: dict[str, object], message: str
) -> None:
    response = await client.post(
        "/mcp/servers", json={"name": "x", "url": "http://example.com/mcp", **body}, headers=admin_headers
    )
    assert (response.status_code, response.json()["detail"]) == (400, message)


async def test_duplicate_names_and_unknown_ids(client: httpx.AsyncClient, admin_headers: dict[str, str]) -> None:
    body = {"name": "Files", "transport": "stdio", "command": "node", "args": ["server.js"]}
    assert (await client.post("/mcp/servers", json=body, headers=admin_headers)).status_code == 201
    again = await client.post("/mcp/servers", json={**body, "name": "files"}, headers=admin_headers)
    assert (again.status_code, again.json()["detail"]) == (409, "An MCP server named 'files' already exists.")
    other = await client.post("/mcp/servers", json={**body, "name": "other"}, headers=admin_headers)
    clash = await client.patch(f"/mcp/servers/{other.json()['id']}", json={"name": "FILES"}, headers=admin_headers)
    assert clash.status_code == 409
    for method, path in [("GET", ""), ("PATCH", ""), ("DELETE", ""), ("POST", "/test")]:
        response = await client.request(method, f"/mcp/servers/nope{path}", json={}, headers=admin_headers)
        assert (response.status_code, response.json()["detail"]) == (404, "No MCP server with id 'nope'."), method


async def test_the_list_is_paged_by_name(client: httpx.AsyncClient, admin_headers: dict[str, str]) -> None:
    for name in ("charlie", "Alpha", "bravo"):
        body = {"name": name, "url": "http://example.com/mcp"}
        assert (await client.post("/mcp/servers", json=body, headers=admin_headers)).status_code == 201

    page = (await client.get("/mcp/servers", params={"limit": 2, "offset": 1}, headers=admin_headers)).json()

    assert [s["name"] for s in page["items"]] == ["bravo", "charlie"]
    assert (page["total"], page["limit"], page["offset"]) == (3, 2, 1)
    assert (await client.get("/mcp/servers", params={"limit": 0}, headers=admin_headers)).status_code == 422


async def test_switching_transport_drops_the_other_target(
    client: httpx.AsyncClient, admin_headers: dict[str, str]
) -> None:
    created = await client.post(
        "/mcp/servers", json={"name": "s", "url": "http://example.com/mcp"}, headers=admin_headers
    )
    to_stdio = {"transport": "stdio", "command": "node", "args": ["x.js"]}
    changed = await client.patch(f"/mcp/servers/{created.json()['id']}", json=to_stdio, headers=admin_headers)
    assert changed.status_code == 200, changed.text
    assert (changed.json()["url"], changed.json()["command"], changed.json()["args"]) == (None, "node", ["x.js"])


async def test_only_admins(client: httpx.AsyncClient, make_user: MakeUser) -> None:
    assert (await client.get("/mcp/servers")).status_code == 401
    _, user_headers = await make_user("user")
    forbidden = await client.post("/mcp/servers", json={"name": "x", "url": "http://e.com"}, headers=user_headers)
    assert forbidden.status_code == 403


async def test_test_lists_the_tools_of_real_servers(
    client: httpx.AsyncClient,
    admin_headers: dict[str, str],
    everything_http_url: str,
    everything_stdio_command: tuple[str, list[str]],
) -> None:
    command, args = everything_stdio_command
    bodies = [
        {"name": "http", "url": everything_http_url},
        {"name": "stdio", "transport": "stdio", "command": command, "args": args},
    ]
    for body in bodies:
        created = await client.post("/mcp/servers", json=body, headers=admin_headers)
        result = (await client.post(f"/mcp/servers/{created.json()['id']}/test", headers=admin_headers)).json()
        assert result["ok"] is True, result
        assert result["tool_count"] == len(result["tools"]) >= 10
        assert "echo" in result["tools"]
        assert result["elapsed_ms"] > 0
        print(f"{body['name']}: test took {result['elapsed_ms']} ms")


async def test_forward_user_token_sends_the_callers_login(
    client: httpx.AsyncClient, admin_headers: dict[str, str], canned_http: Canned
) -> None:
    upstream = await canned_http(status=401)
    body = {"name": "sso", "url": upstream.url(), "auth_mode": "forward_user_token"}
    created = await client.post("/mcp/servers", json=body, headers=admin_headers)
    result = (await client.post(f"/mcp/servers/{created.json()['id']}/test", headers=admin_headers)).json()
    assert result["ok"] is False
    assert "authentication rejected (HTTP 401)" in result["error"]
    assert upstream.requests[0][2]["authorization"] == admin_headers["Authorization"]
