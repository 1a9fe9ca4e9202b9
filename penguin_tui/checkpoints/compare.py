"""Reading what changed, without changing anything: edits since the last checkpoint, two
points compared (files and each side's conversation), and what a revert would do."""

from __future__ import annotations

import asyncio

from penguin_tui.checkpoints.checkpointer import Checkpointer
from penguin_tui.checkpoints.git import EMPTY_TREE
from penguin_tui.checkpoints.model import Checkpoint, RevertMode
from penguin_tui.checkpoints.results import Comparison, RevertPreview, Side
from penguin_tui.checkpoints.task_plane import plane_of
from penguin_tui.store import Message
from penguin_tui.tasks.plane import TaskDifference, TaskPlane, differences
from penguin_tui.tasks.records import TaskRecords
from penguin_tui.unified_diff import FileDiff, parse_unified


class Comparisons:
    """Diffs between checkpoints and the working tree, with each side's conversation."""

    def __init__(self, checkpointer: Checkpointer) -> None:
        self.checkpointer = checkpointer
        self.store = checkpointer.store
        self.records = checkpointer.records
        self.shadow = checkpointer.shadow
        self.gate = checkpointer.gate

    async def working_tree(self, session_id: str) -> str:
        """The tree of the project's files now (a snapshot)."""
        return (await self.checkpointer.snapshot(session_id)).tree

    async def _working_tree_alone(self, session_id: str) -> str:
        """``working_tree`` while no operation runs."""
        async with self.gate.lock:
            return await self.working_tree(session_id)

    async def changes_since_position(self, session_id: str) -> tuple[FileDiff, ...]:
        """Edits since the last checkpoint (the agent's, a shell's or the user's editor's)."""
        position = await self.checkpointer.position(session_id)
        tree = await self._working_tree_alone(session_id)
        old = position.tree if position else EMPTY_TREE
        patch = await asyncio.to_thread(self.shadow.patch, old, tree)
        return tuple(parse_unified(patch))

    async def compare(self, session_id: str, old_id: str, new_id: str | None = None) -> Comparison:
        """Files and hunks from ``old`` to ``new`` (default: the working tree), and each side's
        conversation since their common ancestor with its tokens and dollars."""
        old = await self.records.get(old_id, session_id)
        new = await self.records.get(new_id, session_id) if new_id else None
        if new is None:
            new_tree = await self._working_tree_alone(session_id)
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
        if new is None:
            session = await self.store.get_session(session_id)
            new_plane: TaskPlane | None = TaskPlane(
                await TaskRecords(self.store, session.project_id).load()
            )
        else:
            new_plane = TaskPlane.from_json(new.tasks)
        old_plane = TaskPlane.from_json(old.tasks)
        tasks = differences(old_plane, new_plane) if old_plane and new_plane else []
        return Comparison(
            old=old,
            new=new,
            tasks=tuple(tasks),
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

    async def preview_revert(
        self, session_id: str, checkpoint_id: str, mode: RevertMode
    ) -> RevertPreview:
        """Exactly which files change and which messages leave the branch, before a revert."""
        target = await self.records.get(checkpoint_id, session_id)
        tasks = await self._tasks_changing(session_id, target) if mode.tasks else ()
        if not mode.code:
            leaving = await self._leaving(session_id, target) if mode.conversation else []
            return RevertPreview(target, mode, (), tuple(leaving), tasks=tasks)
        tree = await self._working_tree_alone(session_id)
        position = await self.checkpointer.position(session_id)
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
            tasks=tasks,
        )

    async def _tasks_changing(
        self, session_id: str, target: Checkpoint
    ) -> tuple[TaskDifference, ...]:
        """How the project's tasks change when ``target``'s plane is put back."""
        session = await self.store.get_session(session_id)
        now = TaskPlane(await TaskRecords(self.store, session.project_id).load())
        return tuple(differences(now, plane_of(target)))

    async def _leaving(self, session_id: str, target: Checkpoint) -> list[Message]:
        """The messages a revert of the conversation to ``target`` takes out of the branch."""
        current = await self.store.branch_path(session_id)
        keep = {m.id for m in await self.store.message_path(target.message_id)}
        return [m for m in current if m.id not in keep]


def _describe(checkpoint: Checkpoint) -> str:
    label = f" {checkpoint.label}" if checkpoint.label else ""
    return f"{checkpoint.id[:8]} ({checkpoint.branch}){label}"
