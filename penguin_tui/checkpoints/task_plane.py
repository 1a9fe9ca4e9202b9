"""The tasks part of a revert, an undo and a redo: the rows that put a checkpoint's task plane
back, with a history line on each task it changes."""

from __future__ import annotations

import time

from penguin_tui.checkpoints.model import Checkpoint
from penguin_tui.checkpoints.records import Statements
from penguin_tui.errors import CheckpointError
from penguin_tui.store import Store
from penguin_tui.tasks.model import Actor, TaskChange
from penguin_tui.tasks.plane import TaskPlane, differences
from penguin_tui.tasks.records import TaskRecords


def plane_of(checkpoint: Checkpoint) -> TaskPlane:
    """The task plane a checkpoint kept; a CheckpointError for one taken before tasks were
    recorded (restoring its empty list would delete the plan)."""
    plane = TaskPlane.from_json(checkpoint.tasks)
    if plane is None:
        raise CheckpointError(
            f"checkpoint {checkpoint.id[:8]} was taken before tasks were recorded: "
            "its tasks cannot be restored (revert --code or --conversation still can)"
        )
    return plane


async def restore_plane_rows(
    store: Store, session_id: str, checkpoint: Checkpoint, why: str
) -> Statements:
    """The rows that make the project's tasks those of ``checkpoint``."""
    plane = plane_of(checkpoint)
    session = await store.get_session(session_id)
    records = TaskRecords(store, session.project_id)
    current = TaskPlane(await records.load())
    rows = records.replace_all(plane.tasks)
    now = time.time()
    for difference in differences(current, plane):
        if difference.kind != "removed":
            line = f"{why} {checkpoint.id[:8]}"
            rows += records.record(TaskChange(difference.task_id, Actor.USER, line, now))
    return rows
