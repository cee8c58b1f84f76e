"""Groq, through its OpenAI-compatible chat completions endpoint."""

from __future__ import annotations

from llmchat.llm.providers._openai_format import OpenAIFormat


class GroqType(OpenAIFormat):
    name = "groq"
    label = "Groq"
    default_api_base = "https://api.groq.com/openai/v1"
