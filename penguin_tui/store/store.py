"""The Store: the owner of the one SQLite connection, and the one door to every table.

Each job lives in its own module and reads and writes through the Store's connection:
``database`` (connection, transactions, errors), ``migrate`` (schema upgrades), ``sessions``
(projects and sessions), ``messages`` (the conversation tree and branches), ``usage``,
``event_log`` (durable events) and ``audit`` (tool calls and granted permission rules). The
methods here hand each call to the module that does it, so callers know only the Store.
"""

from __future__ import annotations

import asyncio
import contextlib
import sqlite3
from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from penguin_tui.store.audit import AuditLog
from penguin_tui.store.database import Database, Redact, Statements, make_data_directory
from penguin_tui.store.event_log import EventLog
from penguin_tui.store.messages import Messages
from penguin_tui.store.models import (
    AuditEntry,
    Message,
    MessageStatus,
    Project,
    Role,
    Session,
    SessionSummary,
    ToolCallRequest,
    UsageRecord,
    UsageTotals,
)
from penguin_tui.store.sessions import Sessions
from penguin_tui.store.usage import UsageLog

if TYPE_CHECKING:
    from penguin_tui.bus.events import Event
    from penguin_tui.config import DataPaths, Settings


def _no_redaction(text: str) -> str:
    return text


class Store:
    """The single writer of penguin-tui's SQLite file; every method is one short transaction."""

    def __init__(self, database: Database, redact: Redact) -> None:
        self._db = database
        self.path = database.path
        # For the services' own tables: text that may hold a secret goes through it first.
        self.redact = redact
        self._sessions = Sessions(database, redact)
        self._messages = Messages(database, redact)
        self._usage = UsageLog(database)
        self._events = EventLog(database, redact)
        self._audit = AuditLog(database, redact)

    # -- opening and closing ---------------------------------------------------------------

    @classmethod
    async def open(cls, path: Path, redact: Redact | None = None) -> Store:
        """Open (creating if needed) and migrate the database; refuse a newer schema.

        The opening runs to its end even when the caller is cancelled (Ctrl+C at start), and
        what it opened is closed then: a connection left half-open keeps a thread that fails
        noisily once the event loop has closed."""
        make_data_directory(path.parent)
        opening = asyncio.ensure_future(Database.open(path))
        try:
            database = await asyncio.shield(opening)
        except asyncio.CancelledError:
            with contextlib.suppress(Exception):  # how it ended no longer matters
                await (await opening).close()
            raise
        return cls(database, redact or _no_redaction)

    @classmethod
    async def open_data_store(cls, paths: DataPaths, settings: Settings) -> Store:
        """The user's store, redacting key shapes and the values of the configured secrets."""
        from penguin_tui.config import Redactor

        redactor = Redactor.from_environment(extra_names=settings.secret_variables)
        return await cls.open(paths.database, redact=redactor)

    async def close(self) -> None:
        """Let the writes under way finish, then close the connection and end its thread.
        Closing twice is harmless; any use after it is a StoreError."""
        await self._db.close()

    async def schema_version(self) -> int:
        return await self._db.schema_version()

    # -- the services' own tables ----------------------------------------------------------

    async def transaction(self, statements: Statements, *, durable: bool = False) -> None:
        """Several writes that land together or not at all (for the services' own tables);
        ``durable``: synced to disk before this returns, whatever the power does next."""
        await self._db.write_many(statements, durable)

    async def query(self, sql: str, params: Iterable[Any] = ()) -> list[sqlite3.Row]:
        """Rows of a read-only query (for the services' own tables)."""
        return await self._db.rows(sql, params)

    # -- projects and sessions (sessions.py) -----------------------------------------------

    async def ensure_project(self, root: Path) -> Project:
        return await self._sessions.ensure_project(root)

    async def create_session(self, project_id: str, model: str | None) -> Session:
        return await self._sessions.create_session(project_id, model)

    async def get_session(self, id_or_prefix: str) -> Session:
        return await self._sessions.get_session(id_or_prefix)

    async def latest_session(self, project_id: str) -> Session | None:
        return await self._sessions.latest_session(project_id)

    async def list_sessions(self, project_id: str | None = None) -> list[SessionSummary]:
        return await self._sessions.list_sessions(project_id)

    async def touch_session(self, session_id: str, title: str | None = None) -> None:
        await self._sessions.touch_session(session_id, title)

    async def retitle_session(self, session_id: str, title: str) -> None:
        await self._sessions.retitle_session(session_id, title)

    # -- messages and branches (messages.py) -----------------------------------------------

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
        return await self._messages.add_message(
            session_id, parent_id, role, content, status, model, branch, tool_call_id
        )

    async def update_message(
        self,
        message_id: str,
        content: str,
        reasoning: str,
        status: MessageStatus,
        tool_calls: tuple[ToolCallRequest, ...] = (),
        model: str | None = None,
    ) -> None:
        await self._messages.update_message(
            message_id, content, reasoning, status, tool_calls, model
        )

    async def get_message(self, message_id: str) -> Message:
        return await self._messages.get_message(message_id)

    async def branch_head(self, session_id: str, branch: str | None = None) -> str | None:
        return await self._messages.branch_head(session_id, branch)

    async def branch_path(self, session_id: str, branch: str | None = None) -> list[Message]:
        return await self._messages.branch_path(session_id, branch)

    async def message_path(self, message_id: str | None) -> list[Message]:
        return await self._messages.message_path(message_id)

    async def current_branch(self, session_id: str) -> str:
        return await self._messages.current_branch(session_id)

    async def branch_names(self, session_id: str) -> list[str]:
        return await self._messages.branch_names(session_id)

    async def interrupt_streaming(self, project_id: str | None = None) -> int:
        return await self._messages.interrupt_streaming(project_id)

    # -- usage (usage.py) and durable events (event_log.py) ---------------------------------

    async def record_usage(self, usage: UsageRecord) -> None:
        await self._usage.record_usage(usage)

    async def usage_rows(self, session_id: str) -> list[UsageRecord]:
        return await self._usage.usage_rows(session_id)

    async def session_usage(self, session_id: str) -> UsageTotals:
        return await self._usage.session_usage(session_id)

    async def append_event(self, event: Event) -> None:
        await self._events.append_event(event)

    async def max_event_seq(self) -> int:
        return await self._events.max_event_seq()

    async def event_payloads(self, session_id: str) -> list[str]:
        return await self._events.event_payloads(session_id)

    # -- permission grants and the audit log (audit.py) ------------------------------------

    async def add_permission_rule(
        self, project_id: str, tool: str, pattern: str, action: str
    ) -> None:
        await self._audit.add_permission_rule(project_id, tool, pattern, action)

    async def permission_rules(self, project_id: str) -> list[tuple[str, str, str]]:
        return await self._audit.permission_rules(project_id)

    async def record_tool_call(self, entry: AuditEntry) -> None:
        await self._audit.record_tool_call(entry)

    async def audit_log(
        self, project_id: str | None = None, session_id: str | None = None
    ) -> list[AuditEntry]:
        return await self._audit.audit_log(project_id, session_id)
