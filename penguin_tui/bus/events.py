"""Typed events: frozen pydantic models with a ``type`` discriminator, one JSON object per line.

Durable events are written to the store before any subscriber sees them; ephemeral ones
(deltas, progress) are not, and may reach a slow subscriber coalesced, never reordered.
"""

from __future__ import annotations

import functools
import json
import time
from enum import StrEnum
from typing import Annotated, Any, ClassVar, Literal

from pydantic import BaseModel, ConfigDict, Field, TypeAdapter
from pydantic_core import PydanticSerializationError

from penguin_tui.printable import printable_json


class Event(BaseModel):
    """Fields every event carries; ``seq`` is stamped by the bus on publish, ``ts`` at creation."""

    # Each event's validator and serializer are built on its first use, not at import: the
    # start-up path creates a few kinds of event, and building all of them cost ~70 ms.
    model_config = ConfigDict(frozen=True, defer_build=True)

    durable: ClassVar[bool] = True

    type: str
    session_id: str
    seq: int = 0
    ts: float = Field(default_factory=time.time)

    def to_json(self) -> str:
        try:
            return self.model_dump_json()
        except PydanticSerializationError:  # a lone surrogate: a file name that is not UTF-8
            text = json.dumps(self.model_dump(), ensure_ascii=False, separators=(",", ":"))
            return printable_json(text)


class SessionStarted(Event):
    """A session was opened (new or resumed) on a project."""

    type: Literal["session.started"] = "session.started"
    project: str
    model: str | None = None
    resumed: bool = False


class MessageStarted(Event):
    """An assistant reply began; its text follows as ``message.delta`` events.
    ``estimated_input_tokens`` is the size of the whole request until ``usage`` says."""

    durable: ClassVar[bool] = False
    type: Literal["message.started"] = "message.started"
    message_id: str
    role: str = "assistant"
    model: str
    estimated_input_tokens: int = 0


class Delta(Event):
    """A streamed piece of a message; ``tokens`` counts the chunks merged into it."""

    durable: ClassVar[bool] = False
    message_id: str
    text: str
    tokens: int = 1

    def merges_with(self, later: Event) -> bool:
        return type(later) is type(self) and later.message_id == self.message_id

    def merged(self, later: Delta) -> Delta:
        """One delta standing for this one followed by ``later`` (order kept)."""
        return later.model_copy(
            update={"text": self.text + later.text, "tokens": self.tokens + later.tokens}
        )


class MessageDelta(Delta):
    """A piece of reply text as it streams."""

    type: Literal["message.delta"] = "message.delta"


class ReasoningDelta(Delta):
    """A piece of the model's reasoning as it streams."""

    type: Literal["reasoning.delta"] = "reasoning.delta"


class MessageStreamed(Event):
    """The model sent the end of a reply (its ``finish_reason``): the streamed text is whole
    and can be shown as final. ``usage`` and ``message.completed`` follow, in that order."""

    durable: ClassVar[bool] = False
    type: Literal["message.streamed"] = "message.streamed"
    message_id: str
    finish_reason: str


class MessageCompleted(Event):
    """A message is final: complete, interrupted (cancelled or broken stream) or error;
    ``model`` is the model that answered a reply (a fallback's name after a switch)."""

    type: Literal["message.completed"] = "message.completed"
    message_id: str
    parent_id: str | None
    role: str
    text: str
    status: str
    reasoning: str = ""
    model: str | None = None


