"""Outgoing network access: the SSRF policy and HTTP clients that enforce it at connect time."""

from llmchat.net.pinned import guarded_client
from llmchat.net.ssrf import REGISTERED_SERVERS, AddressPolicy, AddressRefused, check_url, safe_url

__all__ = ["REGISTERED_SERVERS", "AddressPolicy", "AddressRefused", "check_url", "guarded_client", "safe_url"]
