"""Streaming chat calls through litellm, with retries before the first token and fallbacks."""

from __future__ import annotations

import asyncio
import contextlib
import random
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

from penguin_tui.config.settings import ModelSettings
from penguin_tui.errors import ConnectionFailedError, LLMError, StreamBrokenError
from penguin_tui.llm.failures import classify
from penguin_tui.llm.loader import start_completion
from penguin_tui.llm.pricing import TokenUsage
from penguin_tui.llm.target import ModelTarget


@dataclass(frozen=True)
class ToolCallDelta:
    """A fragment of a streamed tool call; fragments with the same index form one call."""

    index: int
    call_id: str | None
    name: str | None
    arguments: str


@dataclass(frozen=True)
class StreamPiece:
    """One streamed chunk, reduced to what the engine needs."""

    text: str = ""
    reasoning: str = ""
    tool_calls: tuple[ToolCallDelta, ...] = ()
    usage: TokenUsage | None = None
    finish_reason: str | None = None
    model: str | None = None

    @property
    def has_output(self) -> bool:
        return bool(self.text or self.reasoning or self.tool_calls)


@dataclass(frozen=True)
class RetryNotice:
    """Told to the caller before sleeping for a retry (or moving to a fallback model)."""

    attempt: int
    delay_s: float
    reason: str
    model: str


@dataclass
class ChatRequest:
    """The messages to send (OpenAI format) and the chain of models to try."""

    messages: list[dict[str, Any]]
    targets: Sequence[ModelTarget]
    extra: dict[str, Any] = field(default_factory=dict)


MAX_RETRY_AFTER_S = 120.0


@dataclass(frozen=True)
class FallbackNotice:
    """Told to the caller when the chain moves on to its next model."""

    from_model: str
    to_model: str
    reason: str


OnRetry = Callable[[RetryNotice], Awaitable[None]]
OnFallback = Callable[[FallbackNotice], Awaitable[None]]


def backoff_delay(attempt: int, settings: ModelSettings, retry_after: float | None) -> float:
    """Jittered exponential backoff; a server's Retry-After wins when it asks for longer."""
    exponential: float = settings.retry_base_delay_s * 2.0 ** (attempt - 1)
    delay = min(exponential, settings.retry_max_delay_s) * random.uniform(0.5, 1.0)
    if retry_after is not None:
        # The server knows best; a sane ceiling keeps a bogus header from hanging us.
        delay = max(delay, min(retry_after, MAX_RETRY_AFTER_S))
    return delay


# litellm writes its own bill into ``usage.cost`` and keeps the provider's figure (or None)
# under this key of the chunk's hidden parameters.
UPSTREAM_COST_KEY = "upstream_usage_cost"


def _dollars(value: Any) -> float | None:
    """A reported cost: a number, or a breakdown whose total is under ``total_cost``."""
    if isinstance(value, dict):
        value = value.get("total_cost")
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return float(value)


def provider_cost(chunk: Any, raw_usage: Any) -> float | None:
    """The cost the provider itself reported for the call, never litellm's own computation."""
    hidden = getattr(chunk, "_hidden_params", None)
    if isinstance(hidden, dict) and UPSTREAM_COST_KEY in hidden:
        return _dollars(hidden[UPSTREAM_COST_KEY])
    return _dollars(getattr(raw_usage, "cost", None))


def provider_sent_usage(stream: Any) -> bool:
    """Whether the provider's stream carried usage. Without it litellm makes figures up from
    its own token counter and hands them over as the final chunk's usage; those are not the
    provider's, and the caller's estimate stands instead."""
    received = getattr(stream, "chunks", None)
    if not isinstance(received, list):
        return True
    return any(getattr(chunk, "usage", None) is not None for chunk in reversed(received))


def forget_streamed_chunks(stream: Any) -> None:
    """Let litellm forget the chunks of a finished reply, except those that carry usage.

    litellm keeps every chunk and, at the end of the stream, rebuilds the whole response from
    them (``stream_chunk_builder``, about 0.1 ms a chunk) before it hands over the usage; we
    read only that usage, which it sums from the chunks that carry it (the provider's usage
    chunk, or the first and last chunks of providers that split it). The last chunk kept
    holds the finish reason. The list is changed in place: litellm holds it. (litellm's own
    logging and caching of the rebuilt response, which would see the shortened reply, are not
    used here.)"""
    kept = getattr(stream, "chunks", None)
    if isinstance(kept, list) and len(kept) > 1:
        kept[:] = [chunk for chunk in kept[:-1] if getattr(chunk, "usage", None) is not None] + [
            kept[-1]
        ]


def _usage(chunk: Any) -> TokenUsage | None:
    raw = getattr(chunk, "usage", None)
    if raw is None:
        return None
    details = getattr(raw, "prompt_tokens_details", None)
    completion_details = getattr(raw, "completion_tokens_details", None)
    cache_read = getattr(details, "cached_tokens", None) or getattr(
        raw, "cache_read_input_tokens", 0
    )
    cache_write = getattr(raw, "cache_creation_input_tokens", 0) or 0
    return TokenUsage(
        input_tokens=int(getattr(raw, "prompt_tokens", 0) or 0),
        output_tokens=int(getattr(raw, "completion_tokens", 0) or 0),
        cache_read_tokens=int(cache_read or 0),
        cache_write_tokens=int(cache_write or 0),
        reasoning_tokens=int(getattr(completion_details, "reasoning_tokens", 0) or 0),
        provider_cost_usd=provider_cost(chunk, raw),
    )


