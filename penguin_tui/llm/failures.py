"""Turn litellm's and the network's exceptions into typed, one-line ``LLMError``s."""

from __future__ import annotations

import asyncio
from typing import Any

from penguin_tui.errors import (
    AuthError,
    ConnectionFailedError,
    LLMError,
    ModelNotFoundError,
    ModelTimeoutError,
    PromptTooLargeError,
    RateLimitedError,
    ServerError,
)
from penguin_tui.llm.target import ModelTarget


def _first_line(text: str, limit: int = 160) -> str:
    line = " ".join(text.strip().split())
    for prefix in ("litellm.", "OpenAIException - ", "APIConnectionError: "):
        line = line.replace(prefix, "")
    return line if len(line) <= limit else line[: limit - 1] + "…"


def _retry_after(error: Any) -> float | None:
    for holder in (getattr(error, "response", None), error):
        headers = getattr(holder, "headers", None) or getattr(
            holder, "litellm_response_headers", None
        )
        if headers is None:
            continue
        try:
            value = headers.get("retry-after") or headers.get("Retry-After")
        except AttributeError:
            continue
        if value is not None:
            try:
                return max(float(value), 0.0)
            except ValueError:
                return None
    return None


def classify(error: BaseException, target: ModelTarget, timeout_s: float) -> LLMError:
    """The typed error for ``error``, whose message says what to do next."""
    if isinstance(error, LLMError):
        return error
    where = target.api_base or "the provider"
    if isinstance(error, asyncio.TimeoutError | TimeoutError):
        return ModelTimeoutError(
            f"{target.describe()} did not answer within {timeout_s:g}s; check the server, "
            f"or raise [model] timeout_s / PENGUIN_TIMEOUT"
        )
    name = type(error).__name__
    status = getattr(error, "status_code", None)
    text = _first_line(str(error))
    if name == "MidStreamFallbackError":
        # litellm's wrapper for a stream that broke: a dropped connection or a bad chunk.
        return ConnectionFailedError(f"the stream from {where} broke off ({text})")
    if name == "RateLimitError" or status == 429:
        return RateLimitedError(
            f"{where} is rate limiting requests (429): wait a little, or set a fallback model",
            retry_after=_retry_after(error),
        )
    if name == "Timeout":
        return ModelTimeoutError(
            f"{target.describe()} did not answer within {timeout_s:g}s; check the server, "
            f"or raise [model] timeout_s / PENGUIN_TIMEOUT"
        )
    if name == "AuthenticationError" or status in (401, 403):
        return AuthError(
            f"{where} refused the API key for {target.name}: check the key in the environment"
        )
    if name == "ContextWindowExceededError":
        return PromptTooLargeError(
            f"the conversation is too long for {target.name}: "
            f"start a new session or shorten the prompt"
        )
    if name == "NotFoundError" or status == 404:
        return ModelNotFoundError(
            f"{where} does not know model {target.name!r}: check the model name ({text})"
        )
    if name == "APIConnectionError" or "Connection" in name or "connect" in text.lower():
        return ConnectionFailedError(
            f"cannot reach {where} for {target.name}: is the server running? "
            f"check --api-base / PENGUIN_API_BASE"
        )
    if (
        isinstance(status, int)
        and status >= 500
        or name in ("InternalServerError", "ServiceUnavailableError", "BadGatewayError")
    ):
        return ServerError(f"{where} failed with a server error ({status or name}): {text}")
    if name == "BadRequestError" and "LLM Provider NOT provided" in str(error):
        return ModelNotFoundError(
            f"unknown model {target.name!r}: name a provider (openai/…, anthropic/…) "
            f"or pass --api-base"
        )
    return LLMError(f"the call to {target.name} failed: {text}")
