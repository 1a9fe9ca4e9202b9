"""Merging another branch's code into this one, whole or a few files of it (a pick): worked
out first (a preview changes nothing), then recorded and written like a revert, undoable."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from dataclasses import dataclass

from penguin_tui.checkpoints.git import EMPTY_TREE
from penguin_tui.checkpoints.locks import OneAtATime
from penguin_tui.checkpoints.model import Checkpoint, CheckpointKind, OperationKind, RevertMode
from penguin_tui.checkpoints.records import LAST_OPERATION
from penguin_tui.checkpoints.restores import Restorer, undo_detail, undoable
from penguin_tui.checkpoints.results import MergePreview, OperationResult
from penguin_tui.checkpoints.shadow import Snapshot
from penguin_tui.errors import CheckpointError
from penguin_tui.words import plural


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


class Merges:
    """Three-way merges of one branch's position into the current files."""

    def __init__(self, restorer: Restorer, gate: OneAtATime) -> None:
        self.restorer = restorer
        self.checkpointer = restorer.checkpointer
        self.store = restorer.store
        self.records = restorer.records
        self.shadow = restorer.shadow
        self.gate = gate

    async def preview(
        self, session_id: str, source: str, files: Sequence[str] | None = None
    ) -> MergePreview:
        """What ``merge`` would do now, without recording or writing anything: the files
        that would change (from the current files to the merged ones) and the conflicts
        foreseen. Raises what the merge would raise (an unknown branch, a bad ``files``)."""
        async with self.gate.lock:
            plan = await self._plan(session_id, source, files)
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

    @undoable
    async def merge(
        self,
        session_id: str,
        source: str,
        files: Sequence[str] | None,
        previewed: MergePreview | None,
    ) -> OperationResult:
        """Merge ``source`` (only ``files`` of it when given); with ``previewed``, exactly
        that merge or none (the files or the branches changed since)."""
        plan = await self._plan(session_id, source, files)
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
        safety, _planned = await self.restorer.safety_unless_at_position(
            session_id, f"before {what} {source}", plan.snapshot
        )
        before = safety or plan.position
        if before is None:  # without a position a safety checkpoint is always taken
            raise CheckpointError(f"no checkpoint to merge {source} into; nothing changed")
        return await self._carry_out(session_id, plan, files, before, before_head, safety)

    async def _carry_out(
        self,
        session_id: str,
        plan: _MergePlan,
        files: Sequence[str] | None,
        before: Checkpoint,
        before_head: str | None,
        safety: Checkpoint | None,
    ) -> OperationResult:
        """Record the merged checkpoint with the operation, then write the merged files."""
        # A redo restores this tree again: keep it reachable like a checkpoint's.
        await asyncio.to_thread(self.shadow.keep, f"trees/{plan.tree}", plan.tree)
        planned = await self.restorer.plan(before.tree, plan.tree)
        label = f"files from {plan.source}" if files else f"merged {plan.source}"
        if plan.conflicts:
            label += f" ({plural(len(plan.conflicts), 'conflict')} to resolve)"
        # The merged checkpoint is recorded with the operation, as the merge's tree; the
        # snapshot after the restore corrects it where the disk differs.
        merged_snapshot = Snapshot(tree=plan.tree, skipped=plan.snapshot.skipped, elapsed_ms=0.0)
        prepared = await self.checkpointer.prepare(
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
            # What the merge restored, not a snapshot after it: a file its .gitignore now
            # hides is still in the merged tree, and a redo must not delete it.
            after_tree=plan.tree,
            detail={
                "source": plan.source,
                "conflicts": list(plan.conflicts),
                "files": list(files or []),
                **undo_detail(planned),
            },
        )
        restored = await self.restorer.commit_and_restore(session_id, rows, planned, LAST_OPERATION)
        # What a snapshot sees now can differ from the recorded tree (a merged file this
        # side's .gitignore ignores, one over the size cap): the checkpoint holds what is on
        # disk, the operation's after_tree what the merge wrote.
        after = await self.checkpointer.snapshot(session_id)
        if after.tree != plan.tree:
            await self.checkpointer.record_snapshot(prepared.checkpoint_id, before.tree, after)
        merged = await self.checkpointer.announce(session_id, prepared)
        return await self.restorer.announce(
            "merge",
            session_id,
            merged,
            plan.branch,
            RevertMode.CODE,
            restored,
            safety,
            plan.conflicts,
        )

    async def _plan(self, session_id: str, source: str, files: Sequence[str] | None) -> _MergePlan:
        """The merged tree of the current files and ``source``'s position (only ``files`` of
        it when given), against their common ancestor. Writes nothing but git objects."""
        current = await self.store.current_branch(session_id)
        if source == current:
            raise CheckpointError("cannot merge a branch into itself")
        theirs_branch = await self.records.branch(session_id, source)
        if theirs_branch.position_id is None:
            raise CheckpointError(f"branch {source!r} has no checkpoint to merge")
        theirs = await self.records.get(theirs_branch.position_id, session_id)
        snap = await self.checkpointer.snapshot(session_id)
        position = await self.checkpointer.position(session_id)
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