def _tool_call_deltas(delta: Any) -> tuple[ToolCallDelta, ...]:
    raw = getattr(delta, "tool_calls", None) or []
    deltas = []
    for position, call in enumerate(raw):
        function = getattr(call, "function", None)
        index = getattr(call, "index", None)
        deltas.append(
            ToolCallDelta(
                index=index if isinstance(index, int) else position,
                call_id=getattr(call, "id", None) or None,
                name=getattr(function, "name", None) or None,
                arguments=getattr(function, "arguments", None) or "",
            )
        )
    return tuple(deltas)


def _piece(chunk: Any) -> StreamPiece:
    text = reasoning = ""
    tool_calls: tuple[ToolCallDelta, ...] = ()
    finish = None
    choices = getattr(chunk, "choices", None) or []
    if choices:
        choice = choices[0]
        delta = getattr(choice, "delta", None)
        if delta is not None:
            text = getattr(delta, "content", None) or ""
            reasoning = getattr(delta, "reasoning_content", None) or ""
            tool_calls = _tool_call_deltas(delta)
        finish = getattr(choice, "finish_reason", None)
    return StreamPiece(
        text=text,
        reasoning=reasoning,
        tool_calls=tool_calls,
        usage=_usage(chunk),
        finish_reason=finish,
        model=getattr(chunk, "model", None),
    )


class LLMClient:
    """Calls models through litellm; the only place that does."""

    def __init__(self, settings: ModelSettings) -> None:
        self.settings = settings

    async def stream(
        self,
        request: ChatRequest,
        on_retry: OnRetry | None = None,
        on_fallback: OnFallback | None = None,
    ) -> AsyncIterator[tuple[ModelTarget, StreamPiece]]:
        """Yield pieces of the reply. Before anything is yielded, failures are retried with
        backoff and then the next model in the chain is tried; after that, a failure raises
        ``StreamBrokenError`` and the caller keeps what it has."""
        last_error: LLMError | None = None
        previous: ModelTarget | None = None
        for target in request.targets:
            if previous is not None and last_error is not None and on_fallback is not None:
                await on_fallback(FallbackNotice(previous.name, target.name, last_error.message))
            previous = target
            attempt = 0
            while True:
                attempt += 1
                yielded = False
                try:
                    async for piece in self._one_call(target, request):
                        yielded = yielded or piece.has_output
                        yield target, piece
                    return
                except LLMError as error:
                    if yielded:
                        raise StreamBrokenError(
                            f"the reply from {target.name} broke off: {error.message}"
                        ) from error
                    last_error = error
                    if not error.retryable or attempt > self.settings.max_retries:
                        break
                    retry_after = getattr(error, "retry_after", None)
                    delay = backoff_delay(attempt, self.settings, retry_after)
                    if on_retry is not None:
                        await on_retry(RetryNotice(attempt, delay, error.message, target.name))
                    await asyncio.sleep(delay)
            if last_error is not None and not last_error.retryable:
                raise last_error
        assert last_error is not None
        raise last_error

    async def _one_call(
        self, target: ModelTarget, request: ChatRequest
    ) -> AsyncIterator[StreamPiece]:
        timeout = self.settings.timeout_s
        kwargs: dict[str, Any] = {
            "model": target.litellm_model,
            "messages": request.messages,
            "stream": True,
            "stream_options": {"include_usage": True},
            "timeout": timeout,
            "max_retries": 0,
            "num_retries": 0,
            **request.extra,
        }
        if target.api_base:
            kwargs["api_base"] = target.api_base
        if target.api_key:
            kwargs["api_key"] = target.api_key
        stream: Any = None
        try:
            # asyncio.timeout, not wait_for: on 3.11 wait_for drops a cancel (Ctrl+C, Esc) that
            # comes as the awaited chunk arrives, and the reply then streams on to its end.
            async with asyncio.timeout(timeout):
                stream = await start_completion(**kwargs)
            iterator = stream.__aiter__()
            finished = False
            while True:
                try:
                    async with asyncio.timeout(timeout):
                        chunk = await iterator.__anext__()
                except StopAsyncIteration:
                    if not finished:
                        raise ConnectionFailedError(
                            f"the stream from {target.describe()} ended before the reply finished"
                        ) from None
                    return
                piece = _piece(chunk)
                if piece.finish_reason is not None and not finished:
                    forget_streamed_chunks(stream)
                finished = finished or piece.finish_reason is not None
                usage_came = piece.usage is not None
                if usage_came and not provider_sent_usage(stream):
                    piece = replace(piece, usage=None)
                if piece.has_output or piece.usage or piece.finish_reason:
                    yield piece
                if finished and usage_came:
                    # Usage is the last thing litellm hands over: asking for more only runs its
                    # end-of-stream pass (the rebuild again, and its logging).
                    return
        except (asyncio.CancelledError, GeneratorExit):
            raise
        except Exception as error:
            raise classify(error, target, timeout) from error
        finally:
            closer = getattr(stream, "aclose", None)
            if closer is not None:
                # Closing a dead stream may fail; there is nothing left to keep.
                with contextlib.suppress(Exception):
                    await closer()
