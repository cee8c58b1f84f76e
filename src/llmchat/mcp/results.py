"""Turning an MCP tool result into what the model reads: text, JSON for structured content, and no base64."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

import mcp_types as types


@dataclass(frozen=True)
class ToolOutcome:
    """What a tool answered. `text` is what the model sees (already truncated); `data` is the structured
    content when the tool returned some (for clients that show JSON); `is_error` marks a tool error, whose
    message is `text`."""

    text: str
    is_error: bool = False
    data: Any = None
    truncated: bool = False

    @property
    def output(self) -> Any:
        """The value for a `tool_end` event: the structured content if any, else the text."""
        return self.data if self.data is not None else self.text


def outcome_from_result(result: types.CallToolResult, max_bytes: int) -> ToolOutcome:
    """Render a CallToolResult; an `isError` result becomes an error outcome carrying its message."""
    text = render(result) or ("The tool failed without saying why." if result.is_error else "")
    shown = truncate(text, max_bytes)
    data = None if result.is_error else result.structured_content
    return ToolOutcome(text=shown, is_error=result.is_error, data=data, truncated=shown is not text)


def render(result: types.CallToolResult) -> str:
    """Content blocks joined by newlines; structured content as JSON, without text blocks that repeat it."""
    parts: list[str] = []
    structured = result.structured_content
    if structured is not None:
        parts.append(json.dumps(structured, ensure_ascii=False))
    for block in result.content:
        if structured is not None and isinstance(block, types.TextContent) and _is_json_of(block.text, structured):
            continue
        parts.append(_describe(block))
    return "\n".join(parts)


def truncate(text: str, max_bytes: int) -> str:
    """Cut `text` to `max_bytes` of UTF-8 (never inside a character) and say so, for the model to see."""
    data = text.encode()
    if len(data) <= max_bytes:
        return text
    head = data[:max_bytes].decode(errors="ignore")
    return f"{head}\n[truncated: result was {len(data)} bytes, showing the first {max_bytes}]"


def _describe(block: types.ContentBlock) -> str:
    if isinstance(block, types.TextContent):
        return block.text
    if isinstance(block, types.ImageContent):
        return f"[image: {block.mime_type}, {_decoded_size(block.data)} bytes]"
    if isinstance(block, types.AudioContent):
        return f"[audio: {block.mime_type}, {_decoded_size(block.data)} bytes]"
    if isinstance(block, types.ResourceLink):
        return f"[resource link: {block.uri}{f' ({block.name})' if block.name else ''}]"
    resource = block.resource
    if isinstance(resource, types.TextResourceContents):
        return resource.text
    return f"[resource: {resource.uri}, {resource.mime_type or 'binary'}, {_decoded_size(resource.blob)} bytes]"


def _decoded_size(base64_data: str) -> int:
    """Bytes the base64 text decodes to, without decoding it."""
    data = base64_data.strip()
    return len(data) * 3 // 4 - data[-2:].count("=")


def _is_json_of(text: str, value: Any) -> bool:
    try:
        return bool(json.loads(text) == value)
    except ValueError:
        return False