class UsageRecorded(Event):
    """Tokens, dollars and timings of one LLM call; ``cost_usd`` is null when unknown, and
    ``tokens_source`` says whether the provider reported the tokens or they are estimated.
    ``model`` is the model that answered (after a fallback, the fallback), ``outcome`` how the
    call ended, ``branch`` the session's branch and ``task_id`` run mode's task (or null)."""

    type: Literal["usage"] = "usage"
    message_id: str | None
    model: str
    input_tokens: int
    output_tokens: int
    cache_read_tokens: int = 0
    cache_write_tokens: int = 0
    reasoning_tokens: int = 0
    cost_usd: float | None
    cost_source: Literal["provider", "config", "litellm", "estimate", "unknown"]
    ttft_ms: float | None
    duration_ms: float
    tokens_source: Literal["provider", "estimate"] = "provider"
    provider: str = ""
    outcome: Literal["ok", "retried", "failed", "interrupted", "fell back"] = "ok"
    tokens_per_s: float | None = None
    branch: str = "main"
    task_id: str | None = None


class Retrying(Event):
    """A call failed before its first token and will be tried again after ``delay_s``."""

    durable: ClassVar[bool] = False
    type: Literal["retry"] = "retry"
    attempt: int
    delay_s: float
    reason: str
    model: str


class ToolCallStarted(Event):
    """The model asked for a tool call; ``args`` is the call's JSON arguments as the model
    sent them (the stored copy of the event is redacted)."""

    type: Literal["tool.call"] = "tool.call"
    message_id: str
    call_id: str
    tool: str
    args: str


class ToolCallStatus(StrEnum):
    """How a tool call ended; the audit log keeps it, so a resumed session shows it too."""

    OK = "ok"
    ERROR = "error"  # the tool refused or failed; the model is told why
    DENIED = "denied"  # not run: a deny rule or the user's no
    CANCELLED = "cancelled"
    TIMEOUT = "timeout"


class ToolCallFinished(Event):
    """A tool call ended: ok, error, denied, cancelled or timeout."""

    type: Literal["tool.result"] = "tool.result"
    call_id: str
    tool: str
    status: ToolCallStatus
    summary: str
    duration_ms: float = 0.0
    exit_code: int | None = None
    diff: str | None = None
    preview: str = ""


class ApprovalRequested(Event):
    """A tool call needs the user's yes or no; answer with ``engine.answer_approval``."""

    type: Literal["approval.requested"] = "approval.requested"
    request_id: str
    call_id: str
    tool: str
    args: str
    detail: str
    reason: str
    # The detail is a unified diff (a file tool's change), not text.
    detail_is_diff: bool = False


class ApprovalAnswered(Event):
    """The answer to an approval request, and who gave it (user or headless flag)."""

    type: Literal["approval.answered"] = "approval.answered"
    request_id: str
    call_id: str
    allowed: bool
    scope: str
    reason: str = ""
    by: str = "user"


class ContextCompacted(Event):
    """Older messages were summarised into one; they stay in the store, out of the context."""

    type: Literal["context.compacted"] = "context.compacted"
    message_id: str
    messages: int
    tokens_before: int
    tokens_after: int
    reason: str


class ModelSwitched(Event):
    """The chain fell back to the next model after the previous one kept failing."""

    type: Literal["model.fallback"] = "model.fallback"
    from_model: str
    to_model: str
    reason: str


class ErrorOccurred(Event):
    """Something went wrong; ``message`` is one line that says what to do."""

    type: Literal["error"] = "error"
    message: str
    kind: str = "error"


class CheckpointCreated(Event):
    """A checkpoint was taken: code tree, conversation point, tasks and usage totals."""

    type: Literal["checkpoint.created"] = "checkpoint.created"
    checkpoint_id: str
    branch: str
    kind: str
    label: str = ""
    files_changed: int = 0
    lines_added: int = 0
    lines_removed: int = 0
    skipped: int = 0
    snapshot_ms: float = 0.0


class CheckpointRestored(Event):
    """The code and/or conversation moved: a revert, its undo or redo, a merge, a switch."""

    type: Literal["checkpoint.restored"] = "checkpoint.restored"
    action: Literal["revert", "undo", "redo", "merge", "switch", "branch"]
    checkpoint_id: str
    branch: str
    mode: str
    files_written: int = 0
    files_deleted: int = 0
    kept: list[str] = Field(default_factory=list)
    conflicts: list[str] = Field(default_factory=list)


