"""Any server with an OpenAI-compatible API: vLLM, LM Studio, llama.cpp, LocalAI, OpenRouter, LiteLLM, ..."""

from __future__ import annotations

import base64
import json

from llmchat.errors import InvalidInput
from llmchat.llm.providers._openai_format import OpenAIFormat
from llmchat.llm.providers.base import ConfigField, ProviderConnection


class OpenAICompatibleType(OpenAIFormat):
    name = "openai_compatible"
    label = "OpenAI-compatible"
    needs_api_key = False
    needs_api_base = True
    fields = (
        ConfigField(
            "headers",
            "Extra headers",
            secret=True,
            kind="json",
            help='A JSON object of headers sent with every request, e.g. {"X-Team": "research"}.',
        ),
        ConfigField("basic_auth_username", "Basic auth user", help="For servers behind HTTP Basic auth."),
        ConfigField("basic_auth_password", "Basic auth password", secret=True),
    )

    def request_headers(self, conn: ProviderConnection) -> dict[str, str]:
        """The custom headers, then Basic auth (which replaces the bearer key) when a user name is set."""
        headers = _headers(self.config_value(conn, "headers"))
        if user := self.config_value(conn, "basic_auth_username"):
            password = self.config_value(conn, "basic_auth_password") or ""
            headers["Authorization"] = "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode()
        return headers


def _headers(value: object) -> dict[str, str]:
    """The `headers` setting as a dict: a JSON object, given as such or as text."""
    if value is None:
        return {}
    if isinstance(value, str):
        try:
            value = json.loads(value)
        except ValueError:
            raise InvalidInput("config.headers must be a JSON object of header names to values.") from None
    if not isinstance(value, dict):
        raise InvalidInput("config.headers must be a JSON object of header names to values.")
    return {str(name): str(v) for name, v in value.items()}
