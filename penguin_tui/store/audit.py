"""The audit log of tool calls (what ran, who decided, how it ended) and the permission rules
the user granted for a whole project."""

from __future__ import annotations

import sqlite3
import time

from penguin_tui.store.database import Database, Redact
from penguin_tui.store.models import AuditEntry


def _entry(row: sqlite3.Row) -> AuditEntry:
    return AuditEntry(
        session_id=row["session_id"],
        message_id=row["message_id"],
        call_id=row["call_id"],
        tool=row["tool"],
        args=row["args"],
        decision=row["decision"],
        decided_by=row["decided_by"],
        reason=row["reason"],
        status=row["status"],
        summary=row["summary"],
        exit_code=row["exit_code"],
        started_at=row["started_at"],
        ended_at=row["ended_at"],
    )


class AuditLog:
    """Reads and writes the tool_calls and permission_rules tables through the one connection."""

    def __init__(self, db: Database, redact: Redact) -> None:
        self._db = db
        self._redact = redact

    async def record_tool_call(self, entry: AuditEntry) -> None:
        """One row of the audit log; arguments and summary are redacted like everything else."""
        await self._db.write(
            "INSERT INTO tool_calls (session_id, message_id, call_id, tool, args, decision,"
            " decided_by, reason, status, summary, exit_code, started_at, ended_at)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (
                entry.session_id,
                entry.message_id,
                entry.call_id,
                entry.tool,
                self._redact(entry.args),
                entry.decision,
                entry.decided_by,
                self._redact(entry.reason),
                entry.status,
                self._redact(entry.summary),
                entry.exit_code,
                entry.started_at,
                entry.ended_at,
            ),
        )

    async def audit_log(
        self, project_id: str | None = None, session_id: str | None = None
    ) -> list[AuditEntry]:
        """Tool calls, oldest first, of one session or of every session of a project."""
        params: tuple[str, ...]
        if session_id is not None:
            where, params = "WHERE t.session_id = ?", (session_id,)
        elif project_id is not None:
            where, params = (
                "JOIN sessions s ON s.id = t.session_id WHERE s.project_id = ?",
                (project_id,),
            )
        else:
            where, params = "", ()
        rows = await self._db.rows(
            f"SELECT t.* FROM tool_calls t {where} ORDER BY t.started_at, t.id", params
        )
        return [_entry(row) for row in rows]

    async def add_permission_rule(
        self, project_id: str, tool: str, pattern: str, action: str
    ) -> None:
        """A rule the user granted for a whole project ("allow always, in this project")."""
        await self._db.write(
            "INSERT INTO permission_rules (project_id, tool, pattern, action, created_at)"
            " VALUES (?, ?, ?, ?, ?)",
            (project_id, tool, self._redact(pattern), action, time.time()),
        )

    async def permission_rules(self, project_id: str) -> list[tuple[str, str, str]]:
        """(tool, pattern, action) of the rules granted for the project, oldest first."""
        rows = await self._db.rows(
            "SELECT tool, pattern, action FROM permission_rules WHERE project_id = ? ORDER BY id",
            (project_id,),
        )
        return [(row["tool"], row["pattern"], row["action"]) for row in rows]
