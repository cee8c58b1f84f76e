"""The application's Prometheus metrics, served at `/metrics` beside the process defaults.

Module-level, so every part records into the one process registry; this module imports nothing of ours.
"""

from __future__ import annotations

from prometheus_client import Counter, Gauge, Histogram

HTTP_REQUESTS = Counter(
    "llmchat_http_requests_total",
    "HTTP requests answered, by route template (`unmatched` when no route matched).",
    ["method", "route", "status"],
)
HTTP_REQUEST_DURATION = Histogram(
    "llmchat_http_request_duration_seconds",
    "Time from request to the end of the response (a whole stream, for a streamed answer).",
    ["method", "route"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120),
)

CHAT_TURNS = Counter(
    "llmchat_chat_turns_total",
    "Chat turns ended, by outcome (completed, cancelled, failed) and whether they streamed.",
    ["outcome", "streaming"],
)
CHAT_TURN_DURATION = Histogram(
    "llmchat_chat_turn_duration_seconds",
    "Time from the start of a chat turn to its end, whatever the outcome.",
    buckets=(0.1, 0.25, 0.5, 1, 2.5, 5, 10, 20, 30, 60, 120, 300),
)
LLM_TOKENS = Counter(
    "llmchat_llm_tokens_total",
    "Tokens the LLM providers reported for chat turns, by direction (input, output).",
    ["direction"],
)
TOOL_CALLS = Counter("llmchat_tool_calls_total", "MCP tool calls ended, by outcome (ok, error).", ["outcome"])
TOOL_CALL_DURATION = Histogram(
    "llmchat_tool_call_duration_seconds",
    "Time one MCP tool call took.",
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60),
)
CHAT_SESSIONS = Gauge("llmchat_chat_sessions", "Chat sessions connected in this process.")

PROVIDER_HEALTH_CHECKS = Counter(
    "llmchat_provider_health_checks_total",
    "Provider health checks run, by provider type and result.",
    ["provider_type", "healthy"],
)

# Children made once, as `labels()` costs microseconds per call; fixed ones also exist from the start.
_INPUT_TOKENS = LLM_TOKENS.labels("input")
_OUTPUT_TOKENS = LLM_TOKENS.labels("output")
_TOOL_OK = TOOL_CALLS.labels("ok")
_TOOL_ERROR = TOOL_CALLS.labels("error")
_http_series: dict[tuple[str, str, int], tuple[Counter, Histogram]] = {}

# Methods counted by name; any other (a client may send anything) is counted as "other".
_METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})


def request_ended(method: str, route: str, status: int, seconds: float) -> None:
    """Count an HTTP request by its route template (`unmatched` when no route matched) and time it."""
    key = (method if method in _METHODS else "other", route, status)
    series = _http_series.get(key)
    if series is None:
        series = _http_series[key] = (
            HTTP_REQUESTS.labels(key[0], route, str(status)),
            HTTP_REQUEST_DURATION.labels(key[0], route),
        )
    series[0].inc()
    series[1].observe(seconds)


def turn_ended(outcome: str, *, streaming: bool, seconds: float, input_tokens: int, output_tokens: int) -> None:
    """Count a chat turn that ended with `outcome` (completed, cancelled or failed) and its tokens."""
    CHAT_TURNS.labels(outcome, _flag(streaming)).inc()
    CHAT_TURN_DURATION.observe(seconds)
    _INPUT_TOKENS.inc(input_tokens)
    _OUTPUT_TOKENS.inc(output_tokens)


def tool_call_ended(*, ok: bool, seconds: float) -> None:
    (_TOOL_OK if ok else _TOOL_ERROR).inc()
    TOOL_CALL_DURATION.observe(seconds)


def provider_checked(provider_type: str, *, healthy: bool) -> None:
    PROVIDER_HEALTH_CHECKS.labels(provider_type, _flag(healthy)).inc()


def _flag(value: bool) -> str:
    return "true" if value else "false"
