"""Tasks as the rest of the program sees them: plain frozen records and enums, with no SQL
behind them, so a pane or a command can name a status without loading the store."""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass, field
from enum import StrEnum

from penguin_tui.errors import PenguinError


class TaskStatus(StrEnum):
    """Where a task stands. ``ready`` is not a status: it is derived from the graph."""

    TODO = "todo"
    DOING = "doing"
    BLOCKED = "blocked"
    REVIEW = "review"
    DONE = "done"
    FAILED = "failed"
    CANCELLED = "cancelled"

    @property
    def finished(self) -> bool:
        """Done or cancelled: no longer holds back the tasks that come after it."""
        return self in (TaskStatus.DONE, TaskStatus.CANCELLED)


class Priority(StrEnum):
    """How soon a ready task is picked, before its id decides."""

    HIGH = "high"
    MEDIUM = "medium"
    LOW = "low"

    @property
    def rank(self) -> int:
        """0 for high: the order run mode picks in."""
        return (Priority.HIGH, Priority.MEDIUM, Priority.LOW).index(self)


class Actor(StrEnum):
    """Who made a task or a change to it."""

    USER = "user"
    AGENT = "agent"


TASK_ID = re.compile(r"^T([1-9][0-9]*)$")


@functools.lru_cache(maxsize=65536)
def task_number(task_id: str) -> int:
    """``T12`` → 12; anything else is a TaskError naming the id."""
    match = TASK_ID.match(task_id.strip().upper())
    if match is None:
        raise TaskError(f"{task_id!r} is not a task id (they look like T1, T2, …)")
    return int(match.group(1))


def normal_id(task_id: str) -> str:
    """``t3`` and `` T3 `` are ``T3``."""
    return f"T{task_number(task_id)}"


@dataclass(frozen=True)
class Criterion:
    """One line of a task's acceptance checklist."""

    text: str
    done: bool = False


@dataclass(frozen=True)
class Task:
    """One task of the project's plan, with what its work has cost so far."""

    id: str
    title: str
    status: TaskStatus = TaskStatus.TODO
    priority: Priority = Priority.MEDIUM
    description: str = ""
    criteria: tuple[Criterion, ...] = ()
    parent: str | None = None
    after: tuple[str, ...] = ()
    check: str | None = None
    # A check the user wrote or confirmed; one from the agent or an import is judged by the
    # permission rules like any other shell command until the user confirms it.
    check_trusted: bool = False
    created_by: Actor = Actor.USER
    notes: str = ""
    summary: str = ""
    branch: str | None = None
    checkpoints: tuple[str, ...] = ()
    input_tokens: int = 0
    output_tokens: int = 0
    cost_usd: float | None = 0.0
    time_s: float = 0.0
    created_at: float = 0.0
    updated_at: float = 0.0

    @property
    def number(self) -> int:
        return task_number(self.id)


@dataclass(frozen=True)
class TaskChange:
    """One entry of a task's history: what changed, who changed it and when."""

    task_id: str
    actor: Actor
    what: str
    at: float


@dataclass(frozen=True)
class Spend:
    """Tokens, dollars (None when some call had no known price) and time, added up."""

    input_tokens: int = 0
    output_tokens: int = 0
    cost_usd: float | None = 0.0
    time_s: float = 0.0

    def __add__(self, other: Spend) -> Spend:
        cost = (
            None
            if self.cost_usd is None or other.cost_usd is None
            else self.cost_usd + other.cost_usd
        )
        return Spend(
            self.input_tokens + other.input_tokens,
            self.output_tokens + other.output_tokens,
            cost,
            self.time_s + other.time_s,
        )

    @classmethod
    def of(cls, task: Task) -> Spend:
        return cls(task.input_tokens, task.output_tokens, task.cost_usd, task.time_s)


@dataclass(frozen=True)
class Progress:
    """How much of a subtree is finished: done (cancelled ones left out of both counts)."""

    done: int = 0
    total: int = 0

    @property
    def fraction(self) -> float:
        return self.done / self.total if self.total else 0.0


@dataclass(frozen=True)
class TaskEdit:
    """The fields a change sets; None leaves a field as it is."""

    title: str | None = None
    description: str | None = None
    status: TaskStatus | None = None
    priority: Priority | None = None
    parent: str | None = None
    clear_parent: bool = False
    add_after: tuple[str, ...] = ()
    remove_after: tuple[str, ...] = ()
    check: str | None = None
    notes: str | None = None
    summary: str | None = None
    criteria: tuple[Criterion, ...] | None = None
    criteria_done: tuple[int, ...] = field(default_factory=tuple)


class TaskError(PenguinError):
    """A task change that cannot be made: an unknown id, a cycle, a bad field."""
