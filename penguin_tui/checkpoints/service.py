"""The checkpoint service: snapshots, branches, compare, revert/undo/redo and merge.

The TUI, the CLI and the engine's turn hooks call this front; results come back as values
(checkpoints.results) and as durable events. Each job lives in its own module: opening and
crash recovery (recovery), taking checkpoints (checkpointer), reading what changed (compare),
the operations that move the code or the conversation (operations, over restores), merging
(merge) and thinning old checkpoints (retention). Every operation that moves the code or the
conversation takes a safety checkpoint first, so it can be undone, and all of them run one at
a time.
"""

from __future__ import annotations

import asyncio
from collections.abc import Collection, Sequence
from pathlib import Path

from penguin_tui.bus import EventBus
from penguin_tui.checkpoints.checkpointer import Checkpointer
from penguin_tui.checkpoints.compare import Comparisons
from penguin_tui.checkpoints.locks import InstanceLock, OneAtATime
from penguin_tui.checkpoints.merge import Merges
from penguin_tui.checkpoints.model import Branch, Checkpoint, CheckpointKind, RevertMode
from penguin_tui.checkpoints.operations import Operations
from penguin_tui.checkpoints.outside_edits import edited_files
from penguin_tui.checkpoints.pending import FailedCheckpoint, PendingFailures
from penguin_tui.checkpoints.records import CheckpointRecords
from penguin_tui.checkpoints.recovery import Recovery, check_project_root
from penguin_tui.checkpoints.restores import Restorer
from penguin_tui.checkpoints.results import (
    Comparison,
    MergePreview,
    OperationResult,
    RevertPreview,
    Side,
    StorageInfo,
)
from penguin_tui.checkpoints.retention import Retention
from penguin_tui.checkpoints.shadow import FileStat, RestoreResult, ShadowRepo
from penguin_tui.config.paths import DataPaths
from penguin_tui.config.secrets import SecretFreeEnvironment
from penguin_tui.config.settings import CheckpointSettings
from penguin_tui.store import Project, Store
from penguin_tui.unified_diff import FileDiff

__all__ = [
    # Imported from here by the TUI and the commands; they live in checkpoints.results and
    # checkpoints.recovery.
    "CheckpointService",
    "Comparison",
    "MergePreview",
    "OperationResult",
    "RevertPreview",
    "Side",
    "StorageInfo",
    "check_project_root",
]


