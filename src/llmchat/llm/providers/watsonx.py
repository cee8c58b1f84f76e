"""IBM watsonx.ai, through an OpenAI-compatible watsonx gateway endpoint; chats are billed to `project_id`."""

from __future__ import annotations

from typing import Any

from llmchat.llm.providers._openai_format import OpenAIFormat
from llmchat.llm.providers.base import ConfigField, ProviderConnection


class WatsonxType(OpenAIFormat):
    name = "watsonx"
    label = "IBM watsonx.ai"
    needs_api_base = True
    fields = (
        ConfigField("project_id", "Project ID", required=True, help="The watsonx.ai project the requests run in."),
    )

    def request_body(self, conn: ProviderConnection) -> dict[str, Any]:
        return {"project_id": self.config_value(conn, "project_id")}
