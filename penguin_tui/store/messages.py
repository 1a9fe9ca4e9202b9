"""The conversation tree: messages under their parent, branches as names of head messages, and
the path from the root to any message."""

from __future__ import annotations

import json
import sqlite3
import time
import uuid

from penguin_tui.errors import StoreError
from penguin_tui.store.database import Database, Redact
from penguin_tui.store.models import Message, MessageStatus, Role, ToolCallRequest

_PATH = """
    WITH RECURSIVE path(id, depth) AS (
        SELECT ?, 0
        UNION ALL
        SELECT m.parent_id, path.depth + 1 FROM messages m JOIN path ON m.id = path.id
        WHERE m.parent_id IS NOT NULL
    )
    SELECT m.* FROM path JOIN messages m ON m.id = path.id ORDER BY path.depth DESC
"""


def _tool_calls(raw: str | None) -> tuple[ToolCallRequest, ...]:
    if not raw:
        return ()
    return tuple(
        ToolCallRequest(call_id, tool, arguments) for call_id, tool, arguments in json.loads(raw)
    )


def _message(row: sqlite3.Row) -> Message:
    return Message(
        id=row["id"],
        session_id=row["session_id"],
        parent_id=row["parent_id"],
        role=Role(row["role"]),
        content=row["content"],
        reasoning=row["reasoning"],
        status=MessageStatus(row["status"]),
        model=row["model"],
        created_at=row["created_at"],
        tool_calls=_tool_calls(row["tool_calls"]),
        tool_call_id=row["tool_call_id"],
    )


class Messages:
    """Reads and writes the messages and branches tables through the one connection."""

    def __init__(self, db: Database, redact: Redact) -> None:
        self._db = db
        self._redact = redact

    async def add_message(
        self,
        session_id: str,
        parent_id: str | None,
        role: Role,
        content: str,
        status: MessageStatus,
        model: str | None = None,
        branch: str | None = None,
        tool_call_id: str | None = None,
    ) -> Message:
        """Append a message under ``parent_id`` and move the branch head (the session's current
        branch unless ``branch`` is given) to it, atomically."""
        message_id = uuid.uuid4().hex
        now = time.time()
        await self._db.write_many(
            [
                (
                    "INSERT INTO messages (id, session_id, parent_id, role, content, reasoning,"
                    " status, model, tool_call_id, created_at, updated_at)"
                    " VALUES (?, ?, ?, ?, ?, '', ?, ?, ?, ?, ?)",
                    (
                        message_id,
                        session_id,
                        parent_id,
                        role.value,
                        self._redact(content),
                        status.value,
                        model,
                        tool_call_id,
                        now,
                        now,
                    ),
                ),
                (
                    "INSERT INTO branches (session_id, name, head_message_id) VALUES (?,"
                    " COALESCE(?, (SELECT current_branch FROM sessions WHERE id = ?)), ?)"
                    " ON CONFLICT (session_id, name) DO UPDATE SET head_message_id = excluded"
                    ".head_message_id",
                    (session_id, branch, session_id, message_id),
                ),
                ("UPDATE sessions SET updated_at = ? WHERE id = ?", (now, session_id)),
            ]
        )
        return await self.get_message(message_id)

    async def update_message(
        self,
        message_id: str,
        content: str,
        reasoning: str,
        status: MessageStatus,
        tool_calls: tuple[ToolCallRequest, ...] = (),
        model: str | None = None,
    ) -> None:
        """The message's text, reasoning, status and tool calls as they are now (redacted);
        ``model``, when given, is the model that answered (a fallback's name)."""
        calls = (
            json.dumps([[c.call_id, c.tool, self._redact(c.arguments)] for c in tool_calls])
            if tool_calls
            else None
        )
        await self._db.write(
            "UPDATE messages SET content = ?, reasoning = ?, status = ?, tool_calls = ?,"
            " model = COALESCE(?, model), updated_at = ? WHERE id = ?",
            (
                self._redact(content),
                self._redact(reasoning),
                status.value,
                calls,
                model,
                time.time(),
                message_id,
            ),
        )

    async def get_message(self, message_id: str) -> Message:
        rows = await self._db.rows("SELECT * FROM messages WHERE id = ?", (message_id,))
        if not rows:
            raise StoreError(f"message {message_id} is missing from {self._db.path}")
        return _message(rows[0])

    async def branch_head(self, session_id: str, branch: str | None = None) -> str | None:
        """The head message of ``branch`` (default: the session's current branch)."""
        rows = await self._db.rows(
            "SELECT head_message_id FROM branches WHERE session_id = ? AND name ="
            " COALESCE(?, (SELECT current_branch FROM sessions WHERE id = ?))",
            (session_id, branch, session_id),
        )
        return rows[0]["head_message_id"] if rows else None

    async def branch_path(self, session_id: str, branch: str | None = None) -> list[Message]:
        """The branch's conversation: the path from the root message to the branch head."""
        head = await self.branch_head(session_id, branch)
        return await self.message_path(head)

    async def message_path(self, message_id: str | None) -> list[Message]:
        """The conversation up to ``message_id``: from the root message to it."""
        if message_id is None:
            return []
        rows = await self._db.rows(_PATH, (message_id,))
        return [_message(row) for row in rows]

    async def current_branch(self, session_id: str) -> str:
        rows = await self._db.rows(
            "SELECT current_branch FROM sessions WHERE id = ?", (session_id,)
        )
        return str(rows[0]["current_branch"]) if rows else "main"

    async def branch_names(self, session_id: str) -> list[str]:
        rows = await self._db.rows(
            "SELECT name FROM branches WHERE session_id = ? ORDER BY created_at, name",
            (session_id,),
        )
        return [row["name"] for row in rows]

    async def interrupt_streaming(self, project_id: str | None = None) -> int:
        """Mark replies left ``streaming`` by a crash as ``interrupted`` (of one project's
        sessions when ``project_id`` is given); returns how many."""
        where = "status = 'streaming'"
        params: tuple[str, ...] = ()
        if project_id is not None:
            where += " AND session_id IN (SELECT id FROM sessions WHERE project_id = ?)"
            params = (project_id,)
        rows = await self._db.rows(f"SELECT COUNT(*) AS n FROM messages WHERE {where}", params)
        count = int(rows[0]["n"])
        if count:
            await self._db.write(
                f"UPDATE messages SET status = 'interrupted' WHERE {where}", params
            )
        return count
