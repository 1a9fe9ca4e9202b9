"""Taking checkpoints: a snapshot of the whole project, recorded with its branch, the
conversation there and what it cost; and the automatic ones around agent turns, a failed one
remembered until a checkpoint of its session makes up for it."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass

from penguin_tui.bus import CheckpointCreated, CheckpointFailed, EventBus, SnapshotProgress
from penguin_tui.checkpoints.git import EMPTY_TREE
from penguin_tui.checkpoints.locks import OneAtATime
from penguin_tui.checkpoints.model import Checkpoint, CheckpointKind
from penguin_tui.checkpoints.pending import FailedCheckpoint, PendingFailures, Trigger
from penguin_tui.checkpoints.records import CheckpointRecords, Statements
from penguin_tui.checkpoints.recovery import Recovery
from penguin_tui.checkpoints.shadow import ShadowRepo, Snapshot
from penguin_tui.disk_limits import of_os_error
from penguin_tui.errors import PenguinError
from penguin_tui.printable import printable
from penguin_tui.store import Store
from penguin_tui.tasks.plane import TaskPlane
from penguin_tui.tasks.records import TaskRecords


@dataclass(frozen=True)
class PreparedCheckpoint:
    """A checkpoint's rows, ready to be committed with an operation's."""

    checkpoint_id: str
    statements: Statements


class Checkpointer:
    """Snapshots the project and records checkpoints of it, for the service's operations and
    for the engine's turn hooks."""

    def __init__(
        self,
        store: Store,
        bus: EventBus,
        records: CheckpointRecords,
        shadow: ShadowRepo,
        gate: OneAtATime,
        recovery: Recovery,
        failures: PendingFailures,
    ) -> None:
        self.store = store
        self.bus = bus
        self.records = records
        self.shadow = shadow
        self.gate = gate
        self.recovery = recovery
        # Automatic checkpoints that failed and that no checkpoint of their session has made
        # up for yet.
        self.failures = failures
        # The task run mode is carrying out, recorded in every checkpoint's plane meanwhile.
        self.working_on: str | None = None

    async def position(self, session_id: str) -> Checkpoint | None:
        """The checkpoint the current branch's working state comes from."""
        branch = await self.records.branch(session_id, await self.store.current_branch(session_id))
        if branch.position_id is None:
            return None
        return await self.records.get(branch.position_id, session_id)

    async def snapshot(self, session_id: str) -> Snapshot:
        """The project's files as a tree (a restore left unfinished is settled first)."""
        loop = asyncio.get_running_loop()

        def progress(text: str) -> None:
            loop.call_soon_threadsafe(
                lambda: loop.create_task(
                    self.bus.publish(SnapshotProgress(session_id=session_id, text=text))
                )
            )

        await self.recovery.settle()
        return await asyncio.to_thread(self.shadow.snapshot, progress)

    async def create(self, session_id: str, kind: CheckpointKind, label: str = "") -> Checkpoint:
        """Snapshot the whole project (whoever changed it) and record a checkpoint."""
        self.gate.check_writable()
        async with self.gate.lock:
            return await self.take(session_id, kind, label)

    async def take(
        self,
        session_id: str,
        kind: CheckpointKind,
        label: str,
        snapshot: Snapshot | None = None,
    ) -> Checkpoint:
        """``create`` for a caller that holds the lock (and may have the snapshot already)."""
        prepared = await self.prepare(session_id, kind, label, snapshot)
        await self.store.transaction(prepared.statements)
        return await self.announce(session_id, prepared)

    async def prepare(
        self,
        session_id: str,
        kind: CheckpointKind,
        label: str,
        snapshot: Snapshot | None = None,
    ) -> PreparedCheckpoint:
        """A checkpoint's rows, not yet written (so an operation can commit them with its own)."""
        snap = snapshot or await self.snapshot(session_id)
        branch_name = await self.store.current_branch(session_id)
        branch = await self.records.branch(session_id, branch_name)
        parent = (
            await self.records.get(branch.position_id, session_id) if branch.position_id else None
        )
        files, added, removed = await self._keep_and_count(parent.tree if parent else None, snap)
        path = await self.store.message_path(branch.head_message_id)
        usage = await self.records.usage_of([message.id for message in path])
        session = await self.store.get_session(session_id)
        plane = TaskPlane(await TaskRecords(self.store, session.project_id).load(), self.working_on)
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
            tasks=plane.to_json(),
        )
        return PreparedCheckpoint(checkpoint_id, statements)

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

    async def record_snapshot(self, checkpoint_id: str, parent_tree: str, snap: Snapshot) -> None:
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

    async def announce(self, session_id: str, prepared: PreparedCheckpoint) -> Checkpoint:
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

    # -- around agent turns ----------------------------------------------------------------

    async def capture_outside_edits(self, session_id: str) -> Checkpoint | None:
        """Before an agent turn: checkpoint edits made since the last checkpoint, if any, and
        the checkpoint of this session that failed before (under its own label)."""
        if self.gate.read_only:
            return None
        failed = self.failures.get(session_id)
        label = "changes made outside penguin-tui"
        try:
            async with self.gate.lock:
                snap = await self.snapshot(session_id)
                position = await self.position(session_id)
                if snap.tree == (position.tree if position else EMPTY_TREE):
                    # The last checkpoint already holds these files, a failed one's included.
                    await self._forget_failure(session_id)
                    return None
                if failed is not None:
                    label = failed.label + (" (retried)" if failed.trigger == "turn" else "")
                elif position is None:
                    label = "before the first turn"
                return await self.take(session_id, CheckpointKind.AUTO, label, snap)
        except (PenguinError, OSError) as error:
            if failed is not None:  # still the same checkpoint missing
                await self._report_failure(session_id, failed.trigger, failed.label, error)
            else:
                await self._report_failure(session_id, "before_turn", label, error)
            return None

    async def after_turn(self, session_id: str, prompt: str) -> Checkpoint | None:
        """After an agent turn that ran a tool: the automatic checkpoint. One that fails is
        reported (``checkpoint.failed``) and taken again before the next turn."""
        if self.gate.read_only:
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
        await asyncio.to_thread(self.failures.record, failed)
        await self.bus.publish(
            CheckpointFailed(
                session_id=session_id,
                trigger=trigger,
                label=label,
                reason=reason,
                message=failed.notice,
            )
        )

    async def _forget_failure(self, session_id: str) -> None:
        if self.failures.get(session_id) is not None:
            await asyncio.to_thread(self.failures.clear, session_id)
