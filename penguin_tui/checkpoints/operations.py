"""Going back and forth: revert to a checkpoint, undo and redo the last revert or merge,
branch from a checkpoint, switch branches. Each takes a safety checkpoint first and moves the
records and the files together (see restores)."""

from __future__ import annotations

import asyncio
import re

from penguin_tui.checkpoints.locks import OneAtATime
from penguin_tui.checkpoints.model import Operation, OperationKind, OperationState, RevertMode
from penguin_tui.checkpoints.records import LAST_OPERATION
from penguin_tui.checkpoints.restores import Restorer, undo_detail, undoable
from penguin_tui.checkpoints.results import OperationResult
from penguin_tui.checkpoints.task_plane import plane_of, restore_plane_rows
from penguin_tui.errors import CheckpointError

_BRANCH_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._/-]{0,63}$")


class Operations:
    """Revert, undo, redo, branch and switch: the operations that move the code or the
    conversation of one session."""

    def __init__(self, restorer: Restorer, gate: OneAtATime) -> None:
        self.restorer = restorer
        self.checkpointer = restorer.checkpointer
        self.store = restorer.store
        self.records = restorer.records
        self.shadow = restorer.shadow
        self.gate = gate

    @undoable
    async def revert(
        self, session_id: str, checkpoint_id: str, mode: RevertMode
    ) -> OperationResult:
        """Go back to a checkpoint's code, conversation or both; undoable."""
        target = await self.records.get(checkpoint_id, session_id)
        if mode.tasks:
            plane_of(target)  # refused before anything is done when it kept no tasks
        branch = await self.store.current_branch(session_id)
        before_head = await self.store.branch_head(session_id)
        safety, planned = await self.restorer.safety_then_plan(
            session_id,
            f"before revert to {target.id[:8]}",
            target.tree if mode.code else None,
        )
        after_head = target.message_id if mode.conversation else before_head
        rows = self.records.move_branch(
            session_id, branch, mode, head=after_head, position_id=target.id
        )
        if mode.tasks:
            rows += await restore_plane_rows(self.store, session_id, target, "reverted to")
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
            detail=undo_detail(planned),
        )
        restored = await self.restorer.commit_and_restore(session_id, rows, planned, LAST_OPERATION)
        return await self.restorer.announce(
            "revert", session_id, target, branch, mode, restored, safety
        )

    @undoable
    async def undo(self, session_id: str) -> OperationResult:
        """Undo the last revert or merge: back to exactly the state before it."""
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
        safety, planned = await self.restorer.safety_unless_at_position(
            session_id,
            f"before undoing the {operation.kind}",
            await self.checkpointer.snapshot(session_id),
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
        if operation.mode.tasks:
            rows += await restore_plane_rows(self.store, session_id, before, "undone back to")
        rows += self.records.set_operation_state(operation.id, OperationState.UNDONE)
        restored = await self.restorer.commit_and_restore(session_id, rows, planned, None)
        return await self.restorer.announce(
            "undo", session_id, before, operation.branch, operation.mode, restored, safety
        )

    @undoable
    async def redo(self, session_id: str) -> OperationResult:
        """Apply the last undone revert or merge again."""
        operation = await self.records.last_operation(session_id, OperationState.UNDONE)
        if operation is None:
            raise CheckpointError("nothing to redo")
        await self._on_branch(session_id, operation.branch, "redo")
        target = await self.records.get(operation.target_id, session_id)
        safety, planned = await self.restorer.safety_unless_at_position(
            session_id,
            f"before redoing the {operation.kind}",
            await self.checkpointer.snapshot(session_id),
            operation.after_tree if operation.mode.code else None,
        )
        rows = self.records.move_branch(
            session_id,
            operation.branch,
            operation.mode,
            head=operation.after_head,
            position_id=target.id,
        )
        if operation.mode.tasks:
            rows += await restore_plane_rows(self.store, session_id, target, "redone to")
        detail = {**operation.detail, **undo_detail(planned)}
        rows += self.records.set_operation_state(operation.id, OperationState.DONE, detail)
        restored = await self.restorer.commit_and_restore(session_id, rows, planned, operation.id)
        return await self.restorer.announce(
            "redo", session_id, target, operation.branch, operation.mode, restored, safety
        )

    @undoable
    async def branch_from(
        self, session_id: str, checkpoint_id: str, name: str, *, conversation: bool = True
    ) -> OperationResult:
        """A new branch at a checkpoint, switched to: its code and conversation are restored
        (without ``conversation``, the branch starts a conversation of its own)."""
        if not _BRANCH_NAME.match(name) or ".." in name:
            raise CheckpointError(
                f"bad branch name {name!r}: use letters, digits, '.', '_', '-' and '/'"
            )
        target = await self.records.get(checkpoint_id, session_id)
        if name in await self.store.branch_names(session_id):
            raise CheckpointError(f"a branch named {name!r} already exists")
        safety, planned = await self.restorer.safety_then_plan(
            session_id, f"before branching {name}", target.tree
        )
        head = target.message_id if conversation else None
        rows = self.records.create_branch(session_id, name, head, target.id)
        rows += self.records.make_current(session_id, name)
        restored = await self.restorer.commit_and_restore(session_id, rows, planned, None)
        return await self.restorer.announce(
            "branch", session_id, target, name, RevertMode.BOTH, restored, safety
        )

    @undoable
    async def switch(self, session_id: str, name: str) -> OperationResult:
        """Save the current state, then restore the branch's latest state (like git switch)."""
        target_branch = await self.records.branch(session_id, name)
        current = await self.store.current_branch(session_id)
        if current == name:
            raise CheckpointError(f"already on branch {name!r}")
        target = (
            await self.records.get(target_branch.position_id, session_id)
            if target_branch.position_id
            else await self.records.latest(session_id, name)
        )
        safety, planned = await self.restorer.safety_then_plan(
            session_id, f"before switching to {name}", target.tree if target else None
        )
        rows = self.records.make_current(session_id, name)
        restored = await self.restorer.commit_and_restore(session_id, rows, planned, None)
        return await self.restorer.announce(
            "switch", session_id, target or safety, name, RevertMode.BOTH, restored, safety
        )

    async def _on_branch(self, session_id: str, branch: str, action: str) -> None:
        current = await self.store.current_branch(session_id)
        if current != branch:
            raise CheckpointError(
                f"the last change to {action} was on branch {branch!r}; switch to it first"
            )


def _paths(operation: Operation, key: str) -> list[str]:
    paths = operation.detail.get(key, [])
    return [str(path) for path in paths] if isinstance(paths, list) else []
