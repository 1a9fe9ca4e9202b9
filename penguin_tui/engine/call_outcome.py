"""How one LLM call went: the provider that answered, its retries and fallbacks, its outcome."""

from __future__ import annotations

import time
from dataclasses import dataclass
from urllib.parse import urlparse

from penguin_tui.llm.pricing import TokenUsage
from penguin_tui.llm.target import ModelTarget
from penguin_tui.store import MessageStatus, UsageRecord

# litellm's prefixes that name the same provider as another one.
PROVIDER_ALIASES = {"ollama_chat": "ollama", "azure_ai": "azure", "vertex_ai_beta": "vertex_ai"}


def provider_of(target: ModelTarget) -> str:
    """The provider a call goes to: litellm's model prefix, ``openai-compatible`` for the
    OpenAI protocol sent to a server of one's own, and litellm's rule for a bare name."""
    model = target.litellm_model
    if "/" in model:
        prefix = model.split("/", 1)[0]
    elif model.startswith("claude"):
        prefix = "anthropic"
    elif model.startswith("gemini"):
        prefix = "gemini"
    else:
        prefix = "openai"
    if prefix == "openai" and target.api_base:
        host = urlparse(target.api_base).hostname or ""
        if host != "api.openai.com":
            return "openai-compatible"
    return PROVIDER_ALIASES.get(prefix, prefix)


@dataclass
class CallTrail:
    """What happened on the way to an answer: the session's branch and run mode's task at
    the start, the retries before the first token and the model the chain fell back to."""

    branch: str
    task_id: str | None
    targets: tuple[ModelTarget, ...]
    retries: int = 0
    fell_back_to: str | None = None

    def last_tried(self, first: ModelTarget) -> ModelTarget:
        """The model a call without an answer ended on: the last one the chain tried."""
        named = [t for t in self.targets if t.name == self.fell_back_to]
        return named[-1] if named else first

    def outcome(self, status: MessageStatus, failed: bool) -> str:
        """``failed`` (an error ended it), ``interrupted`` (cut short), ``fell back`` (a later
        model of the chain answered), ``retried`` (answered after a retry) or ``ok``."""
        if failed or status is MessageStatus.ERROR:
            return "failed"
        if status is MessageStatus.INTERRUPTED:
            return "interrupted"
        if self.fell_back_to is not None:
            return "fell back"
        if self.retries:
            return "retried"
        return "ok"


def call_record(
    *,
    session_id: str,
    message_id: str | None,
    target: ModelTarget,
    usage: TokenUsage,
    cost: tuple[float | None, str],
    started: float,
    first_token: float | None,
    branch: str,
    outcome: str = "ok",
    task_id: str | None = None,
) -> UsageRecord:
    """One call's usage row: its tokens, its ``(dollars, price source)``, and its times from
    ``started`` (``time.perf_counter``) to the first token and to now."""
    return UsageRecord(
        session_id=session_id,
        message_id=message_id,
        model=target.name,
        input_tokens=usage.input_tokens,
        output_tokens=usage.output_tokens,
        cache_read_tokens=usage.cache_read_tokens,
        cache_write_tokens=usage.cache_write_tokens,
        reasoning_tokens=usage.reasoning_tokens,
        cost_usd=cost[0],
        cost_source=cost[1],
        tokens_source=usage.source,
        ttft_ms=None if first_token is None else (first_token - started) * 1000,
        duration_ms=(time.perf_counter() - started) * 1000,
        provider=provider_of(target),
        outcome=outcome,
        branch=branch,
        task_id=task_id,
    )
