"""What ``penguin-tui --plain`` prints of a turn's events: the reply as text as it streams, the
reasoning summed up in one dim line, each tool call as one line with its outcome."""

from __future__ import annotations

import os
import sys
from typing import TextIO

from penguin_tui.bus import (
    ApprovalAnswered,
    BudgetExceeded,
    BudgetWarning,
    CheckpointFailed,
    CheckpointRestored,
    ContextCompacted,
    ErrorOccurred,
    Event,
    MessageCompleted,
    MessageDelta,
    ModelSwitched,
    ReasoningDelta,
    Retrying,
    ToolCallFinished,
    ToolCallStarted,
)
from penguin_tui.words import plural

DIM = "\x1b[2m"
PLAIN = "\x1b[0m"
ARGS_SHOWN = 100


def wants_dim(stream: TextIO) -> bool:
    """Dim text only on a terminal, and never with NO_COLOR set."""
    return stream.isatty() and not os.environ.get("NO_COLOR")


def _outcome(event: ToolCallFinished) -> str:
    """``denied — reason`` or ``ok: exit 0 · …``: the status is said once, not twice."""
    if event.summary.startswith(event.status):
        return event.summary
    return f"{event.status}: {event.summary}"


def _short(text: str, width: int) -> str:
    one_line = " ".join(text.split())
    return one_line if len(one_line) <= width else one_line[: width - 1] + "…"


class TurnPrinter:
    """Prints one session's events as lines of text; remembers whether a line is open (a
    reply still streaming) so that what comes next starts on a line of its own."""

    def __init__(self, out: TextIO | None = None, *, dim: bool | None = None) -> None:
        self.out = out or sys.stdout
        self.dim = wants_dim(self.out) if dim is None else dim
        self._open_line = False
        self._reasoning: dict[str, str] = {}
        self._reasoning_said: set[str] = set()

    def write(self, text: str) -> None:
        self.out.write(text)
        self.out.flush()
        if text:
            self._open_line = not text.endswith("\n")

    def line(self, text: str, *, muted: bool = False) -> None:
        """A whole line, after ending a reply's open line."""
        self.end_line()
        if muted and self.dim:
            text = f"{DIM}{text}{PLAIN}"
        self.write(text + "\n")

    def end_line(self) -> None:
        if self._open_line:
            self.write("\n")

    def show(self, event: Event) -> None:
        """Print what the user needs to see of ``event`` (approvals are asked elsewhere)."""
        if isinstance(event, ReasoningDelta):
            self._reasoning[event.message_id] = self._reasoning.get(event.message_id, "") + (
                event.text
            )
        elif isinstance(event, MessageDelta):
            self._say_reasoning(event.message_id)
            self.write(event.text)
        elif isinstance(event, MessageCompleted):
            self._completed(event)
        elif isinstance(event, ToolCallStarted):
            self.line(f"[{event.tool}] {_short(event.args, ARGS_SHOWN)}", muted=True)
        elif isinstance(event, ToolCallFinished):
            self.line(f"[{event.tool}] {_outcome(event)}")
        else:
            self._notice(event)

    def _completed(self, event: MessageCompleted) -> None:
        if event.role in ("assistant", "system"):
            self._say_reasoning(event.message_id)
            self.end_line()

    def _say_reasoning(self, message_id: str) -> None:
        """The reasoning before a reply, summed up in one dim line once the reply begins."""
        reasoning = self._reasoning.pop(message_id, "")
        if reasoning.strip() and message_id not in self._reasoning_said:
            self._reasoning_said.add(message_id)
            words = len(reasoning.split())
            self.line(f"(reasoned: {plural(words, 'word')})", muted=True)

    def _notice(self, event: Event) -> None:
        if isinstance(event, ApprovalAnswered) and not event.allowed:
            self.line(f"not allowed: {event.reason}")
        elif isinstance(event, ErrorOccurred):
            said = "cancelled" if event.kind == "cancelled" else "error"
            self.line(f"{said}: {event.message}")
        elif isinstance(event, Retrying):
            self.line(f"{event.reason}; retrying in {event.delay_s:.1f}s", muted=True)
        elif isinstance(event, ModelSwitched):
            self.line(f"{event.from_model} kept failing; switched to {event.to_model}")
        elif isinstance(event, BudgetExceeded | BudgetWarning | CheckpointFailed):
            self.line(event.message)
        elif isinstance(event, ContextCompacted):
            self.line(
                f"compacted {plural(event.messages, 'message')} into a summary: {event.reason}",
                muted=True,
            )
        elif isinstance(event, CheckpointRestored) and event.conflicts:
            self.line(f"conflicts in: {', '.join(event.conflicts)}")
