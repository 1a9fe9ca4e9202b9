"""Checkpoints, branches and undoable operations as the rest of the program sees them: plain
frozen records and enums, with no SQL behind them, so a screen or a command can name a
revert mode without loading the store."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from penguin_tui.store.models import UsageTotals


class CheckpointKind(StrEnum):
    """Why a checkpoint exists: after an agent turn, asked for, or before a risky operation."""

    AUTO = "auto"
    MANUAL = "manual"
    SAFETY = "safety"


class RevertMode(StrEnum):
    """What a revert (or merge, for undo) moves: any of the code, the conversation and the
    tasks. ``both`` is the code and the conversation; ``all`` is the three."""

    CODE = "code"
    CONVERSATION = "conversation"
    BOTH = "both"
    TASKS = "tasks"
    CODE_AND_TASKS = "code+tasks"
    CONVERSATION_AND_TASKS = "conversation+tasks"
    ALL = "all"

    @property
    def code(self) -> bool:
        return self in (RevertMode.CODE, RevertMode.BOTH, RevertMode.CODE_AND_TASKS, RevertMode.ALL)

    @property
    def conversation(self) -> bool:
        return self in (
            RevertMode.CONVERSATION,
            RevertMode.BOTH,
            RevertMode.CONVERSATION_AND_TASKS,
            RevertMode.ALL,
        )

    @property
    def tasks(self) -> bool:
        return self in (
            RevertMode.TASKS,
            RevertMode.CODE_AND_TASKS,
            RevertMode.CONVERSATION_AND_TASKS,
            RevertMode.ALL,
        )

    @property
    def parts(self) -> list[str]:
        """The parts it moves, in the order code, conversation, tasks."""
        names = ("code", "conversation", "tasks")
        return [name for name, moved in zip(names, self._flags(), strict=True) if moved]

    def _flags(self) -> tuple[bool, bool, bool]:
        return (self.code, self.conversation, self.tasks)

    @classmethod
    def of(cls, *, code: bool, conversation: bool, tasks: bool) -> RevertMode:
        """The mode that moves exactly these parts (at least one)."""
        for mode in cls:
            if mode._flags() == (code, conversation, tasks):
                return mode
        raise ValueError("a revert moves at least one of the code, the conversation, the tasks")


class OperationKind(StrEnum):
    """What an undoable operation was (the words stored in its row)."""

    REVERT = "revert"
    MERGE = "merge"


class OperationState(StrEnum):
    """Whether an operation is in effect (undo takes it back) or undone (redo applies it)."""

    DONE = "done"
    UNDONE = "undone"


@dataclass(frozen=True)
class Checkpoint:
    """A point to come back to: a message, a code tree, tasks and the usage totals there."""

    id: str
    session_id: str
    branch: str
    parent_id: str | None
    message_id: str | None
    kind: CheckpointKind
    label: str
    tree: str
    tasks: str
    usage: UsageTotals
    files_changed: int
    lines_added: int
    lines_removed: int
    skipped: tuple[tuple[str, str], ...]
    snapshot_ms: float
    created_at: float

    def to_json(self) -> dict[str, object]:
        return {
            "id": self.id,
            "label": self.label,
            "kind": self.kind.value,
            "branch": self.branch,
            "parent_id": self.parent_id,
            "message_id": self.message_id,
            "created_at": self.created_at,
            "files_changed": self.files_changed,
            "lines_added": self.lines_added,
            "lines_removed": self.lines_removed,
            "tree": self.tree,
            "input_tokens": self.usage.input_tokens,
            "output_tokens": self.usage.output_tokens,
            "cost_usd": self.usage.cost_usd,
            "skipped": [{"path": path, "reason": reason} for path, reason in self.skipped],
            "snapshot_ms": round(self.snapshot_ms, 1),
        }


@dataclass(frozen=True)
class Branch:
    """A named line of work in a session: its conversation head and its position."""

    name: str
    head_message_id: str | None
    position_id: str | None
    current: bool


@dataclass(frozen=True)
class Operation:
    """An undoable revert or merge: the safety checkpoint before, and the state after."""

    id: int
    session_id: str
    kind: OperationKind
    mode: RevertMode
    branch: str
    target_id: str
    before_id: str
    before_head: str | None
    after_head: str | None
    after_tree: str
    state: OperationState
    detail: dict[str, object]
    created_at: float


@dataclass(frozen=True)
class RestoreCommit:
    """A restore whose records (branch moves, operation) are in the database."""

    token: str
    session_id: str
    operation_id: int | None