class CheckpointService:
    """Checkpoints and branches of one project, shared by the TUI, the CLI and the engine.
    ``environment`` is what the shadow repository's git derives its environment from."""

    def __init__(
        self,
        store: Store,
        bus: EventBus,
        settings: CheckpointSettings,
        project: Project,
        paths: DataPaths,
        *,
        environment: SecretFreeEnvironment | None = None,
    ) -> None:
        self.store = store
        self.bus = bus
        self.settings = settings
        self.project = project
        self.paths = paths
        self.records = CheckpointRecords(store)
        self.shadow = ShadowRepo(
            paths.shadow_repos / f"{project.id}.git",
            Path(project.root),
            max_file_bytes=int(settings.max_file_mb * 1024 * 1024),
            exclude=[paths.root],
            environment=environment,
        )
        self.instance = InstanceLock(paths.shadow_repos / f"{project.id}.instance.lock")
        self._gate = OneAtATime()
        self._recovery = Recovery(project.id, self.records, self.shadow, self.instance, self._gate)
        failures = PendingFailures(paths.shadow_repos / f"{project.id}.checkpoint-failed.json")
        self._checkpointer = Checkpointer(
            store, bus, self.records, self.shadow, self._gate, self._recovery, failures
        )
        self._comparisons = Comparisons(self._checkpointer)
        restorer = Restorer(self._checkpointer)
        self._operations = Operations(restorer, self._gate)
        self._merges = Merges(restorer, self._gate)
        self._retention = Retention(self.records, self.shadow, settings, project.id, self._gate)

    # -- life cycle ------------------------------------------------------------------------

    async def open(self, *, allow_read_only: bool = False) -> None:
        """Take the project's instance lock and finish any restore a crash interrupted.

        With ``allow_read_only`` a project locked by another instance opens for browsing only;
        without it the lock error is raised.
        """
        check_project_root(Path(self.project.root), self.settings)
        self._checkpointer.failures.load()
        await self._recovery.open(read_only_ok=allow_read_only)

    @property
    def read_only(self) -> bool:
        """Another instance holds the project: this one browses and changes nothing."""
        return self._gate.read_only

    @property
    def recovered(self) -> RestoreResult | None:
        """The restore a crash cut short that the start finished, if any."""
        return self._recovery.recovered

    @property
    def dropped_restore(self) -> bool:
        """Whether the start dropped an operation a crash cut short before its first file."""
        return self._recovery.dropped_restore

    def recovery_notice(self) -> str | None:
        """One line about what the start did with an operation a crash cut short, if any."""
        return self._recovery.notice()

    async def close(self) -> None:
        await self._gate.finish()
        await self._retention.finish()
        self.close_repository()

    def close_repository(self) -> None:
        """Let go of the instance lock and the shadow repository's operation lock (what
        ``close`` ends with; alone, for a service whose ``open`` failed)."""
        self.instance.release()
        self.shadow.close()

    @property
    def working_on(self) -> str | None:
        """The task run mode is carrying out (every checkpoint records it), or None."""
        return self._checkpointer.working_on

    @working_on.setter
    def working_on(self, task_id: str | None) -> None:
        self._checkpointer.working_on = task_id

    # -- reading ---------------------------------------------------------------------------

    async def checkpoints(self, session_id: str) -> list[Checkpoint]:
        return await self.records.for_session(session_id)

    async def get(self, session_id: str, checkpoint_id: str) -> Checkpoint:
        return await self.records.get(checkpoint_id, session_id)

    async def branches(self, session_id: str) -> list[Branch]:
        return await self.records.branches(session_id)

    async def position(self, session_id: str) -> Checkpoint | None:
        """The checkpoint the current branch's working state comes from."""
        return await self._checkpointer.position(session_id)

    async def patch(self, old_tree: str, new_tree: str) -> str:
        """The unified diff from ``old_tree`` to ``new_tree``, renames found."""
        return await asyncio.to_thread(self.shadow.patch, old_tree, new_tree)

    async def numstat(self, old_tree: str, new_tree: str) -> list[FileStat]:
        """Lines added and removed per file from ``old_tree`` to ``new_tree``."""
        return await asyncio.to_thread(self.shadow.numstat, old_tree, new_tree)

    async def edited_files(self, tree: str, paths: Collection[str]) -> set[str]:
        """The files among ``paths`` that differ on disk from ``tree`` (edits made outside
        penguin-tui, see outside_edits)."""
        return await asyncio.to_thread(edited_files, self.shadow, tree, paths)

    async def storage(self) -> StorageInfo:
        size = await asyncio.to_thread(self.shadow.size_bytes)
        return StorageInfo(size, int(self.settings.quota_mb * 1024 * 1024))

    # -- creating --------------------------------------------------------------------------

    async def create(self, session_id: str, kind: CheckpointKind, label: str = "") -> Checkpoint:
        """Snapshot the whole project (whoever changed it) and record a checkpoint."""
        return await self._checkpointer.create(session_id, kind, label)

    async def capture_outside_edits(self, session_id: str) -> Checkpoint | None:
        """Before an agent turn: checkpoint edits made since the last checkpoint, if any, and
        the checkpoint of this session that failed before (under its own label)."""
        return await self._checkpointer.capture_outside_edits(session_id)

    async def after_turn(self, session_id: str, prompt: str) -> Checkpoint | None:
        """After an agent turn that ran a tool: the automatic checkpoint. One that fails is
        reported (``checkpoint.failed``) and taken again before the next turn."""
        return await self._checkpointer.after_turn(session_id, prompt)

    def failure(self, session_id: str) -> FailedCheckpoint | None:
        """The session's automatic checkpoint that failed and is still to be taken, if any."""
        return self._checkpointer.failures.get(session_id)

    # -- comparing -------------------------------------------------------------------------

    async def working_tree(self, session_id: str) -> str:
        return await self._comparisons.working_tree(session_id)

    async def changes_since_position(self, session_id: str) -> tuple[FileDiff, ...]:
        """Edits since the last checkpoint (the agent's, a shell's or the user's editor's)."""
        return await self._comparisons.changes_since_position(session_id)

    async def compare(self, session_id: str, old_id: str, new_id: str | None = None) -> Comparison:
        """Files and hunks from ``old`` to ``new`` (default: the working tree), and each side's
        conversation since their common ancestor with its tokens and dollars."""
        return await self._comparisons.compare(session_id, old_id, new_id)

    async def preview_revert(
        self, session_id: str, checkpoint_id: str, mode: RevertMode
    ) -> RevertPreview:
        """Exactly which files change and which messages leave the branch, before a revert."""
        return await self._comparisons.preview_revert(session_id, checkpoint_id, mode)

    # -- operations (undoable, one at a time) ----------------------------------------------

    async def revert(
        self, session_id: str, checkpoint_id: str, mode: RevertMode
    ) -> OperationResult:
        """Go back to a checkpoint's code, conversation or both; undoable."""
        return await self._operations.revert(session_id, checkpoint_id, mode)

    async def undo(self, session_id: str) -> OperationResult:
        """Undo the last revert or merge: back to exactly the state before it."""
        return await self._operations.undo(session_id)

    async def redo(self, session_id: str) -> OperationResult:
        """Apply the last undone revert or merge again."""
        return await self._operations.redo(session_id)

    async def branch_from(
        self, session_id: str, checkpoint_id: str, name: str, *, conversation: bool = True
    ) -> OperationResult:
        """A new branch at a checkpoint, switched to: its code and conversation are restored
        (without ``conversation``, its code only: the branch starts a conversation of its
        own, as run mode's task branches do)."""
        return await self._operations.branch_from(
            session_id, checkpoint_id, name, conversation=conversation
        )

    async def switch(self, session_id: str, name: str) -> OperationResult:
        """Save the current state, then restore the branch's latest state (like git switch)."""
        return await self._operations.switch(session_id, name)

    # -- merging ---------------------------------------------------------------------------

    async def preview_merge(
        self, session_id: str, source: str, files: Sequence[str] | None = None
    ) -> MergePreview:
        """What ``merge`` would do now, without recording or writing anything: the files
        that would change (from the current files to the merged ones) and the conflicts
        foreseen. Raises what the merge would raise (an unknown branch, a bad ``files``)."""
        return await self._merges.preview(session_id, source, files)

    async def merge(
        self, session_id: str, source: str, files: Sequence[str] | None = None
    ) -> OperationResult:
        """Three-way merge of another branch's code into this one (or only ``files`` of it).

        Conflicts are never resolved silently: conflicted files get git's markers and are
        listed, for the user to resolve. Undoable like a revert. The merge is worked out
        first: one that cannot be done (a bad ``files``) fails before anything is recorded,
        and one that would change nothing records nothing (``changed`` is False).
        """
        return await self._merges.merge(session_id, source, files, None)

    async def merge_as_previewed(self, session_id: str, preview: MergePreview) -> OperationResult:
        """The merge the user confirmed after ``preview``, exactly: when the files or the
        branches changed since (the watcher, a turn), it is not made (a CheckpointError,
        nothing recorded or written) and the user looks again."""
        return await self._merges.merge(session_id, preview.source, preview.picked or None, preview)

    # -- retention -------------------------------------------------------------------------

    async def apply_retention(self, now: float | None = None) -> int:
        """Thin old automatic checkpoints; collect the shadow repository's garbage in the
        background at most once a day. Returns how many checkpoints were dropped."""
        return await self._retention.apply(now)
