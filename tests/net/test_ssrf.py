"""The SSRF policy, checked on real sockets on 127.0.0.1 and through a real MCP connection."""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Awaitable, Callable

import pytest

from llmchat.errors import InvalidInput
from llmchat.mcp import McpConnection, ServerSpec
from llmchat.net import REGISTERED_SERVERS, AddressPolicy, AddressRefused, check_url, guarded_client, safe_url
from tests.fixtures.mcp_servers import CannedHttp

HINT = "an administrator can allow it with LLMCHAT_SSRF_ALLOW_PRIVATE or LLMCHAT_SSRF_ALLOWED_NETWORKS"
STRICT = AddressPolicy()
LOOPBACK_ALLOWED = AddressPolicy(allowed_networks=(ipaddress.ip_network("127.0.0.0/8"),))


@pytest.mark.parametrize(
    ("address", "reason"),
    [
        ("10.0.0.5", f"a private address; {HINT}"),
        ("192.168.1.1", f"a private address; {HINT}"),
        ("100.64.0.1", f"a private address; {HINT}"),
        ("fd12::1", f"a private address; {HINT}"),
        ("127.0.0.1", f"a loopback address; {HINT}"),
        ("::1", f"a loopback address; {HINT}"),
        ("0.0.0.0", f"a loopback address; {HINT}"),  # noqa: S104 - the address is checked, not bound
        ("169.254.169.254", "a cloud metadata address"),
        ("::ffff:169.254.169.254", "a cloud metadata address"),
        ("fd00:ec2::254", "a cloud metadata address"),
        ("169.254.10.1", "a link-local address"),
        ("fe80::1", "a link-local address"),
        ("93.184.215.14", None),
        ("2606:4700::1111", None),
    ],
)
def test_strict_policy(address: str, reason: str | None) -> None:
    assert STRICT.refusal(ipaddress.ip_address(address)) == reason


def test_allowing_private_never_allows_metadata_or_link_local() -> None:
    for policy in (AddressPolicy(allow_private=True), REGISTERED_SERVERS, LOOPBACK_ALLOWED):
        assert policy.refusal(ipaddress.ip_address("169.254.169.254")) == "a cloud metadata address"
        assert policy.refusal(ipaddress.ip_address("fe80::1")) == "a link-local address"
    assert AddressPolicy(allow_private=True).refusal(ipaddress.ip_address("10.0.0.5")) is None
    assert LOOPBACK_ALLOWED.refusal(ipaddress.ip_address("127.0.0.1")) is None
    assert LOOPBACK_ALLOWED.refusal(ipaddress.ip_address("10.0.0.5")) is not None


def test_only_http_urls() -> None:
    for url in ("file:///etc/passwd", "ftp://example.com/x", "gopher://x", "http://", "http://host:99999/"):
        with pytest.raises(InvalidInput, match="refused"):
            check_url(url)
    assert check_url(" https://example.com/mcp ") == "https://example.com/mcp"
    assert safe_url("https://user:pw@example.com:8443/mcp?token=abc#x") == "https://example.com:8443/mcp"


@pytest.fixture
async def target(canned_http: Callable[..., Awaitable[CannedHttp]]) -> CannedHttp:
    """A real HTTP server on 127.0.0.1 that records the requests it gets."""
    return await canned_http(status=200, body=b"ok")


async def test_loopback_refused_unless_allowed(target: CannedHttp) -> None:
    async with guarded_client(STRICT) as client:
        with pytest.raises(AddressRefused) as refused:
            await client.get(target.url("/x"))
    assert refused.value.message == f"refused: 127.0.0.1 is a loopback address; {HINT}"
    assert refused.value.status_code == 400
    assert target.requests == []
    for policy in (AddressPolicy(allow_private=True), LOOPBACK_ALLOWED):
        async with guarded_client(policy) as client:
            assert (await client.get(target.url("/x"))).text == "ok"
    assert len(target.requests) == 2


async def test_a_name_resolving_to_loopback_is_refused(target: CannedHttp) -> None:
    async with guarded_client(STRICT) as client:
        with pytest.raises(AddressRefused, match=r"refused: localhost resolves to (127\.0\.0\.1|::1), a loopback"):
            await client.get(target.url("/x", host="localhost"))
    assert target.requests == []


async def test_the_vetted_address_is_connected_with_the_original_host_header(target: CannedHttp) -> None:
    policy = AddressPolicy(allowed_networks=(ipaddress.ip_network("127.0.0.1/32"), ipaddress.ip_network("::1/128")))
    async with guarded_client(policy) as client:
        await client.get(target.url("/x", host="localhost"))
    assert target.requests[0][2]["host"] == f"localhost:{target.port}"


async def test_metadata_is_refused_before_any_connection() -> None:
    async with guarded_client(REGISTERED_SERVERS) as client:
        with pytest.raises(AddressRefused, match=r"169\.254\.169\.254 is a cloud metadata address"):
            await client.get("http://169.254.169.254/latest/meta-data/")
        with pytest.raises(AddressRefused, match=r"metadata\.google\.internal is a cloud metadata service"):
            await client.get("http://metadata.google.internal/computeMetadata/v1/")


async def test_a_redirect_to_a_private_address_is_refused(canned_http: Callable[..., Awaitable[CannedHttp]]) -> None:
    redirector = await canned_http(status=307, headers={"location": "http://10.0.0.5:8080/mcp"})
    async with guarded_client(LOOPBACK_ALLOWED) as client:
        with pytest.raises(AddressRefused, match=re.escape(f"refused: 10.0.0.5 is a private address; {HINT}")):
            await client.get(redirector.url("/mcp"), follow_redirects=True)
    spec = ServerSpec(name="hop", url=redirector.url("/mcp"), policy=LOOPBACK_ALLOWED)
    with pytest.raises(AddressRefused) as refused:
        await McpConnection(spec).open()
    assert refused.value.message == (
        f"MCP server 'hop' ({redirector.url('/mcp')}): refused: 10.0.0.5 is a private address; {HINT}"
    )


async def test_mcp_connection_obeys_the_policy(everything_http_url: str) -> None:
    with pytest.raises(AddressRefused, match=r"127\.0\.0\.1 is a loopback address"):
        await McpConnection(ServerSpec(name="user", url=everything_http_url)).open()
    localhost_url = everything_http_url.replace("127.0.0.1", "localhost")
    with pytest.raises(AddressRefused, match="localhost resolves to"):
        await McpConnection(ServerSpec(name="user", url=localhost_url)).open()
    async with McpConnection(ServerSpec(name="user", url=everything_http_url, policy=LOOPBACK_ALLOWED)) as conn:
        assert (await conn.call_tool("echo", {"message": "allowed"})).text == "Echo: allowed"
    with pytest.raises(AddressRefused, match="cloud metadata"):
        await McpConnection(ServerSpec(name="x", url="http://169.254.169.254/mcp", policy=REGISTERED_SERVERS)).open()


async def test_environment_proxies_are_not_used(monkeypatch: pytest.MonkeyPatch, target: CannedHttp) -> None:
    """A proxy would be the address connected to, and the target would escape the check."""
    monkeypatch.setenv("HTTP_PROXY", "http://10.9.9.9:3128")
    async with guarded_client(LOOPBACK_ALLOWED) as client:
        assert (await client.get(target.url("/x"))).status_code == 200