class CheckpointFailed(Event):
    """An automatic checkpoint could not be taken: the files stay marked as changed and the
    next turn (or any checkpoint before it) takes them; ``message`` is the line to show."""

    type: Literal["checkpoint.failed"] = "checkpoint.failed"
    trigger: Literal["turn", "before_turn"]
    label: str
    reason: str
    message: str


class BudgetExceeded(Event):
    """A budget stopped the work before a model call: a turn's limits of ``[agent]`` (and, in
    run mode, a task's or a run's). ``limit`` and ``spent`` are as the user reads them."""

    type: Literal["budget.exceeded"] = "budget.exceeded"
    scope: str
    limit: str
    spent: str
    message: str


class BudgetWarning(Event):
    """A call took a dollar budget past 80% of its limit (once, as it happens): a turn's,
    a session's, a project's, a day's, a task's or a run's."""

    type: Literal["budget.warning"] = "budget.warning"
    scope: str
    limit: str
    spent: str
    message: str


class TaskCreated(Event):
    """A task was added to the project's plan (by the user, the agent or an import)."""

    type: Literal["task.created"] = "task.created"
    task: dict[str, Any]


class TaskUpdated(Event):
    """A task of the project's plan changed (status, fields, dependencies, its work)."""

    type: Literal["task.updated"] = "task.updated"
    task: dict[str, Any]


class RunModeStarted(Event):
    """Run mode started (or resumed) carrying out the plan's ready tasks."""

    type: Literal["runmode.started"] = "runmode.started"
    ready: list[str]


class TaskStarted(Event):
    """Run mode started a task (or went on with one) on its own branch."""

    type: Literal["task.started"] = "task.started"
    id: str
    branch: str


class TaskFinished(Event):
    """Run mode is finished with a task: ``done`` (its check passed and its branch was
    merged), ``failed`` or ``blocked`` (its branch kept, with the reason), or ``cancelled``."""

    type: Literal["task.finished"] = "task.finished"
    id: str
    status: str
    reason: str
    check_exit_code: int | None
    input_tokens: int
    output_tokens: int
    cost_usd: float | None
    time_s: float


class RunModeFinished(Event):
    """Run mode stopped: the tasks it finished, failed and blocked, what the run cost, and
    why it stopped (``nothing ready``, ``budget``, ``interrupted``, ``max tasks``…)."""

    type: Literal["runmode.finished"] = "runmode.finished"
    done: list[str]
    failed: list[str]
    blocked: list[str]
    cost_usd: float | None
    stop_reason: str


class SnapshotProgress(Event):
    """A long snapshot or restore is under way."""

    durable: ClassVar[bool] = False
    type: Literal["snapshot.progress"] = "snapshot.progress"
    text: str


AnyEvent = Annotated[
    SessionStarted
    | MessageStarted
    | MessageDelta
    | ReasoningDelta
    | MessageStreamed
    | MessageCompleted
    | UsageRecorded
    | Retrying
    | ToolCallStarted
    | ToolCallFinished
    | ApprovalRequested
    | ApprovalAnswered
    | ModelSwitched
    | ContextCompacted
    | CheckpointCreated
    | CheckpointRestored
    | CheckpointFailed
    | BudgetExceeded
    | BudgetWarning
    | TaskCreated
    | TaskUpdated
    | RunModeStarted
    | TaskStarted
    | TaskFinished
    | RunModeFinished
    | SnapshotProgress
    | ErrorOccurred,
    Field(discriminator="type"),
]


@functools.cache
def _event_adapter() -> TypeAdapter[AnyEvent]:
    """The reader of any event, built on the first line read back (it builds every event)."""
    return TypeAdapter(AnyEvent)


def parse_event(line: str) -> Event:
    """Read one JSON line back into its typed event."""
    event: Event = _event_adapter().validate_json(line)
    return event
