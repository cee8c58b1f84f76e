"""A provider's settings checked against its type, split into clear and encrypted parts, masked for responses,
and decrypted into the runtime `ProviderConnection`.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any
from urllib.parse import urlsplit

from llmchat.crypto import MASK, SecretBox, mask
from llmchat.db import LLMProvider
from llmchat.errors import InvalidInput
from llmchat.llm.providers import REGISTRY
from llmchat.llm.providers.base import ConfigField, ProviderConnection, ProviderType
from llmchat.llm.schemas import ProviderOut

_TRUE = frozenset({"true", "yes", "on", "1"})
_FALSE = frozenset({"false", "no", "off", "0"})


def provider_type(name: str) -> ProviderType:
    """The registered type called `name`; 400 listing the known ones otherwise."""
    ptype = REGISTRY.get(name)
    if ptype is None:
        raise InvalidInput(f"Unknown provider_type '{name}'. Known types: {', '.join(sorted(REGISTRY))}.")
    return ptype


def is_http_url(value: str) -> bool:
    if any(ch.isspace() for ch in value):
        return False
    try:
        parts = urlsplit(value)
        parts.port  # noqa: B018 - raises ValueError on a malformed port
    except ValueError:
        return False
    return parts.scheme in ("http", "https") and bool(parts.hostname)


def clean_api_base(value: str | None) -> str | None:
    """None for empty; the URL without a trailing slash; 400 when it is not an http(s) URL."""
    if value is None or not value.strip():
        return None
    value = value.strip()
    if not is_http_url(value):
        raise InvalidInput("api_base: not a valid http(s) URL")
    return value.rstrip("/")


def check_required(ptype: ProviderType, *, api_base: str | None, has_api_key: bool) -> None:
    """The provider-level fields the type cannot work without."""
    if ptype.needs_api_base and not (api_base or ptype.default_api_base):
        raise InvalidInput(f"api_base is required for provider type {ptype.name}")
    if ptype.needs_api_key and not has_api_key:
        raise InvalidInput(f"api_key is required for provider type {ptype.name}")


def merge_config(
    ptype: ProviderType,
    incoming: Mapping[str, Any],
    stored_clear: Mapping[str, Any] | None = None,
    stored_secret: Mapping[str, Any] | None = None,
) -> tuple[dict[str, Any], dict[str, Any]]:
    """Apply `incoming` over the stored config; returns (clear, secret) after checking names, kinds and
    required fields. A value of None or "" removes the field; '*****' for a secret field keeps it."""
    known = {f.name: f for f in ptype.fields}
    unknown = sorted(set(incoming) - set(known))
    if unknown:
        allowed = ", ".join(known) or "none"
        raise InvalidInput(
            f"Unknown config field(s) for provider type {ptype.name}: {', '.join(unknown)}. Known fields: {allowed}."
        )
    clear, secret = dict(stored_clear or {}), dict(stored_secret or {})
    for name, value in incoming.items():
        field = known[name]
        target = secret if field.secret else clear
        if value is None or value == "":
            target.pop(name, None)
        elif not (field.secret and value == MASK):
            target[name] = _coerce(field, value)
    for field in ptype.fields:
        if field.required and field.name not in clear and field.name not in secret:
            if field.default is None:
                raise InvalidInput(f"config.{field.name} is required for provider type {ptype.name}")
            (secret if field.secret else clear)[field.name] = field.default
    return clear, secret


def _coerce(field: ConfigField, value: Any) -> Any:
    """The value in the field's kind (strings from the CLI are parsed); 400 naming the field otherwise."""
    where = f"config.{field.name}"
    if field.kind == "bool":
        if isinstance(value, bool):
            return value
        if isinstance(value, str) and value.strip().lower() in _TRUE | _FALSE:
            return value.strip().lower() in _TRUE
        raise InvalidInput(f"{where}: expected true or false")
    if field.kind in ("int", "float"):
        number = _number(value, integer=field.kind == "int")
        if number is None:
            raise InvalidInput(f"{where}: expected {'a whole number' if field.kind == 'int' else 'a number'}")
        return number
    if field.kind == "json":
        if isinstance(value, str):
            try:
                value = json.loads(value)
            except ValueError:
                raise InvalidInput(f"{where}: not valid JSON") from None
        if not isinstance(value, dict | list):
            raise InvalidInput(f"{where}: expected a JSON object or list")
        return value
    if not isinstance(value, str | int | float) or isinstance(value, bool):
        raise InvalidInput(f"{where}: expected text")
    text = str(value).strip()
    if field.kind == "url" and not is_http_url(text):
        raise InvalidInput(f"{where}: not a valid http(s) URL")
    return text


def _number(value: Any, *, integer: bool) -> int | float | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, str):
        try:
            return int(value.strip()) if integer else float(value.strip())
        except ValueError:
            return None
    if isinstance(value, int) or (isinstance(value, float) and not integer):
        return value
    return None


def encrypt_config(secrets: SecretBox, secret: Mapping[str, Any]) -> str | None:
    return secrets.encrypt(json.dumps(dict(secret))) if secret else None


def decrypt_config(secrets: SecretBox, provider: LLMProvider) -> dict[str, Any]:
    if not provider.config_secrets_enc:
        return {}
    value: dict[str, Any] = json.loads(secrets.decrypt(provider.config_secrets_enc))
    return value


def provider_view(provider: LLMProvider, secrets: SecretBox) -> ProviderOut:
    """The provider as responses show it: every secret replaced by '*****'."""
    config = dict(provider.config) | dict.fromkeys(decrypt_config(secrets, provider), MASK)
    return ProviderOut(
        id=provider.id,
        name=provider.name,
        slug=provider.slug,
        provider_type=provider.provider_type,
        api_base=provider.api_base,
        api_key=mask(provider.api_key_enc),
        api_version=provider.api_version,
        config=config,
        default_model=provider.default_model,
        default_temperature=provider.default_temperature,
        default_max_tokens=provider.default_max_tokens,
        enabled=provider.enabled,
        health_status=provider.health_status,
        health_error=provider.health_error,
        health_checked_at=provider.health_checked_at,
        created_at=provider.created_at,
        updated_at=provider.updated_at,
    )


def connection_for(provider: LLMProvider, *, secrets: SecretBox, timeout: float = 10.0) -> ProviderConnection:
    """Everything needed to talk to the provider, secrets decrypted and the type's defaults filled in."""
    ptype = REGISTRY.get(provider.provider_type)
    if ptype is None:
        raise InvalidInput(f"Provider '{provider.name}' has type '{provider.provider_type}', which is not supported.")
    defaults = {f.name: f.default for f in ptype.fields if f.default is not None}
    return ProviderConnection(
        provider_type=provider.provider_type,
        api_base=provider.api_base or ptype.default_api_base,
        api_key=secrets.decrypt(provider.api_key_enc) if provider.api_key_enc else None,
        api_version=provider.api_version,
        config=defaults | dict(provider.config) | decrypt_config(secrets, provider),
        default_temperature=provider.default_temperature,
        default_max_tokens=provider.default_max_tokens,
        timeout=timeout,
    )
