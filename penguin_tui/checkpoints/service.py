"""The checkpoint service: snapshots, branches, compare, revert/undo/redo and merge.

The TUI and the CLI call these methods; results come back as values and as durable events.
Every operation that moves the code or the conversation takes a safety checkpoint first, so it
can be undone, and all of them run one at a time.
"""

from __future__ import annotations

import asyncio
import contextlib
import re
import time
import uuid
from collections.abc import Awaitable, Callable, Collection, Sequence
from dataclasses import dataclass
from pathlib import Path

from penguin_tui.bus import (
    CheckpointCreated,
    CheckpointFailed,
    CheckpointRestored,
    EventBus,
    SnapshotProgress,
)
from penguin_tui.checkpoints.git import EMPTY_TREE
from penguin_tui.checkpoints.locks import InstanceLock
from penguin_tui.checkpoints.model import (
    Branch,
    Checkpoint,
    CheckpointKind,
    Operation,
    OperationKind,
    OperationState,
    RevertMode,
)
from penguin_tui.checkpoints.outside_edits import edited_files
from penguin_tui.checkpoints.pending import FailedCheckpoint, PendingFailures, Trigger
from penguin_tui.checkpoints.records import (
    LAST_OPERATION,
    CheckpointRecords,
    Inserted,
    Statements,
)
from penguin_tui.checkpoints.results import (
    Action,
    Comparison,
    MergePreview,
    OperationResult,
    RevertPreview,
    Side,
    StorageInfo,
)
from penguin_tui.checkpoints.retention import thin
from penguin_tui.checkpoints.shadow import (
    FileStat,
    PlannedRestore,
    RestoreResult,
    ShadowRepo,
    Snapshot,
)
from penguin_tui.config.paths import DataPaths
from penguin_tui.config.secrets import SecretFreeEnvironment
from penguin_tui.config.settings import CheckpointSettings
from penguin_tui.disk_limits import of_os_error
from penguin_tui.errors import (
    CheckpointError,
    PenguinError,
    ProjectLockedError,
    UnsafeProjectError,
)
from penguin_tui.printable import printable
from penguin_tui.store import Message, Project, Store
from penguin_tui.unified_diff import FileDiff, parse_unified
from penguin_tui.words import plural

__all__ = [
    # Imported from here by the TUI and the commands; they live in checkpoints.results.
    "CheckpointService",
    "Comparison",
    "MergePreview",
    "OperationResult",
    "RevertPreview",
    "Side",
    "StorageInfo",
    "check_project_root",
]

_BRANCH_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._/-]{0,63}$")
GC_EVERY_S = 24 * 3600


@dataclass(frozen=True)
class _MergePlan:
    """A merge worked out on the current files, before anything is recorded or written."""

    branch: str
    source: str
    snapshot: Snapshot
    position: Checkpoint | None
    theirs: Checkpoint
    tree: str
    conflicts: tuple[str, ...]


@dataclass(frozen=True)
class _Prepared:
    """A checkpoint's rows, ready to be committed with an operation's."""

    checkpoint_id: str
    statements: Statements


