"""Turn pydantic validation errors into one sentence a person understands."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any


def _where(loc: Sequence[Any]) -> str:
    parts = [str(p) for p in loc if p not in ("body", "query", "path", "header", "cookie")]
    return ".".join(parts) or "request body"


def describe_validation_error(errors: Sequence[Any]) -> str:
    """'field: problem; other: problem', without echoing submitted values (they may hold secrets)."""
    messages = []
    for err in errors:
        msg = str(err.get("msg", "invalid value"))
        if err.get("type") == "missing":
            msg = "this field is required"
        elif err.get("type") == "json_invalid":
            return "The request body is not valid JSON."
        messages.append(f"{_where(err.get('loc', ()))}: {msg}")
    return "Invalid request: " + "; ".join(messages)
