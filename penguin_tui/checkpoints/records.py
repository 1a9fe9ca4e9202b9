"""The SQL of the checkpoint service, over the store's one connection: rows of checkpoints,
branches and the undoable reverts and merges, read into the records of checkpoints.model."""

from __future__ import annotations

import json
import sqlite3
import time
import uuid
from enum import Enum
from typing import Any, Final

from penguin_tui.checkpoints.model import (
    Branch,
    Checkpoint,
    CheckpointKind,
    Operation,
    OperationKind,
    OperationState,
    RestoreCommit,
    RevertMode,
)
from penguin_tui.errors import CheckpointError
from penguin_tui.store.models import UsageTotals
from penguin_tui.store.store import Store

Statements = list[tuple[str, tuple[Any, ...]]]


class Inserted(Enum):
    """An operation named before it has an id: the one inserted just before, in the same
    transaction (``commit_restore`` of a new revert or merge)."""

    LAST_OPERATION = "last operation"


LAST_OPERATION: Final = Inserted.LAST_OPERATION


class CheckpointRecords:
    """Reads and writes the checkpoint tables through the one store connection."""

    def __init__(self, store: Store) -> None:
        self.store = store

    # -- checkpoints -----------------------------------------------------------------------

    def add_statements(
        self,
        *,
        session_id: str,
        branch: str,
        parent_id: str | None,
        message_id: str | None,
        kind: CheckpointKind,
        label: str,
        tree: str,
        usage: UsageTotals,
        files_changed: int,
        lines_added: int,
        lines_removed: int,
        skipped: list[tuple[str, str]],
        snapshot_ms: float,
        tasks: str = "[]",
    ) -> tuple[str, Statements]:
        """The rows that store a checkpoint and make it its branch's position (its new id)."""
        checkpoint_id = uuid.uuid4().hex[:12]
        now = time.time()
        return checkpoint_id, [
            (
                "INSERT INTO checkpoints (id, session_id, branch, parent_id, message_id, kind,"
                " label, tree, tasks, calls, input_tokens, output_tokens, cost_usd,"
                " unpriced_calls, files_changed, lines_added, lines_removed, skipped,"
                " snapshot_ms, created_at)"
                " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    checkpoint_id,
                    session_id,
                    branch,
                    parent_id,
                    message_id,
                    kind.value,
                    label,
                    tree,
                    tasks,
                    usage.calls,
                    usage.input_tokens,
                    usage.output_tokens,
                    usage.cost_usd,
                    usage.unpriced_calls,
                    files_changed,
                    lines_added,
                    lines_removed,
                    json.dumps(skipped, ensure_ascii=False),
                    snapshot_ms,
                    now,
                ),
            ),
            (
                "UPDATE branches SET position_id = ? WHERE session_id = ? AND name = ?",
                (checkpoint_id, session_id, branch),
            ),
        ]

    async def set_snapshot(
        self,
        checkpoint_id: str,
        *,
        tree: str,
        files_changed: int,
        lines_added: int,
        lines_removed: int,
        skipped: list[tuple[str, str]],
        snapshot_ms: float,
    ) -> None:
        """Give a checkpoint the tree (and counts) of a snapshot taken after it was recorded."""
        await self.store.transaction(
            [
                (
                    "UPDATE checkpoints SET tree = ?, files_changed = ?, lines_added = ?,"
                    " lines_removed = ?, skipped = ?, snapshot_ms = ? WHERE id = ?",
                    (
                        tree,
                        files_changed,
                        lines_added,
                        lines_removed,
                        json.dumps(skipped, ensure_ascii=False),
                        snapshot_ms,
                        checkpoint_id,
                    ),
                )
            ]
        )

    async def get(self, id_or_prefix: str, session_id: str) -> Checkpoint:
        """A checkpoint of the session by id or unique id prefix."""
        cleaned = id_or_prefix.strip().replace("%", "").replace("_", "")
        rows = await self.store.query(
            "SELECT * FROM checkpoints WHERE session_id = ? AND id LIKE ? LIMIT 2",
            (session_id, cleaned + "%"),
        )
        exact = [row for row in rows if row["id"] == cleaned]
        if not cleaned or not rows:
            raise CheckpointError(
                f"no checkpoint {id_or_prefix!r}; `penguin-tui checkpoints list` shows them"
            )
        if len(rows) > 1 and not exact:
            raise CheckpointError(f"checkpoint id {id_or_prefix!r} is ambiguous; give more of it")
        return _checkpoint(exact[0] if exact else rows[0])

    async def for_session(self, session_id: str) -> list[Checkpoint]:
        rows = await self.store.query(
            "SELECT * FROM checkpoints WHERE session_id = ? ORDER BY created_at, rowid",
            (session_id,),
        )
        return [_checkpoint(row) for row in rows]

    async def latest(self, session_id: str, branch: str) -> Checkpoint | None:
        rows = await self.store.query(
            "SELECT * FROM checkpoints WHERE session_id = ? AND branch = ?"
            " ORDER BY created_at DESC, rowid DESC LIMIT 1",
            (session_id, branch),
        )
        return _checkpoint(rows[0]) if rows else None

    async def delete(self, checkpoint_ids: list[str]) -> None:
        """Drop checkpoints (retention); their children are re-parented to the grandparent."""
        statements: list[tuple[str, tuple[object, ...]]] = []
        for checkpoint_id in checkpoint_ids:
            statements += [
                (
                    "UPDATE checkpoints SET parent_id ="
                    " (SELECT parent_id FROM checkpoints WHERE id = ?) WHERE parent_id = ?",
                    (checkpoint_id, checkpoint_id),
                ),
                ("UPDATE branches SET position_id = NULL WHERE position_id = ?", (checkpoint_id,)),
                ("DELETE FROM checkpoints WHERE id = ?", (checkpoint_id,)),
            ]
        if statements:
            await self.store.transaction(statements)

    async def auto_checkpoints(self, project_id: str) -> list[tuple[str, float]]:
        """The project's automatic checkpoints, oldest first (each project has its policy)."""
        rows = await self.store.query(
            "SELECT id, created_at FROM checkpoints WHERE kind = 'auto' AND session_id IN"
            " (SELECT id FROM sessions WHERE project_id = ?) ORDER BY created_at",
            (project_id,),
        )
        return [(row["id"], float(row["created_at"])) for row in rows]

    async def protected_ids(self) -> set[str]:
        """Checkpoints retention must keep: branch positions and those undo/redo need."""
        rows = await self.store.query(
            "SELECT position_id AS id FROM branches WHERE position_id IS NOT NULL"
            " UNION SELECT target_id FROM checkpoint_ops UNION SELECT before_id FROM checkpoint_ops"
        )
        return {row["id"] for row in rows}

    async def all_trees(self) -> set[str]:
        """Every tree a checkpoint or a redo may restore (the ones gc must keep)."""
        rows = await self.store.query(
            "SELECT tree FROM checkpoints UNION SELECT after_tree FROM checkpoint_ops"
        )
        return {row["tree"] for row in rows}

    # -- branches --------------------------------------------------------------------------

    async def branches(self, session_id: str) -> list[Branch]:
        rows = await self.store.query(
            "SELECT b.name, b.head_message_id, b.position_id,"
            " b.name = s.current_branch AS current"
            " FROM branches b JOIN sessions s ON s.id = b.session_id"
            " WHERE b.session_id = ? ORDER BY b.created_at, b.rowid",
            (session_id,),
        )
        return [
            Branch(row["name"], row["head_message_id"], row["position_id"], bool(row["current"]))
            for row in rows
        ]

    async def branch(self, session_id: str, name: str) -> Branch:
        for branch in await self.branches(session_id):
            if branch.name == name:
                return branch
        raise CheckpointError(f"no branch {name!r}; `penguin-tui branches list` shows them")

    def create_branch(
        self, session_id: str, name: str, head: str | None, position_id: str
    ) -> Statements:
        """The row of a new branch (the caller checks the name is free)."""
        return [
            (
                "INSERT INTO branches (session_id, name, head_message_id, position_id,"
                " created_at) VALUES (?, ?, ?, ?, ?)",
                (session_id, name, head, position_id, time.time()),
            )
        ]

    def move_branch(
        self,
        session_id: str,
        name: str,
        mode: RevertMode,
        *,
        head: str | None,
        position_id: str | None,
    ) -> Statements:
        """Move what ``mode`` moves of a branch: its head with the conversation, its position
        with the code."""
        statements: Statements = []
        if mode.conversation:
            statements.append(
                (
                    "UPDATE branches SET head_message_id = ? WHERE session_id = ? AND name = ?",
                    (head, session_id, name),
                )
            )
        if mode.code:
            statements.append(
                (
                    "UPDATE branches SET position_id = ? WHERE session_id = ? AND name = ?",
                    (position_id, session_id, name),
                )
            )
        return statements

    def make_current(self, session_id: str, name: str) -> Statements:
        """Make ``name`` the session's current branch."""
        return [("UPDATE sessions SET current_branch = ? WHERE id = ?", (name, session_id))]

    # -- undoable operations ---------------------------------------------------------------

    def add_operation(
        self,
        *,
        session_id: str,
        kind: OperationKind,
        mode: RevertMode,
        branch: str,
        target_id: str,
        before_id: str,
        before_head: str | None,
        after_head: str | None,
        after_tree: str,
        detail: dict[str, object],
    ) -> Statements:
        """The rows of a new undoable operation; a new operation ends the redo chain, like
        any editor's undo stack."""
        return [
            (
                "INSERT INTO checkpoint_ops (session_id, kind, mode, branch, target_id,"
                " before_id, before_head, after_head, after_tree, state, detail, created_at)"
                " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    session_id,
                    kind.value,
                    mode.value,
                    branch,
                    target_id,
                    before_id,
                    before_head,
                    after_head,
                    after_tree,
                    OperationState.DONE.value,
                    json.dumps(detail),
                    time.time(),
                ),
            ),
            (
                "DELETE FROM checkpoint_ops WHERE session_id = ? AND state = ?",
                (session_id, OperationState.UNDONE.value),
            ),
        ]

    async def last_operation(self, session_id: str, state: OperationState) -> Operation | None:
        """The newest operation still done (for undo) or the oldest undone one (for redo)."""
        order = "DESC" if state is OperationState.DONE else "ASC"
        rows = await self.store.query(
            f"SELECT * FROM checkpoint_ops WHERE session_id = ? AND state = ?"
            f" ORDER BY id {order} LIMIT 1",
            (session_id, state.value),
        )
        return _operation(rows[0]) if rows else None

    def set_operation_state(
        self, operation_id: int, state: OperationState, detail: dict[str, object] | None = None
    ) -> Statements:
        """Mark an operation done or undone (and, after a redo, record its new detail)."""
        if detail is None:
            return [
                ("UPDATE checkpoint_ops SET state = ? WHERE id = ?", (state.value, operation_id))
            ]
        return [
            (
                "UPDATE checkpoint_ops SET state = ?, detail = ? WHERE id = ?",
                (state.value, json.dumps(detail), operation_id),
            )
        ]

    async def add_to_detail(self, operation_id: int, extra: dict[str, object]) -> None:
        """Merge ``extra`` into an operation's detail (what a restore found once it ran)."""
        rows = await self.store.query(
            "SELECT detail FROM checkpoint_ops WHERE id = ?", (operation_id,)
        )
        if not rows:
            return
        detail = {**json.loads(rows[0]["detail"]), **extra}
        await self.store.transaction(
            [
                (
                    "UPDATE checkpoint_ops SET detail = ? WHERE id = ?",
                    (json.dumps(detail), operation_id),
                )
            ]
        )

    # -- restores: their records land before their files ----------------------------------

    def commit_restore(
        self, token: str, session_id: str, operation_id: int | Inserted | None = None
    ) -> Statements:
        """The row that says a restore's records are committed. ``operation_id`` may be
        ``LAST_OPERATION``: the operation inserted just before it in the same transaction."""
        if operation_id is LAST_OPERATION:
            return [
                (
                    "INSERT INTO restore_commits (token, session_id, operation_id, created_at)"
                    " VALUES (?, ?, (SELECT MAX(id) FROM checkpoint_ops WHERE session_id = ?), ?)",
                    (token, session_id, session_id, time.time()),
                )
            ]
        return [
            (
                "INSERT INTO restore_commits (token, session_id, operation_id, created_at)"
                " VALUES (?, ?, ?, ?)",
                (token, session_id, operation_id, time.time()),
            )
        ]

    async def forget_restore_commits(self, project_id: str) -> None:
        """Drop the project's commit marks once no journal can name them (at start)."""
        await self.store.transaction(
            [
                (
                    "DELETE FROM restore_commits WHERE session_id IN"
                    " (SELECT id FROM sessions WHERE project_id = ?)",
                    (project_id,),
                )
            ]
        )

    async def restore_commit(self, token: str) -> RestoreCommit | None:
        """Whether a journaled restore's records were committed (None: they never were)."""
        rows = await self.store.query(
            "SELECT session_id, operation_id FROM restore_commits WHERE token = ?", (token,)
        )
        if not rows:
            return None
        return RestoreCommit(token, rows[0]["session_id"], rows[0]["operation_id"])

    # -- usage along a conversation --------------------------------------------------------

    async def usage_of(self, message_ids: list[str]) -> UsageTotals:
        """Tokens and dollars of the LLM calls that produced these messages."""
        if not message_ids:
            return UsageTotals(0, 0, 0, None, 0)
        marks = ",".join("?" * len(message_ids))
        rows = await self.store.query(
            "SELECT COUNT(*) AS calls, COALESCE(SUM(input_tokens), 0) AS i,"
            " COALESCE(SUM(output_tokens), 0) AS o, SUM(cost_usd) AS cost,"
            " SUM(CASE WHEN cost_usd IS NULL THEN 1 ELSE 0 END) AS unpriced"
            f" FROM usage WHERE message_id IN ({marks})",
            tuple(message_ids),
        )
        row = rows[0]
        calls = int(row["calls"])
        unpriced = int(row["unpriced"] or 0)
        cost = None if (calls == 0 or unpriced == calls) else float(row["cost"] or 0.0)
        return UsageTotals(calls, int(row["i"]), int(row["o"]), cost, unpriced)


