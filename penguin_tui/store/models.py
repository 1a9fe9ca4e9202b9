"""Typed records read from and written to the store."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class MessageStatus(StrEnum):
    """Where a message is in its life: interrupted means cut short but kept."""

    COMPLETE = "complete"
    STREAMING = "streaming"
    INTERRUPTED = "interrupted"
    ERROR = "error"


class Role(StrEnum):
    """Who wrote a message."""

    USER = "user"
    ASSISTANT = "assistant"
    SYSTEM = "system"
    TOOL = "tool"


@dataclass(frozen=True)
class Project:
    """A directory penguin-tui has been opened on."""

    id: str
    root: str
    created_at: float


@dataclass(frozen=True)
class Session:
    """One conversation on a project; its messages form a tree, ``main`` is its first branch."""

    id: str
    project_id: str
    title: str
    model: str | None
    created_at: float
    updated_at: float


@dataclass(frozen=True)
class ToolCallRequest:
    """A tool call the model asked for: its id, the tool and the raw JSON arguments."""

    call_id: str
    tool: str
    arguments: str


@dataclass(frozen=True)
class Message:
    """A node of the conversation tree; a ``tool`` message answers ``tool_call_id``."""

    id: str
    session_id: str
    parent_id: str | None
    role: Role
    content: str
    reasoning: str
    status: MessageStatus
    model: str | None
    created_at: float
    tool_calls: tuple[ToolCallRequest, ...] = ()
    tool_call_id: str | None = None


@dataclass(frozen=True)
class AuditEntry:
    """One tool call in the audit log: what ran, who decided, how it ended."""

    session_id: str
    message_id: str | None
    call_id: str
    tool: str
    args: str
    decision: str
    decided_by: str
    reason: str
    status: str
    summary: str
    exit_code: int | None
    started_at: float
    ended_at: float


@dataclass(frozen=True)
class UsageRecord:
    """One LLM call's tokens, cost and timings; ``cost_usd`` is None when the price is unknown,
    and ``tokens_source`` says whether the provider reported the tokens or they are estimated."""

    session_id: str
    message_id: str | None
    model: str
    input_tokens: int
    output_tokens: int
    cache_read_tokens: int
    cache_write_tokens: int
    reasoning_tokens: int
    cost_usd: float | None
    cost_source: str
    ttft_ms: float | None
    duration_ms: float
    tokens_source: str = "provider"
    # The provider that answered (openai, anthropic, ollama, openai-compatible, ...), how the
    # call ended (ok, retried, failed, interrupted, fell back), the session's branch the call
    # was made on, and run mode's task being worked on (None outside run mode).
    provider: str = ""
    outcome: str = "ok"
    branch: str = "main"
    task_id: str | None = None

    @property
    def tokens_per_s(self) -> float | None:
        """Output tokens per second of streaming (after the first token)."""
        return tokens_per_second(self.output_tokens, self.ttft_ms, self.duration_ms)


def tokens_per_second(
    output_tokens: int, ttft_ms: float | None, duration_ms: float
) -> float | None:
    """Output tokens / (duration - time to first token); None when nothing streamed over time."""
    if ttft_ms is None or output_tokens <= 0:
        return None
    streaming_ms = duration_ms - ttft_ms
    if streaming_ms <= 0:
        return None
    return output_tokens / (streaming_ms / 1000)


@dataclass(frozen=True)
class UsageTotals:
    """Sums over usage rows; ``cost_usd`` is None when no call had a known price, and
    ``unpriced_calls`` says how many calls the sum leaves out."""

    calls: int
    input_tokens: int
    output_tokens: int
    cost_usd: float | None
    unpriced_calls: int


@dataclass(frozen=True)
class SessionSummary:
    """A row of the session list: enough to pick one to resume."""

    session: Session
    project_root: str
    messages: int
    last_text: str
    usage: UsageTotals