def check_project_root(root: Path, settings: CheckpointSettings) -> None:
    """Refuse a home directory or ``/`` unless the settings allow it explicitly."""
    resolved = root.resolve()
    if settings.allow_home_or_root:
        return
    if resolved == Path("/") or resolved == Path.home().resolve():
        raise UnsafeProjectError(
            f"checkpoints are off: {resolved} is a home directory or /; open a project folder, "
            "or set [checkpoints] allow_home_or_root = true to snapshot it anyway"
        )


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
        root = Path(project.root)
        self.shadow = ShadowRepo(
            paths.shadow_repos / f"{project.id}.git",
            root,
            max_file_bytes=int(settings.max_file_mb * 1024 * 1024),
            exclude=[paths.root],
            environment=environment,
        )
        self.instance = InstanceLock(paths.shadow_repos / f"{project.id}.instance.lock")
        # Automatic checkpoints that failed and that no checkpoint of their session has made
        # up for yet.
        self._failures = PendingFailures(
            paths.shadow_repos / f"{project.id}.checkpoint-failed.json"
        )
        self.read_only = False
        self.recovered: RestoreResult | None = None
        self.dropped_restore = False  # a crash came before a restore's first file
        self._lock = asyncio.Lock()
        self._gc_task: asyncio.Task[None] | None = None
        self._operations: set[asyncio.Future[OperationResult]] = set()

    # -- life cycle ------------------------------------------------------------------------

    async def open(self, *, allow_read_only: bool = False) -> None:
        """Take the project's instance lock and finish any restore a crash interrupted.

        With ``allow_read_only`` a project locked by another instance opens for browsing only;
        without it the lock error is raised.
        """
        check_project_root(Path(self.project.root), self.settings)
        self._failures.load()
        try:
            self.instance.acquire()
        except ProjectLockedError:
            if not allow_read_only:
                raise
            self.read_only = True
        if not self.read_only:
            await self._recover()
        elif not (self.shadow.git_dir / "HEAD").exists():
            raise CheckpointError("this project has no checkpoints yet")
        self.shadow.read_only = self.read_only

    async def _recover(self) -> None:
        """At start: settle a restore a crash interrupted, then open the shadow repository."""
        await self._settle_pending()
        opened = await asyncio.to_thread(self.shadow.open)  # creates the repository if needed
        self.recovered = self.recovered or opened
        await self.records.forget_restore_commits(self.project.id)

    async def _settle_pending(self) -> None:
        """Finish a journaled restore whose records landed, or drop one whose records never
        did (the crash came before any file was touched). Runs at start and before every
        snapshot, so a restore that stopped mid-way (a full disk) is finished by the next
        checkpoint operation, with what an undo of it needs."""
        if self.read_only or not self.shadow.journal.pending:
            return
        pending = await asyncio.to_thread(self.shadow.journal.read)
        if pending is None:
            return
        commit = await self.records.restore_commit(pending.token) if pending.token else None
        if pending.token and commit is None:
            await asyncio.to_thread(self.shadow.journal.clear)
            self.dropped_restore = True
            return
        if pending.token:
            self.shadow.committed_tokens.add(pending.token)
        finished = await asyncio.to_thread(self.shadow.open)
        self.recovered = finished
        if finished is not None and finished.surfaced and commit and commit.operation_id:
            surfaced = list(finished.surfaced)
            await self.records.add_to_detail(commit.operation_id, {"surfaced": surfaced})

    def recovery_notice(self) -> str | None:
        """One line about what the start did with an operation a crash cut short, if any."""
        if self.recovered is not None:
            return (
                f"a restore cut short by a crash was finished ({len(self.recovered.written)}"
                f" written, {len(self.recovered.deleted)} deleted)"
            )
        if self.dropped_restore:
            return (
                "an operation cut short by a crash before it changed any file was dropped;"
                " the files and branches are as they were"
            )
        return None

    async def close(self) -> None:
        if self._operations:
            await asyncio.gather(*self._operations, return_exceptions=True)
        if self._gc_task is not None:
            await asyncio.gather(self._gc_task, return_exceptions=True)
        self.close_repository()

    def close_repository(self) -> None:
        """Let go of the instance lock and the shadow repository's operation lock (what
        ``close`` ends with; alone, for a service whose ``open`` failed)."""
        self.instance.release()
        self.shadow.close()

    async def _to_the_end(
        self, operation: Callable[[], Awaitable[OperationResult]]
    ) -> OperationResult:
        """Run a changing operation, holding the service's lock, to its end even when its
        caller stops waiting (a new action in the TUI, ctrl+c): cancelled half-way, its files
        and records could part."""

        async def locked() -> OperationResult:
            async with self._lock:
                return await operation()

        task = asyncio.ensure_future(locked())
        self._operations.add(task)
        task.add_done_callback(self._operations.discard)
        return await asyncio.shield(task)

    def _writable(self) -> None:
        if self.read_only:
            raise ProjectLockedError(
                "another penguin-tui is running on this project: this one is read-only"
            )

    # -- reading ---------------------------------------------------------------------------

    async def checkpoints(self, session_id: str) -> list[Checkpoint]:
        return await self.records.for_session(session_id)

    async def get(self, session_id: str, checkpoint_id: str) -> Checkpoint:
        return await self.records.get(checkpoint_id, session_id)

    async def branches(self, session_id: str) -> list[Branch]:
        return await self.records.branches(session_id)

    async def position(self, session_id: str) -> Checkpoint | None:
        """The checkpoint the current branch's working state comes from."""
        branch = await self.records.branch(session_id, await self.store.current_branch(session_id))
        if branch.position_id is None:
            return None
        return await self.records.get(branch.position_id, session_id)

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
        self._writable()
        async with self._lock:
            return await self._create(session_id, kind, label)

    async def _snapshot(self, session_id: str) -> Snapshot:
        loop = asyncio.get_running_loop()

        def progress(text: str) -> None:
            loop.call_soon_threadsafe(
                lambda: loop.create_task(
                    self.bus.publish(SnapshotProgress(session_id=session_id, text=text))
                )
            )

        await self._settle_pending()
        return await asyncio.to_thread(self.shadow.snapshot, progress)

    async def _create(
        self,
        session_id: str,
        kind: CheckpointKind,
        label: str,
        snapshot: Snapshot | None = None,
    ) -> Checkpoint:
        prepared = await self._prepare(session_id, kind, label, snapshot)
        await self.store.transaction(prepared.statements)
        return await self._created(session_id, prepared)

    async def _prepare(
        self,
        session_id: str,
        kind: CheckpointKind,
        label: str,
        snapshot: Snapshot | None = None,
    ) -> _Prepared:
        """A checkpoint's rows, not yet written (so an operation can commit them with its own)."""
        snap = snapshot or await self._snapshot(session_id)
        branch_name = await self.store.current_branch(session_id)
        branch = await self.records.branch(session_id, branch_name)
        parent = (
            await self.records.get(branch.position_id, session_id) if branch.position_id else None
        )
        files, added, removed = await self._keep_and_count(parent.tree if parent else None, snap)
        path = await self.store.message_path(branch.head_message_id)
        usage = await self.records.usage_of([message.id for message in path])
        checkpoint_id, statements = self.records.add_statements(
            session_id=session_id,
            branch=branch_name,
            parent_id=parent.id if parent else None,
            message_id=branch.head_message_id,
            kind=kind,
            label=label.strip().splitlines()[0][:120] if label.strip() else "",
            tree=snap.tree,
            usage=usage,
            files_changed=files,
            lines_added=added,
            lines_removed=removed,
            skipped=[(printable(s.path), s.reason) for s in snap.skipped],
            snapshot_ms=snap.elapsed_ms,
        )
        return _Prepared(checkpoint_id, statements)

    async def _keep_and_count(
        self, parent_tree: str | None, snap: Snapshot
    ) -> tuple[int, int, int]:
        """Keep the snapshot's tree (for gc) and count files changed and lines added and
        removed since the parent's tree."""
        await asyncio.to_thread(self.shadow.keep, f"trees/{snap.tree}", snap.tree)
        if parent_tree is None:
            # A first checkpoint holds the whole project: its size is its file count. Counting
            # its lines would read every file back (0.9 s on a 470 MB tree) for a figure
            # nobody reads; the diff viewer still counts them when this checkpoint is opened.
            return await asyncio.to_thread(self.shadow.file_count, snap.tree), 0, 0
        stats = await asyncio.to_thread(self.shadow.numstat, parent_tree, snap.tree)
        added = sum(s.added or 0 for s in stats)
        return len(stats), added, sum(s.removed or 0 for s in stats)

    async def _record_snapshot(self, checkpoint_id: str, parent_tree: str, snap: Snapshot) -> None:
        """Point a recorded checkpoint at a newer snapshot of the same moment."""
        files, added, removed = await self._keep_and_count(parent_tree, snap)
        await self.records.set_snapshot(
            checkpoint_id,
            tree=snap.tree,
            files_changed=files,
            lines_added=added,
            lines_removed=removed,
            skipped=[(printable(s.path), s.reason) for s in snap.skipped],
            snapshot_ms=snap.elapsed_ms,
        )

    async def _created(self, session_id: str, prepared: _Prepared) -> Checkpoint:
        """Announce a checkpoint whose rows are written. It holds the whole tree, so an
        automatic checkpoint of this session that failed before is made up for."""
        await self._forget_failure(session_id)
        checkpoint = await self.records.get(prepared.checkpoint_id, session_id)
        await self.bus.publish(
            CheckpointCreated(
                session_id=session_id,
                checkpoint_id=checkpoint.id,
                branch=checkpoint.branch,
                kind=checkpoint.kind.value,
                label=checkpoint.label,
                files_changed=checkpoint.files_changed,
                lines_added=checkpoint.lines_added,
                lines_removed=checkpoint.lines_removed,
                skipped=len(checkpoint.skipped),
                snapshot_ms=round(checkpoint.snapshot_ms, 1),
            )
        )
        return checkpoint

    async def capture_outside_edits(self, session_id: str) -> Checkpoint | None:
        """Before an agent turn: checkpoint edits made since the last checkpoint, if any, and
        the checkpoint of this session that failed before (under its own label)."""
        if self.read_only:
            return None
        failed = self._failures.get(session_id)
        label = "changes made outside penguin-tui"
        try:
            async with self._lock:
                snap = await self._snapshot(session_id)
                position = await self.position(session_id)
                if snap.tree == (position.tree if position else EMPTY_TREE):
                    # The last checkpoint already holds these files, a failed one's included.
                    await self._forget_failure(session_id)
                    return None
                if failed is not None:
                    label = failed.label + (" (retried)" if failed.trigger == "turn" else "")
                elif position is None:
                    label = "before the first turn"
                return await self._create(session_id, CheckpointKind.AUTO, label, snap)
        except (PenguinError, OSError) as error:
            if failed is not None:  # still the same checkpoint missing
                await self._report_failure(session_id, failed.trigger, failed.label, error)
            else:
                await self._report_failure(session_id, "before_turn", label, error)
            return None

    async def after_turn(self, session_id: str, prompt: str) -> Checkpoint | None:
        """After an agent turn that ran a tool: the automatic checkpoint. One that fails is
        reported (``checkpoint.failed``) and taken again before the next turn."""
        if self.read_only:
            return None
        first_line = prompt.strip().splitlines()[0] if prompt.strip() else "agent turn"
        label = first_line[:80]
        try:
            return await self.create(session_id, CheckpointKind.AUTO, label)
        except (PenguinError, OSError) as error:
            await self._report_failure(session_id, "turn", label, error)
            return None

    async def _report_failure(
        self, session_id: str, trigger: Trigger, label: str, error: PenguinError | OSError
    ) -> None:
        """Remember an automatic checkpoint that failed (on disk too, for the next run) and
        say so on the bus."""
        limit = of_os_error(error) if isinstance(error, OSError) else None
        if isinstance(error, PenguinError):
            reason = error.message
        elif limit is not None:
            reason = f"{limit.value}; {limit.advice}"
        else:
            reason = str(error.strerror or error)
        failed = FailedCheckpoint(session_id, trigger, label, reason)
        await asyncio.to_thread(self._failures.record, failed)
        await self.bus.publish(
            CheckpointFailed(
                session_id=session_id,
                trigger=trigger,
                label=label,
                reason=reason,
                message=failed.notice,
            )
        )

    def failure(self, session_id: str) -> FailedCheckpoint | None:
        """The session's automatic checkpoint that failed and is still to be taken, if any."""
        return self._failures.get(session_id)

    async def _forget_failure(self, session_id: str) -> None:
        if self._failures.get(session_id) is not None:
            await asyncio.to_thread(self._failures.clear, session_id)

    # -- comparing -------------------------------------------------------------------------

    async def working_tree(self, session_id: str) -> str:
        return (await self._snapshot(session_id)).tree

    async def changes_since_position(self, session_id: str) -> tuple[FileDiff, ...]:
        """Edits since the last checkpoint (the agent's, a shell's or the user's editor's)."""
        position = await self.position(session_id)
        async with self._lock:
            tree = await self.working_tree(session_id)
        old = position.tree if position else EMPTY_TREE
        patch = await asyncio.to_thread(self.shadow.patch, old, tree)
        return tuple(parse_unified(patch))

    async def compare(self, session_id: str, old_id: str, new_id: str | None = None) -> Comparison:
        """Files and hunks from ``old`` to ``new`` (default: the working tree), and each side's
        conversation since their common ancestor with its tokens and dollars."""
        old = await self.records.get(old_id, session_id)
        new = await self.records.get(new_id, session_id) if new_id else None
        if new is None:
            async with self._lock:
                new_tree = await self.working_tree(session_id)
            new_head = await self.store.branch_head(session_id)
        else:
            new_tree, new_head = new.tree, new.message_id
        patch = await asyncio.to_thread(self.shadow.patch, old.tree, new_tree)
        left_path = await self.store.message_path(old.message_id)
        right_path = await self.store.message_path(new_head)
        shared = 0
        for left, right in zip(left_path, right_path, strict=False):
            if left.id != right.id:
                break
            shared += 1
        left_messages = tuple(left_path[shared:])
        right_messages = tuple(right_path[shared:])
        return Comparison(
            old=old,
            new=new,
            files=tuple(parse_unified(patch)),
            left=Side(
                _describe(old),
                left_messages,
                await self.records.usage_of([m.id for m in left_messages]),
            ),
            right=Side(
                _describe(new) if new else "working tree",
                right_messages,
                await self.records.usage_of([m.id for m in right_messages]),
            ),
        )

    # -- reverting -------------------------------------------------------------------------

    async def preview_revert(
        self, session_id: str, checkpoint_id: str, mode: RevertMode
    ) -> RevertPreview:
        """Exactly which files change and which messages leave the branch, before a revert."""
        target = await self.records.get(checkpoint_id, session_id)
        if not mode.code:
            return RevertPreview(target, mode, (), tuple(await self._leaving(session_id, target)))
        async with self._lock:
            tree = await self.working_tree(session_id)
        position = await self.position(session_id)
        before = position.tree if position else EMPTY_TREE  # the last checkpoint's files
        files, changes, since = await asyncio.gather(
            asyncio.to_thread(self.shadow.numstat, tree, target.tree),
            asyncio.to_thread(self.shadow.changed_paths, tree, target.tree),
            asyncio.to_thread(self.shadow.changed_paths, before, tree),
        )
        leaving = await self._leaving(session_id, target) if mode.conversation else []
        touched = {path for path, _entry in changes}
        # Files the revert changes or deletes whose version now no checkpoint holds yet.
        unsaved = {path for path, entry in since if entry is not None and path in touched}
        created = unsaved - await asyncio.to_thread(self.shadow.paths_in, before, sorted(unsaved))
        return RevertPreview(
            target,
            mode,
            tuple(files),
            tuple(leaving),
            deleted=frozenset(path for path, entry in changes if entry is None),
            only_in_safety=frozenset(unsaved),
            created_since=frozenset(created),
        )

    async def _leaving(self, session_id: str, target: Checkpoint) -> list[Message]:
        """The messages a revert of the conversation to ``target`` takes out of the branch."""
        current = await self.store.branch_path(session_id)
        keep = {m.id for m in await self.store.message_path(target.message_id)}
        return [m for m in current if m.id not in keep]

    async def revert(
        self, session_id: str, checkpoint_id: str, mode: RevertMode
    ) -> OperationResult:
        """Go back to a checkpoint's code, conversation or both; undoable."""
        self._writable()

        async def run() -> OperationResult:
            target = await self.records.get(checkpoint_id, session_id)
            branch = await self.store.current_branch(session_id)
            before_head = await self.store.branch_head(session_id)
            safety, planned = await self._safety_then_plan(
                session_id,
                f"before revert to {target.id[:8]}",
                target.tree if mode.code else None,
            )
            after_head = target.message_id if mode.conversation else before_head
            rows = self.records.move_branch(
                session_id, branch, mode, head=after_head, position_id=target.id
            )
            rows += self.records.add_operation(
                session_id=session_id,
                kind=OperationKind.REVERT,
                mode=mode,
                branch=branch,
                target_id=target.id,
                before_id=safety.id,
                before_head=before_head,
                after_head=after_head,
                after_tree=target.tree if mode.code else safety.tree,
                detail=_undo_detail(planned),
            )
            restored = await self._commit_and_restore(session_id, rows, planned, LAST_OPERATION)
            return await self._announce(
                "revert", session_id, target, branch, mode, restored, safety
            )

        return await self._to_the_end(run)

    async def undo(self, session_id: str) -> OperationResult:
        """Undo the last revert or merge: back to exactly the state before it."""
        self._writable()

        async def run() -> OperationResult:
            operation = await self.records.last_operation(session_id, OperationState.DONE)
            if operation is None:
                raise CheckpointError("nothing to undo: no revert or merge in this session")
            await self._on_branch(session_id, operation.branch, "undo")
            before = await self.records.get(operation.before_id, session_id)
            # Files that were there, ignored, before the operation and that it made visible
            # are not the operation's to take away; files it created that are ignored now
            # are, if they are still as it wrote them.
            created: dict[str, str] = {}
            if operation.mode.code and (names := _paths(operation, "created")):
                after = await asyncio.to_thread(self.shadow.tree_entries, operation.after_tree)
                created = {path: after[path].sha for path in names if path in after}
            safety, planned = await self._safety_unless_at_position(
                session_id,
                f"before undoing the {operation.kind}",
                await self._snapshot(session_id),
                before.tree if operation.mode.code else None,
                _paths(operation, "surfaced"),
                created,
            )
            rows = self.records.move_branch(
                session_id,
                operation.branch,
                operation.mode,
                head=operation.before_head,
                position_id=before.id,
            )
            rows += self.records.set_operation_state(operation.id, OperationState.UNDONE)
            restored = await self._commit_and_restore(session_id, rows, planned, None)
            return await self._announce(
                "undo", session_id, before, operation.branch, operation.mode, restored, safety
            )

        return await self._to_the_end(run)

    async def redo(self, session_id: str) -> OperationResult:
        """Apply the last undone revert or merge again."""
        self._writable()

        async def run() -> OperationResult:
            operation = await self.records.last_operation(session_id, OperationState.UNDONE)
            if operation is None:
                raise CheckpointError("nothing to redo")
            await self._on_branch(session_id, operation.branch, "redo")
            target = await self.records.get(operation.target_id, session_id)
            safety, planned = await self._safety_unless_at_position(
                session_id,
                f"before redoing the {operation.kind}",
                await self._snapshot(session_id),
                operation.after_tree if operation.mode.code else None,
            )
            rows = self.records.move_branch(
                session_id,
                operation.branch,
                operation.mode,
                head=operation.after_head,
                position_id=target.id,
            )
            detail = {**operation.detail, **_undo_detail(planned)}
            rows += self.records.set_operation_state(operation.id, OperationState.DONE, detail)
            restored = await self._commit_and_restore(session_id, rows, planned, operation.id)
            return await self._announce(
                "redo", session_id, target, operation.branch, operation.mode, restored, safety
            )

        return await self._to_the_end(run)

    async def _on_branch(self, session_id: str, branch: str, action: str) -> None:
        current = await self.store.current_branch(session_id)
        if current != branch:
            raise CheckpointError(
                f"the last change to {action} was on branch {branch!r}; switch to it first"
            )

    async def _safety_then_plan(
        self,
        session_id: str,
        label: str,
        target_tree: str | None,
        preserve: Sequence[str] = (),
        discard: dict[str, str] | None = None,
        snapshot: Snapshot | None = None,
    ) -> tuple[Checkpoint, PlannedRestore | None]:
        """The safety checkpoint and the restore from it to ``target_tree`` (None: no
        restore): one snapshot, then its line counts and the plan's diff side by side."""
        snap = snapshot or await self._snapshot(session_id)
        if target_tree is None:
            return await self._create(session_id, CheckpointKind.SAFETY, label, snap), None
        prepared, planned = await asyncio.gather(
            self._prepare(session_id, CheckpointKind.SAFETY, label, snap),
            self._plan(snap.tree, target_tree, preserve, discard),
        )
        await self.store.transaction(prepared.statements)
        return await self._created(session_id, prepared), planned

    async def _plan(
        self,
        current: str,
        target: str,
        preserve: Sequence[str] = (),
        discard: dict[str, str] | None = None,
    ) -> PlannedRestore:
        token = uuid.uuid4().hex
        return await asyncio.to_thread(
            self.shadow.plan_restore, current, target, preserve, discard, token
        )

    async def _commit_and_restore(
        self,
        session_id: str,
        rows: Statements,
        planned: PlannedRestore | None,
        operation_id: int | Inserted | None,
    ) -> RestoreResult | None:
        """Record an operation and restore its files as one step a crash cannot split.

        The plan is journaled, then the operation's rows and the plan's token are committed in
        one transaction, then the files are written. At the next start a journal whose token
        is committed is finished; one whose token is not is dropped (no file was touched yet).
        ``operation_id`` names the operation whose undo detail gains the files the restore
        made visible (``LAST_OPERATION``: the one ``rows`` inserts).
        """
        if planned is None:
            await self.store.transaction(rows)
            return None
        token = planned.plan.token
        await asyncio.to_thread(self.shadow.journal_plan, planned)
        try:
            await self.store.transaction(
                rows + self.records.commit_restore(token, session_id, operation_id),
                durable=True,
            )
        except Exception:
            # Whether the records landed decides, not the error: a failed COMMIT leaves none,
            # so the journal goes; if they did land, the next operation or start finishes it.
            with contextlib.suppress(Exception):
                if await self.records.restore_commit(token) is None:
                    await asyncio.to_thread(self.shadow.journal.clear)
            raise
        self.shadow.committed_tokens.add(token)
        restored = await asyncio.to_thread(self.shadow.carry_out, planned)
        if restored.surfaced and operation_id is not None:
            commit = await self.records.restore_commit(token)
            if commit is not None and commit.operation_id is not None:
                await self.records.add_to_detail(
                    commit.operation_id, {"surfaced": list(restored.surfaced)}
                )
        await asyncio.to_thread(self.shadow.journal.clear)
        return restored

    async def _announce(
        self,
        action: Action,
        session_id: str,
        checkpoint: Checkpoint,
        branch: str,
        mode: RevertMode,
        restored: RestoreResult | None,
        safety: Checkpoint | None,
        conflicts: Sequence[str] = (),
    ) -> OperationResult:
        await self.bus.publish(
            CheckpointRestored(
                session_id=session_id,
                action=action,
                checkpoint_id=checkpoint.id,
                branch=branch,
                mode=mode.value,
                files_written=len(restored.written) if restored else 0,
                files_deleted=len(restored.deleted) if restored else 0,
                kept=list(restored.kept) if restored else [],
                conflicts=list(conflicts),
            )
        )
        return OperationResult(action, checkpoint, branch, restored, safety, tuple(conflicts))

    # -- branches --------------------------------------------------------------------------

    async def branch_from(self, session_id: str, checkpoint_id: str, name: str) -> OperationResult:
        """A new branch at a checkpoint, switched to: its code and conversation are restored."""
        self._writable()
        if not _BRANCH_NAME.match(name) or ".." in name:
            raise CheckpointError(
                f"bad branch name {name!r}: use letters, digits, '.', '_', '-' and '/'"
            )

        async def run() -> OperationResult:
            target = await self.records.get(checkpoint_id, session_id)
            if name in await self.store.branch_names(session_id):
                raise CheckpointError(f"a branch named {name!r} already exists")
            safety, planned = await self._safety_then_plan(
                session_id, f"before branching {name}", target.tree
            )
            rows = self.records.create_branch(session_id, name, target.message_id, target.id)
            rows += self.records.make_current(session_id, name)
            restored = await self._commit_and_restore(session_id, rows, planned, None)
            return await self._announce(
                "branch", session_id, target, name, RevertMode.BOTH, restored, safety
            )

        return await self._to_the_end(run)

    async def switch(self, session_id: str, name: str) -> OperationResult:
        """Save the current state, then restore the branch's latest state (like git switch)."""
        self._writable()

        async def run() -> OperationResult:
            target_branch = await self.records.branch(session_id, name)
            current = await self.store.current_branch(session_id)
            if current == name:
                raise CheckpointError(f"already on branch {name!r}")
            target = (
                await self.records.get(target_branch.position_id, session_id)
                if target_branch.position_id
                else await self.records.latest(session_id, name)
            )
            safety, planned = await self._safety_then_plan(
                session_id, f"before switching to {name}", target.tree if target else None
            )
            rows = self.records.make_current(session_id, name)
            restored = await self._commit_and_restore(session_id, rows, planned, None)
            return await self._announce(
                "switch", session_id, target or safety, name, RevertMode.BOTH, restored, safety
            )

        return await self._to_the_end(run)

    async def preview_merge(
        self, session_id: str, source: str, files: Sequence[str] | None = None
    ) -> MergePreview:
        """What ``merge`` would do now, without recording or writing anything: the files
        that would change (from the current files to the merged ones) and the conflicts
        foreseen. Raises what the merge would raise (an unknown branch, a bad ``files``)."""
        async with self._lock:
            plan = await self._plan_merge(session_id, source, files)
        stats = await asyncio.to_thread(self.shadow.numstat, plan.snapshot.tree, plan.tree)
        return MergePreview(
            source,
            plan.branch,
            plan.theirs,
            tuple(stats),
            plan.conflicts,
            plan.snapshot.tree,
            plan.tree,
            tuple(files or ()),
        )

    async def _plan_merge(
        self, session_id: str, source: str, files: Sequence[str] | None
    ) -> _MergePlan:
        """The merged tree of the current files and ``source``'s position (only ``files`` of
        it when given), against their common ancestor. Writes nothing but git objects."""
        current = await self.store.current_branch(session_id)
        if source == current:
            raise CheckpointError("cannot merge a branch into itself")
        theirs_branch = await self.records.branch(session_id, source)
        if theirs_branch.position_id is None:
            raise CheckpointError(f"branch {source!r} has no checkpoint to merge")
        theirs = await self.records.get(theirs_branch.position_id, session_id)
        snap = await self._snapshot(session_id)
        position = await self.position(session_id)
        base = await self._common_ancestor(session_id, position, theirs) if position else None
        outcome = await asyncio.to_thread(
            self.shadow.merge,
            base.tree if base else EMPTY_TREE,
            snap.tree,
            theirs.tree,
            (current, source),
        )
        merged_tree = outcome.tree
        conflicts = outcome.conflicts
        if files:
            known = await asyncio.to_thread(self.shadow.changed_paths, snap.tree, theirs.tree)
            changed = {path for path, _entry in known}
            unknown = [path for path in files if path not in changed]
            if unknown:
                raise CheckpointError(
                    f"{unknown[0]} does not differ on branch {source!r}; nothing to take"
                )
            merged_tree = await asyncio.to_thread(
                self.shadow.graft, snap.tree, outcome.tree, list(files)
            )
            conflicts = tuple(path for path in conflicts if path in files)
        return _MergePlan(current, source, snap, position, theirs, merged_tree, conflicts)

    async def merge(
        self, session_id: str, source: str, files: Sequence[str] | None = None
    ) -> OperationResult:
        """Three-way merge of another branch's code into this one (or only ``files`` of it).

        Conflicts are never resolved silently: conflicted files get git's markers and are
        listed, for the user to resolve. Undoable like a revert. The merge is worked out
        first: one that cannot be done (a bad ``files``) fails before anything is recorded,
        and one that would change nothing records nothing (``changed`` is False).
        """
        return await self._merge(session_id, source, files, None)

    async def merge_as_previewed(self, session_id: str, preview: MergePreview) -> OperationResult:
        """The merge the user confirmed after ``preview``, exactly: when the files or the
        branches changed since (the watcher, a turn), it is not made (a CheckpointError,
        nothing recorded or written) and the user looks again."""
        return await self._merge(session_id, preview.source, preview.picked or None, preview)

    async def _merge(
        self,
        session_id: str,
        source: str,
        files: Sequence[str] | None,
        previewed: MergePreview | None,
    ) -> OperationResult:
        self._writable()

        async def run() -> OperationResult:
            plan = await self._plan_merge(session_id, source, files)
            if previewed is not None and (plan.snapshot.tree, plan.tree) != (
                previewed.current_tree,
                previewed.merged_tree,
            ):
                raise CheckpointError("the branches changed since the preview; look again")
            before_head = await self.store.branch_head(session_id)
            if plan.tree == plan.snapshot.tree and not plan.conflicts:
                here = plan.position or plan.theirs
                return OperationResult("merge", here, plan.branch, None, None, changed=False)
            what = "picking files from" if files else "merging"
            safety, _planned = await self._safety_unless_at_position(
                session_id, f"before {what} {source}", plan.snapshot
            )
            before = safety or plan.position
            if before is None:  # without a position a safety checkpoint is always taken
                raise CheckpointError(f"no checkpoint to merge {source} into; nothing changed")
            # A redo restores this tree again: keep it reachable like a checkpoint's.
            await asyncio.to_thread(self.shadow.keep, f"trees/{plan.tree}", plan.tree)
            planned = await self._plan(before.tree, plan.tree)
            conflicts = list(plan.conflicts)
            label = f"files from {source}" if files else f"merged {source}"
            if conflicts:
                label += f" ({plural(len(conflicts), 'conflict')} to resolve)"
            # The merged checkpoint is recorded with the operation, as the merge's tree;
            # the snapshot after the restore corrects it where the disk differs.
            merged_snapshot = Snapshot(
                tree=plan.tree,
                skipped=plan.snapshot.skipped,
                elapsed_ms=0.0,
            )
            prepared = await self._prepare(
                session_id, CheckpointKind.MANUAL, label, merged_snapshot
            )
            rows = prepared.statements + self.records.add_operation(
                session_id=session_id,
                kind=OperationKind.MERGE,
                mode=RevertMode.CODE,
                branch=plan.branch,
                target_id=prepared.checkpoint_id,
                before_id=before.id,
                before_head=before_head,
                after_head=before_head,
                # What the merge restored, not a snapshot after it: a file its .gitignore
                # now hides is still in the merged tree, and a redo must not delete it.
                after_tree=plan.tree,
                detail={
                    "source": source,
                    "conflicts": conflicts,
                    "files": list(files or []),
                    **_undo_detail(planned),
                },
            )
            restored = await self._commit_and_restore(session_id, rows, planned, LAST_OPERATION)
            # What a snapshot sees now can differ from the recorded tree (a merged file
            # this side's .gitignore ignores, one over the size cap): the checkpoint
            # holds what is on disk, the operation's after_tree what the merge wrote.
            after = await self._snapshot(session_id)
            if after.tree != plan.tree:
                await self._record_snapshot(prepared.checkpoint_id, before.tree, after)
            merged = await self._created(session_id, prepared)
            return await self._announce(
                "merge",
                session_id,
                merged,
                plan.branch,
                RevertMode.CODE,
                restored,
                safety,
                conflicts,
            )

        return await self._to_the_end(run)

    async def _safety_unless_at_position(
        self,
        session_id: str,
        label: str,
        snap: Snapshot,
        target_tree: str | None = None,
        preserve: Sequence[str] = (),
        discard: dict[str, str] | None = None,
    ) -> tuple[Checkpoint | None, PlannedRestore | None]:
        """For undo, redo and merge: the safety checkpoint of ``snap`` and the restore plan,
        as ``_safety_then_plan`` makes them, but no safety checkpoint (None) when the files
        and the conversation are exactly the current position's: that checkpoint already
        holds them, and a second one would only be an empty row."""
        position = await self.position(session_id)
        head = await self.store.branch_head(session_id)
        if position is None or position.tree != snap.tree or position.message_id != head:
            return await self._safety_then_plan(
                session_id, label, target_tree, preserve, discard, snapshot=snap
            )
        if target_tree is None:
            return None, None
        return None, await self._plan(snap.tree, target_tree, preserve, discard)

    async def _common_ancestor(
        self, session_id: str, one: Checkpoint, other: Checkpoint
    ) -> Checkpoint | None:
        by_id = {c.id: c for c in await self.records.for_session(session_id)}
        seen: set[str] = set()
        walk: Checkpoint | None = one
        while walk is not None:
            seen.add(walk.id)
            walk = by_id.get(walk.parent_id) if walk.parent_id else None
        walk = other
        while walk is not None:
            if walk.id in seen:
                return walk
            walk = by_id.get(walk.parent_id) if walk.parent_id else None
        return None

    # -- retention -------------------------------------------------------------------------

    async def apply_retention(self, now: float | None = None) -> int:
        """Thin old automatic checkpoints; collect the shadow repository's garbage in the
        background at most once a day. Returns how many checkpoints were dropped."""
        if self.read_only:
            return 0
        async with self._lock:
            dropped = await thin(self.records, self.settings, self.project.id, now or time.time())
            if dropped:
                used = await self.records.all_trees()
                kept = await asyncio.to_thread(self.shadow.kept_trees)
                await asyncio.to_thread(
                    self.shadow.forget, [f"trees/{tree}" for tree in kept - used]
                )
        marker = self.shadow.git_dir / "penguin-last-gc"
        try:
            last = marker.stat().st_mtime
        except FileNotFoundError:
            last = 0.0
        if dropped or time.time() - last > GC_EVERY_S:
            marker.touch()
            self._gc_task = asyncio.create_task(asyncio.to_thread(self.shadow.gc))
        return dropped


def _undo_detail(planned: PlannedRestore | None) -> dict[str, object]:
    """What an undo of this restore needs beyond the trees (see RestoreResult); the files it
    makes visible are added once it has run."""
    if planned is None:
        return {"surfaced": [], "created": []}
    created = [path for path, _entry in planned.plan.writes if path in planned.created]
    return {"surfaced": [], "created": created}


def _paths(operation: Operation, key: str) -> list[str]:
    paths = operation.detail.get(key, [])
    return [str(path) for path in paths] if isinstance(paths, list) else []


def _describe(checkpoint: Checkpoint) -> str:
    label = f" {checkpoint.label}" if checkpoint.label else ""
    return f"{checkpoint.id[:8]} ({checkpoint.branch}){label}"
