"""httpx2 clients (the HTTP stack of the MCP SDK) that connect only to addresses the SSRF policy vetted.

The check sits in the network backend, below TLS and HTTP: the host name is resolved once, every address is
checked, and the socket is opened to a checked address. Host header and TLS server name stay the original
host, because httpcore builds those from the URL, not from the socket. Every new connection goes through
the backend, so a redirect to another host is checked too; redirects are also vetted when they arrive,
so the refusal names the address even when the SDK would not have followed them.
"""

from __future__ import annotations

import contextlib
import socket
import ssl
from collections.abc import Awaitable, Callable, Iterable
from functools import cache

import anyio
import httpcore2
import httpx2

from llmchat.net.ssrf import AddressPolicy

ResponseHook = Callable[[httpx2.Response], Awaitable[None]]


class _VettingBackend(httpcore2.AsyncNetworkBackend):
    """Resolves, vets every address, then connects to a vetted address: no second DNS lookup."""

    def __init__(self, policy: AddressPolicy) -> None:
        self._policy = policy
        self._inner = httpcore2.AnyIOBackend()

    async def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,  # noqa: ASYNC109 - httpcore's backend interface
        local_address: str | None = None,
        socket_options: Iterable[httpcore2.SOCKET_OPTION] | None = None,
    ) -> httpcore2.AsyncNetworkStream:
        try:
            with anyio.fail_after(timeout):
                addresses = await self._policy.vet(host, port)
        except socket.gaierror as exc:
            raise httpcore2.ConnectError(str(exc)) from exc
        except TimeoutError as exc:
            raise httpcore2.ConnectTimeout(f"resolving {host} timed out") from exc
        error: httpcore2.ConnectError | None = None
        for address in addresses:
            try:
                return await self._inner.connect_tcp(
                    str(address), port, timeout=timeout, local_address=local_address, socket_options=socket_options
                )
            except httpcore2.ConnectError as exc:
                error = exc
        assert error is not None  # vet() returns at least one address or raises
        raise error

    async def connect_unix_socket(
        self,
        path: str,
        timeout: float | None = None,  # noqa: ASYNC109 - httpcore's backend interface
        socket_options: Iterable[httpcore2.SOCKET_OPTION] | None = None,
    ) -> httpcore2.AsyncNetworkStream:
        raise httpcore2.ConnectError("Unix sockets are not reachable through the SSRF guard.")

    async def sleep(self, seconds: float) -> None:
        await anyio.sleep(seconds)


@cache
def _shared_ssl_context() -> ssl.SSLContext:
    """One TLS context for every guarded client: building one loads the CA bundle (~1 MB, tens of ms)."""
    return httpx2.create_ssl_context()


class GuardedTransport(httpx2.AsyncHTTPTransport):
    """`httpx2.AsyncHTTPTransport` over the vetting backend; environment proxies are never used."""

    def __init__(self, policy: AddressPolicy, *, limits: httpx2.Limits = httpx2.Limits()) -> None:
        # The parent's constructor builds a pool without a way to pass a network backend, so build our own.
        self._pool = httpcore2.AsyncConnectionPool(
            ssl_context=_shared_ssl_context(),
            max_connections=limits.max_connections,
            max_keepalive_connections=limits.max_keepalive_connections,
            keepalive_expiry=limits.keepalive_expiry,
            network_backend=_VettingBackend(policy),
        )


def guarded_client(
    policy: AddressPolicy,
    *,
    headers: dict[str, str] | None = None,
    timeout: httpx2.Timeout | None = None,
    auth: httpx2.Auth | None = None,
    on_response: ResponseHook | None = None,
) -> httpx2.AsyncClient:
    """An httpx2 client that reaches only what `policy` allows, including after redirects."""

    async def vet_redirect(response: httpx2.Response) -> None:
        location = response.headers.get("location")
        if response.is_redirect and location:
            target = response.request.url.join(location)
            if target.host:
                with contextlib.suppress(socket.gaierror):  # a name that does not resolve cannot be reached
                    await policy.vet(target.host, target.port or (443 if target.scheme == "https" else 80))

    hooks: list[ResponseHook] = [vet_redirect] if on_response is None else [on_response, vet_redirect]
    return httpx2.AsyncClient(
        transport=GuardedTransport(policy),
        headers=headers,
        timeout=timeout if timeout is not None else httpx2.Timeout(30.0, read=300.0),
        auth=auth,
        trust_env=False,
        event_hooks={"response": hooks},
    )
