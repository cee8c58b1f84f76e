"""Translate what can go wrong talking to an LLM into our errors, with messages safe to show.

pydantic-ai's errors carry the provider's body, headers and the model's URL; none of that reaches the user.
"""

from __future__ import annotations

from pydantic_ai.exceptions import (
    ModelAPIError,
    ModelAuthenticationError,
    ModelConnectionError,
    ModelContextWindowExceededError,
    ModelHTTPError,
    ModelNotFoundError,
    ModelQuotaExceededError,
    ModelRateLimitError,
    ModelRequestTimeout,
    ModelTimeoutError,
    UnexpectedModelBehavior,
)
from pydantic_core import ValidationError

from llmchat.errors import InvalidInput, LLMChatError, ProviderUnavailable, RateLimited, Timeout

MALFORMED = "The LLM returned a malformed response. Try again; if it keeps happening, try another model."


def llm_timeout(seconds: float) -> Timeout:
    return Timeout(
        f"The LLM did not answer within the time limit ({seconds:g} s). Try again, or ask an administrator to "
        "raise LLMCHAT_LLM_TIMEOUT."
    )


def translate_model_error(exc: BaseException, *, timeout: float) -> LLMChatError | None:
    """Our error for a failed model request, or None when `exc` is not a model failure.

    Transient failures are `recoverable`: the same message sent again may well succeed.
    """
    if isinstance(exc, LLMChatError):
        return exc
    if isinstance(exc, ModelRequestTimeout | ModelTimeoutError | TimeoutError):
        return llm_timeout(timeout)
    if isinstance(exc, ModelRateLimitError) or (isinstance(exc, ModelHTTPError) and exc.status_code == 429):
        return RateLimited("The LLM provider is rate limiting requests. Wait a moment and try again.")
    if isinstance(exc, ModelQuotaExceededError):
        return ProviderUnavailable("The LLM provider says the account's quota is exhausted. Ask an administrator.")
    if isinstance(exc, ModelAuthenticationError) or (isinstance(exc, ModelHTTPError) and exc.status_code in (401, 403)):
        return ProviderUnavailable(
            "The LLM provider rejected the API key. Ask an administrator to check the provider's settings."
        )
    if isinstance(exc, ModelNotFoundError):
        return ProviderUnavailable(
            "The LLM provider does not know this model. Ask an administrator to check the model's settings."
        )
    if isinstance(exc, ModelContextWindowExceededError):
        return InvalidInput("The conversation is too long for this model. Reconnect to start a new one.")
    if isinstance(exc, ModelHTTPError):
        if exc.status_code >= 500:
            return ProviderUnavailable(
                f"The LLM provider failed (HTTP {exc.status_code}). Try again in a moment.", recoverable=True
            )
        return ProviderUnavailable(f"The LLM provider refused the request (HTTP {exc.status_code}).")
    if isinstance(exc, ModelConnectionError):
        return ProviderUnavailable(
            "Could not reach the LLM provider. Check that it is running and reachable.", recoverable=True
        )
    if isinstance(exc, ModelAPIError | UnexpectedModelBehavior | ValidationError):
        return ProviderUnavailable(MALFORMED, recoverable=True)
    return None
