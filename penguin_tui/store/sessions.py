"""Projects and their sessions: created on first use, found by id or prefix, listed newest
first with their totals."""

from __future__ import annotations

import sqlite3
import time
import uuid
from pathlib import Path

from penguin_tui.errors import SessionNotFoundError
from penguin_tui.printable import printable
from penguin_tui.store.database import Database, Redact
from penguin_tui.store.models import Project, Session, SessionSummary
from penguin_tui.store.usage import totals

_SUMMARIES = """
    SELECT s.*, p.root AS project_root,
        (SELECT COUNT(*) FROM messages m WHERE m.session_id = s.id) AS message_count,
        (SELECT m.content FROM messages m WHERE m.session_id = s.id
            ORDER BY m.created_at DESC, m.rowid DESC LIMIT 1) AS last_text,
        (SELECT COUNT(*) FROM usage u WHERE u.session_id = s.id) AS calls,
        (SELECT COALESCE(SUM(u.input_tokens), 0) FROM usage u
            WHERE u.session_id = s.id) AS input_tokens,
        (SELECT COALESCE(SUM(u.output_tokens), 0) FROM usage u
            WHERE u.session_id = s.id) AS output_tokens,
        (SELECT SUM(u.cost_usd) FROM usage u WHERE u.session_id = s.id) AS cost,
        (SELECT COUNT(*) FROM usage u WHERE u.session_id = s.id
            AND u.cost_usd IS NULL) AS unpriced
    FROM sessions s JOIN projects p ON p.id = s.project_id
    {where}
    ORDER BY s.updated_at DESC, s.rowid DESC
"""


def _session(row: sqlite3.Row) -> Session:
    return Session(
        id=row["id"],
        project_id=row["project_id"],
        title=row["title"],
        model=row["model"],
        created_at=row["created_at"],
        updated_at=row["updated_at"],
    )


def _summary(row: sqlite3.Row) -> SessionSummary:
    return SessionSummary(
        session=_session(row),
        project_root=row["project_root"],
        messages=row["message_count"],
        last_text=row["last_text"] or "",
        usage=totals(
            row["calls"], row["input_tokens"], row["output_tokens"], row["cost"], row["unpriced"]
        ),
    )


class Sessions:
    """Reads and writes the projects and sessions tables through the one connection."""

    def __init__(self, db: Database, redact: Redact) -> None:
        self._db = db
        self._redact = redact

    async def ensure_project(self, root: Path) -> Project:
        """The project for ``root`` (an absolute, resolved path), created on first use.

        A folder name that is not UTF-8 is kept with its bad bytes as ``\\xNN`` (the
        database holds UTF-8); the project returned holds the path itself.
        """
        key = printable(str(root))
        rows = await self._db.rows("SELECT * FROM projects WHERE root = ?", (key,))
        if not rows:
            project_id = uuid.uuid4().hex[:12]
            await self._db.write(
                "INSERT INTO projects (id, root, created_at) VALUES (?, ?, ?)",
                (project_id, key, time.time()),
            )
            rows = await self._db.rows("SELECT * FROM projects WHERE id = ?", (project_id,))
        row = rows[0]
        return Project(id=row["id"], root=str(root), created_at=row["created_at"])

    async def create_session(self, project_id: str, model: str | None) -> Session:
        session_id = uuid.uuid4().hex[:12]
        now = time.time()
        await self._db.write_many(
            [
                (
                    "INSERT INTO sessions (id, project_id, title, model, created_at, updated_at)"
                    " VALUES (?, ?, '', ?, ?, ?)",
                    (session_id, project_id, model, now, now),
                ),
                (
                    "INSERT INTO branches (session_id, name, head_message_id)"
                    " VALUES (?, 'main', NULL)",
                    (session_id,),
                ),
            ]
        )
        return await self.get_session(session_id)

    async def get_session(self, id_or_prefix: str) -> Session:
        """A session by id, or by a unique prefix of its id."""
        rows = await self._db.rows(
            "SELECT * FROM sessions WHERE id LIKE ? ORDER BY updated_at DESC LIMIT 2",
            (id_or_prefix.replace("%", "").replace("_", "") + "%",),
        )
        if not rows or not id_or_prefix:
            raise SessionNotFoundError(
                f"no session {id_or_prefix!r}; `penguin-tui sessions list` shows them"
            )
        if len(rows) > 1 and rows[0]["id"] != id_or_prefix:
            raise SessionNotFoundError(f"session id {id_or_prefix!r} is ambiguous; give more of it")
        return _session(rows[0])

    async def latest_session(self, project_id: str) -> Session | None:
        rows = await self._db.rows(
            "SELECT * FROM sessions WHERE project_id = ? ORDER BY updated_at DESC LIMIT 1",
            (project_id,),
        )
        return _session(rows[0]) if rows else None

    async def list_sessions(self, project_id: str | None = None) -> list[SessionSummary]:
        """Sessions, newest first, with message counts, last text and usage totals."""
        where, params = ("WHERE s.project_id = ?", (project_id,)) if project_id else ("", ())
        rows = await self._db.rows(_SUMMARIES.format(where=where), params)
        return [_summary(row) for row in rows]

    async def retitle_session(self, session_id: str, title: str) -> None:
        """Give the session this title in place of the one it has (a generated title)."""
        await self._db.write(
            "UPDATE sessions SET title = ? WHERE id = ?", (self._redact(title), session_id)
        )

    async def touch_session(self, session_id: str, title: str | None = None) -> None:
        """Mark the session used now; a first title is kept (a later one is ignored)."""
        if title is None:
            await self._db.write(
                "UPDATE sessions SET updated_at = ? WHERE id = ?", (time.time(), session_id)
            )
        else:
            await self._db.write(
                "UPDATE sessions SET updated_at = ?, title = CASE WHEN title = '' THEN ? "
                "ELSE title END WHERE id = ?",
                (time.time(), self._redact(title), session_id),
            )
