"""What the checkpoint service answers: previews of a revert or a merge, comparisons, the
result of an operation and the shadow repository's size. Plain frozen records, for the TUI,
the commands and the tests alike."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal

if TYPE_CHECKING:
    from penguin_tui.checkpoints.model import Checkpoint, RevertMode
    from penguin_tui.checkpoints.shadow import RestoreResult
    from penguin_tui.checkpoints.trees import FileStat
    from penguin_tui.store import Message, UsageTotals
    from penguin_tui.tasks.plane import TaskDifference
    from penguin_tui.unified_diff import FileDiff

# What an operation did, as the result and the checkpoint.restored event name it.
Action = Literal["revert", "undo", "redo", "merge", "switch", "branch"]


@dataclass(frozen=True)
class RevertPreview:
    """What a revert would do: the files that change and the messages that leave the branch.

    ``deleted`` are the files the revert deletes (the checkpoint lacks them); ``only_in_safety``
    the files whose version now no checkpoint holds yet (created or changed since the last
    one): the revert's safety checkpoint takes them first, and undo brings them back.
    """

    target: Checkpoint
    mode: RevertMode
    files: tuple[FileStat, ...]
    messages_leaving: tuple[Message, ...]
    deleted: frozenset[str] = frozenset()
    only_in_safety: frozenset[str] = frozenset()
    created_since: frozenset[str] = frozenset()
    # With the tasks: how the plan changes.
    tasks: tuple[TaskDifference, ...] = ()

    def note(self, path: str) -> str:
        """What the revert does to ``path`` beyond its line counts, in the user's words."""
        if path not in self.only_in_safety:
            return "deleted" if path in self.deleted else ""
        since = "created since" if path in self.created_since else "changed since"
        kept = f"{since} the last checkpoint; kept in the safety checkpoint; undo brings it back"
        return f"deleted — {kept}" if path in self.deleted else kept


@dataclass(frozen=True)
class Side:
    """One side of a comparison: its conversation since the common ancestor and its spend."""

    label: str
    messages: tuple[Message, ...]
    usage: UsageTotals


@dataclass(frozen=True)
class Comparison:
    """Two points compared: files and hunks (renames found) and each side's conversation."""

    old: Checkpoint
    new: Checkpoint | None  # None: the working tree
    files: tuple[FileDiff, ...]
    left: Side
    right: Side
    # How the task plane differs (empty when either side kept no tasks).
    tasks: tuple[TaskDifference, ...] = ()


@dataclass(frozen=True)
class OperationResult:
    """What a revert, undo, redo, switch, branch or merge changed on disk and where it is now."""

    action: Action
    checkpoint: Checkpoint
    branch: str
    restored: RestoreResult | None
    safety: Checkpoint | None
    conflicts: tuple[str, ...] = ()
    # False: there was nothing to do (a merge of changes this branch already has), and
    # nothing was recorded.
    changed: bool = True


@dataclass(frozen=True)
class MergePreview:
    """What a merge would do, found without changing anything: the files that would change
    in the project and the conflicts foreseen (files that would get conflict markers).

    ``current_tree`` and ``merged_tree`` are the files it was worked out from and the files
    it would leave: ``merge_as_previewed`` applies exactly this merge or none.
    """

    source: str
    branch: str
    theirs: Checkpoint
    files: tuple[FileStat, ...]
    conflicts: tuple[str, ...]
    current_tree: str
    merged_tree: str
    picked: tuple[str, ...] = ()  # only these files are taken (a pick); empty: all of them

    @property
    def changes_nothing(self) -> bool:
        return not self.files and not self.conflicts


@dataclass(frozen=True)
class StorageInfo:
    """How big the shadow repository is against the configured quota."""

    bytes: int
    quota_bytes: int

    @property
    def over_quota(self) -> bool:
        return self.bytes > self.quota_bytes
