"""What every operation that moves the code or the conversation shares: it is ``undoable``
(refused read-only, run one at a time to its end), it takes a safety checkpoint first, and
its records and its files move as one step a crash cannot split."""

from __future__ import annotations

import asyncio
import contextlib
import functools
import uuid
from collections.abc import Awaitable, Callable, Coroutine, Sequence
from typing import Any, Concatenate, ParamSpec, Protocol, TypeVar

from penguin_tui.bus import CheckpointRestored
from penguin_tui.checkpoints.checkpointer import Checkpointer
from penguin_tui.checkpoints.locks import OneAtATime
from penguin_tui.checkpoints.model import Checkpoint, CheckpointKind, RevertMode
from penguin_tui.checkpoints.records import Inserted, Statements
from penguin_tui.checkpoints.results import Action, OperationResult
from penguin_tui.checkpoints.shadow import PlannedRestore, RestoreResult, Snapshot


class _Gated(Protocol):
    @property
    def gate(self) -> OneAtATime: ...


S = TypeVar("S", bound=_Gated)
P = ParamSpec("P")


def undoable(
    body: Callable[Concatenate[S, P], Awaitable[OperationResult]],
) -> Callable[Concatenate[S, P], Coroutine[Any, Any, OperationResult]]:
    """An operation that moves the code or the conversation (revert, undo, redo, branch,
    switch, merge): refused on a read-only instance, then run under the service's lock to its
    end, even when its caller stops waiting."""

    @functools.wraps(body)
    async def run(self: S, /, *args: P.args, **kwargs: P.kwargs) -> OperationResult:
        self.gate.check_writable()
        return await self.gate.to_the_end(lambda: body(self, *args, **kwargs))

    return run


class Restorer:
    """Safety checkpoints, restore plans, and the step that records an operation and writes
    its files together."""

    def __init__(self, checkpointer: Checkpointer) -> None:
        self.checkpointer = checkpointer
        self.store = checkpointer.store
        self.bus = checkpointer.bus
        self.records = checkpointer.records
        self.shadow = checkpointer.shadow

    async def safety_then_plan(
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
        snap = snapshot or await self.checkpointer.snapshot(session_id)
        if target_tree is None:
            return await self.checkpointer.take(
                session_id, CheckpointKind.SAFETY, label, snap
            ), None
        prepared, planned = await asyncio.gather(
            self.checkpointer.prepare(session_id, CheckpointKind.SAFETY, label, snap),
            self.plan(snap.tree, target_tree, preserve, discard),
        )
        await self.store.transaction(prepared.statements)
        return await self.checkpointer.announce(session_id, prepared), planned

    async def safety_unless_at_position(
        self,
        session_id: str,
        label: str,
        snap: Snapshot,
        target_tree: str | None = None,
        preserve: Sequence[str] = (),
        discard: dict[str, str] | None = None,
    ) -> tuple[Checkpoint | None, PlannedRestore | None]:
        """For undo, redo and merge: the safety checkpoint of ``snap`` and the restore plan,
        as ``safety_then_plan`` makes them, but no safety checkpoint (None) when the files
        and the conversation are exactly the current position's: that checkpoint already
        holds them, and a second one would only be an empty row."""
        position = await self.checkpointer.position(session_id)
        head = await self.store.branch_head(session_id)
        if position is None or position.tree != snap.tree or position.message_id != head:
            return await self.safety_then_plan(
                session_id, label, target_tree, preserve, discard, snapshot=snap
            )
        if target_tree is None:
            return None, None
        return None, await self.plan(snap.tree, target_tree, preserve, discard)

    async def plan(
        self,
        current: str,
        target: str,
        preserve: Sequence[str] = (),
        discard: dict[str, str] | None = None,
    ) -> PlannedRestore:
        """The restore from ``current`` to ``target`` worked out (nothing written yet)."""
        token = uuid.uuid4().hex
        return await asyncio.to_thread(
            self.shadow.plan_restore, current, target, preserve, discard, token
        )

    async def commit_and_restore(
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

    async def announce(
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
        """Say on the bus what an operation did (``checkpoint.restored``), and return it."""
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


def undo_detail(planned: PlannedRestore | None) -> dict[str, object]:
    """What an undo of this restore needs beyond the trees (see RestoreResult); the files it
    makes visible are added once it has run."""
    if planned is None:
        return {"surfaced": [], "created": []}
    created = [path for path, _entry in planned.plan.writes if path in planned.created]
    return {"surfaced": [], "created": created}
