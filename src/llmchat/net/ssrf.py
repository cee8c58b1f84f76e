"""The SSRF policy: which network addresses an outgoing connection may reach.

The check runs on the addresses a host name resolves to, at the moment of connecting, and the connection is
then made to the checked address (see `llmchat.net.pinned`), so DNS rebinding has no window. Cloud metadata
and link-local addresses are always refused; loopback and other non-public addresses only unless allowed.
"""

from __future__ import annotations

import ipaddress
import socket
from dataclasses import dataclass
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

import anyio

from llmchat.errors import InvalidInput

if TYPE_CHECKING:
    from llmchat.settings import Settings

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
IPNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network

METADATA_HOSTS = frozenset({"metadata.google.internal", "metadata.goog"})
METADATA_ADDRESSES = frozenset({ipaddress.ip_address("169.254.169.254"), ipaddress.ip_address("fd00:ec2::254")})
_ALLOW_HINT = "an administrator can allow it with LLMCHAT_SSRF_ALLOW_PRIVATE or LLMCHAT_SSRF_ALLOWED_NETWORKS"


class AddressRefused(InvalidInput):
    """A connection was refused by the SSRF policy; the message says which address and why."""


@dataclass(frozen=True)
class AddressPolicy:
    """Which addresses may be connected to. The default is the strict policy for user-supplied URLs."""

    allow_private: bool = False
    allowed_networks: tuple[IPNetwork, ...] = ()

    @classmethod
    def for_users(cls, settings: Settings) -> AddressPolicy:
        """The policy for URLs users type in, as configured by the administrator."""
        return cls(settings.ssrf_allow_private, tuple(settings.ssrf_allowed_networks))

    def refusal(self, address: IPAddress) -> str | None:
        """Why `address` may not be connected to (e.g. "a private address; ..."), or None when it may."""
        if isinstance(address, ipaddress.IPv6Address) and (embedded := address.ipv4_mapped or address.sixtofour):
            return self.refusal(embedded)
        if address in METADATA_ADDRESSES:
            return "a cloud metadata address"
        if address.is_link_local:
            return "a link-local address"
        if address.is_multicast:
            return "a multicast address"
        if any(address in network for network in self.allowed_networks) or self.allow_private:
            return None
        if address.is_loopback or address.is_unspecified:
            return f"a loopback address; {_ALLOW_HINT}"
        if not address.is_global:
            return f"a private address; {_ALLOW_HINT}"
        return None

    async def vet(self, host: str, port: int) -> list[IPAddress]:
        """Resolve `host` and return its addresses if every one is allowed; raise AddressRefused otherwise.

        Raises `socket.gaierror` when the name does not resolve.
        """
        name = host.strip("[]").rstrip(".").lower()
        if name in METADATA_HOSTS:
            raise AddressRefused(f"refused: {host} is a cloud metadata service")
        literal = _ip_literal(name)
        if literal is not None:
            addresses = [literal]
        else:
            infos = await anyio.getaddrinfo(name, port, type=socket.SOCK_STREAM)
            addresses = list(dict.fromkeys(ipaddress.ip_address(info[4][0]) for info in infos))
        for address in addresses:
            reason = self.refusal(address)
            if reason is not None and literal is not None:
                raise AddressRefused(f"refused: {address} is {reason}")
            if reason is not None:
                raise AddressRefused(f"refused: {host} resolves to {address}, {reason}")
        return addresses


REGISTERED_SERVERS = AddressPolicy(allow_private=True)
"""Servers an administrator registered may be on private networks; metadata and link-local stay refused."""


def check_url(url: str) -> str:
    """Refuse anything but an absolute http(s) URL with a host; returns the URL stripped of spaces."""
    url = url.strip()
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018 - raises ValueError on a bad port
    except ValueError:
        raise InvalidInput(f"refused: {safe_url(url)} is not a valid URL") from None
    if parts.scheme not in ("http", "https"):
        raise InvalidInput("refused: only http:// and https:// URLs are allowed")
    if not parts.hostname:
        raise InvalidInput("refused: the URL has no host name")
    return url


def safe_url(url: str) -> str:
    """The URL without user info, query or fragment, which may carry secrets: fit for messages and logs."""
    try:
        parts = urlsplit(url)
        host = parts.hostname or ""
        port = f":{parts.port}" if parts.port else ""
    except ValueError:
        return "<invalid URL>"
    if ":" in host:
        host = f"[{host}]"
    return f"{parts.scheme}://{host}{port}{parts.path}" if parts.scheme else "<invalid URL>"


def _ip_literal(host: str) -> IPAddress | None:
    try:
        return ipaddress.ip_address(host)
    except ValueError:
        return None