def _checkpoint(row: sqlite3.Row) -> Checkpoint:
    unpriced = int(row["unpriced_calls"])
    return Checkpoint(
        id=row["id"],
        session_id=row["session_id"],
        branch=row["branch"],
        parent_id=row["parent_id"],
        message_id=row["message_id"],
        kind=CheckpointKind(row["kind"]),
        label=row["label"],
        tree=row["tree"],
        tasks=row["tasks"],
        usage=UsageTotals(
            int(row["calls"]),
            int(row["input_tokens"]),
            int(row["output_tokens"]),
            row["cost_usd"],
            unpriced,
        ),
        files_changed=int(row["files_changed"]),
        lines_added=int(row["lines_added"]),
        lines_removed=int(row["lines_removed"]),
        skipped=tuple((path, reason) for path, reason in json.loads(row["skipped"])),
        snapshot_ms=float(row["snapshot_ms"]),
        created_at=float(row["created_at"]),
    )


def _operation(row: sqlite3.Row) -> Operation:
    return Operation(
        id=int(row["id"]),
        session_id=row["session_id"],
        kind=OperationKind(row["kind"]),
        mode=RevertMode(row["mode"]),
        branch=row["branch"],
        target_id=row["target_id"],
        before_id=row["before_id"],
        before_head=row["before_head"],
        after_head=row["after_head"],
        after_tree=row["after_tree"],
        state=OperationState(row["state"]),
        detail=json.loads(row["detail"]),
        created_at=float(row["created_at"]),
    )
