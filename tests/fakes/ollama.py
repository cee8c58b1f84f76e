"""A fake Ollama: the OpenAI-compatible API under `/v1` plus the native model list `GET /api/tags`."""

from __future__ import annotations

from starlette.responses import Response

from tests.fakes.openai import FakeOpenAI
from tests.fakes.server import RecordedRequest


class FakeOllama(FakeOpenAI):
    """Speaks Ollama's OpenAI-compatible chat completions and its native tags listing."""

    default_models = ("llama3.2:latest", "qwen2.5:7b")

    def route(self, request: RecordedRequest) -> Response:
        if request.method == "GET" and request.path == "/api/tags":
            return self.listing({"models": [_tag(m) for m in self.models]})
        return super().route(request)


def _tag(name: str) -> dict[str, object]:
    family = name.split(":")[0].rstrip("0123456789.")
    return {
        "name": name,
        "model": name,
        "modified_at": "2025-01-01T00:00:00Z",
        "size": 2_019_393_189,
        "digest": f"{abs(hash(name)):064x}"[:64],
        "details": {"format": "gguf", "family": family, "parameter_size": "3.2B", "quantization_level": "Q4_K_M"},
    }
