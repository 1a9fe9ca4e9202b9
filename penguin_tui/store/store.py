"""The aiosqlite Store: one writer connection, WAL, migrations, and the queries the app needs."""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import sqlite3
import time
import uuid
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

import aiosqlite

from penguin_tui.bus.events import Event
from penguin_tui.disk_limits import of_os_error, of_sqlite_error
from penguin_tui.errors import SessionNotFoundError, StoreError
from penguin_tui.printable import printable
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
from penguin_tui.store.schema import LATEST_VERSION, MIGRATIONS

Redact = Callable[[str], str]


def _no_redaction(text: str) -> str:
    return text


log = logging.getLogger("penguin_tui.store")

WAL_ATTEMPTS = 100  # 5 s at 50 ms, like the busy timeout


def _make_data_directory(folder: Path) -> None:
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        blocker = next((p for p in (folder, *folder.parents) if p.exists()), folder)
        if not blocker.is_dir():
            why = f"{blocker} is a file, not a directory"
        elif (limit := of_os_error(error)) is not None:
            why = limit.value
        else:
            why = error.strerror or str(error)
        raise StoreError(
            f"cannot create the data directory {folder} ({why}); "
            f"set PENGUIN_HOME to a writable directory"
        ) from error


def _log_unseen_failure(transaction: asyncio.Task[None]) -> None:
    """The outcome of a transaction whose caller stopped waiting: a failure is logged."""
    if not transaction.cancelled() and (error := transaction.exception()) is not None:
        log.warning("a write whose caller stopped waiting failed: %s", error)


def _connect(path: Path) -> sqlite3.Connection:
    """The raw connection; aiosqlite's thread is its only user after this."""
    return sqlite3.connect(path, isolation_level=None, check_same_thread=False)


def _statements(script: str) -> list[str]:
    """A migration script cut into whole statements (a trigger's body stays in one piece)."""
    statements: list[str] = []
    pending = ""
    for line in script.splitlines(keepends=True):
        pending += line
        if sqlite3.complete_statement(pending):
            statements.append(pending.strip())
            pending = ""
    if pending.strip():
        statements.append(pending.strip())
    return statements


def _files_of(path: Path) -> list[Path]:
    """The database and the journals SQLite writes beside it."""
    return [path, *(path.with_name(path.name + suffix) for suffix in ("-wal", "-journal"))]


def _explain(error: sqlite3.Error, path: Path) -> str:
    text = str(error)
    limit = of_sqlite_error(error, _files_of(path))
    if limit is not None:
        # A failed write is rolled back whole: the file stays as it was before it.
        return (
            f"{limit.value}: the database {path} could not be written; it is intact and "
            f"keeps everything saved before; {limit.advice}"
        )
    if "not a database" in text or "malformed" in text:
        return (
            f"the database {path} is damaged or not a penguin-tui database; "
            f"move it aside (it is kept as is) or set PENGUIN_HOME to another directory"
        )
    if path.is_dir():
        return (
            f"the database {path} is a directory, not a file; move it aside "
            f"or set PENGUIN_HOME to another directory"
        )
    if "readonly" in text or "unable to open" in text or "permission" in text.lower():
        return (
            f"cannot write the database {path}; make the directory writable "
            f"or set PENGUIN_HOME to a writable directory"
        )
    if "locked" in text:
        return f"the database {path} is busy (locked by another process); try again"
    return f"database error in {path}: {text}"


class Store:
    """The single writer of penguin-tui's SQLite file; every method is one short transaction."""

    def __init__(self, connection: aiosqlite.Connection, path: Path, redact: Redact) -> None:
        self._db = connection
        self.path = path
        self._redact = redact
        # One write at a time on the one connection: a statement of another task must never
        # land inside (or be rolled back with) a transaction it is not part of.
        self._writing = asyncio.Lock()
        # Transactions that run to their end even when their caller stopped waiting.
        self._finishing: set[asyncio.Task[None]] = set()
        self._closed = False

    # -- opening and migrating -------------------------------------------------------------

    @classmethod
    async def open(cls, path: Path, redact: Redact | None = None) -> Store:
        """Open (creating if needed) and migrate the database; refuse a newer schema.

        The opening runs to its end even when the caller is cancelled (Ctrl+C at start), and
        what it opened is closed then: a connection left half-open keeps a thread that fails
        noisily once the event loop has closed."""
        _make_data_directory(path.parent)
        opening = asyncio.ensure_future(cls._open(path, redact or _no_redaction))
        try:
            return await asyncio.shield(opening)
        except asyncio.CancelledError:
            with contextlib.suppress(Exception):  # how it ended no longer matters
                await (await opening).close()
            raise

    @classmethod
    async def _open(cls, path: Path, redact: Redact) -> Store:
        try:
            # SQLite opens the file before aiosqlite starts the connection's thread, so a file
            # that cannot be opened leaves no thread behind.
            raw = await asyncio.to_thread(_connect, path)
        except sqlite3.Error as error:
            raise StoreError(_explain(error, path)) from error
        store = cls(await aiosqlite.Connection(lambda: raw, 64), path, redact)
        try:
            await store._configure()
            await store._migrate()
        except sqlite3.Error as error:
            await store.close()
            raise StoreError(_explain(error, path)) from error
        except BaseException:
            await store.close()
            raise
        return store

    async def _configure(self) -> None:
        await self._db.execute("PRAGMA busy_timeout = 5000")
        await self._db.execute("PRAGMA foreign_keys = ON")
        # Refuse a newer schema before anything (even the journal mode) touches the file.
        await self._refuse_newer(await self.schema_version())
        await self._use_wal()
        await self._db.execute("PRAGMA synchronous = NORMAL")

    async def _use_wal(self) -> None:
        """Switch to WAL. SQLite answers "locked" at once, without waiting out the busy
        timeout, while another program is opening the same new file: wait here instead."""
        for attempt in range(WAL_ATTEMPTS):
            try:
                async with self._db.execute("PRAGMA journal_mode = WAL") as cursor:
                    await cursor.fetchone()
                return
            except sqlite3.OperationalError as error:
                if "locked" not in str(error) or attempt == WAL_ATTEMPTS - 1:
                    raise
                await asyncio.sleep(0.05)

    async def schema_version(self) -> int:
        async with self._db.execute("PRAGMA user_version") as cursor:
            row = await cursor.fetchone()
        return int(row[0]) if row else 0

    async def _refuse_newer(self, version: int) -> None:
        if version > LATEST_VERSION:
            raise StoreError(
                f"the database {self.path} was written by a newer penguin-tui "
                f"(schema {version}, this one knows {LATEST_VERSION}); upgrade penguin-tui"
            )

    async def _migrate(self) -> None:
        version = await self.schema_version()
        await self._refuse_newer(version)
        if version == LATEST_VERSION:
            return
        if version > 0:
            await self._backup(version)
        # Rebuilding a table (to change a CHECK) needs foreign keys off; they are checked after.
        await self._db.execute("PRAGMA foreign_keys = OFF")
        # Under the write lock the version is read again: another process starting at the
        # same moment may have migrated meanwhile, and must not be migrated over.
        await self._db.execute("BEGIN IMMEDIATE")
        try:
            reached = await self.schema_version()
            await self._refuse_newer(reached)
            for target in range(reached + 1, LATEST_VERSION + 1):
                for statement in _statements(MIGRATIONS[target - 1]):
                    await self._db.execute(statement)
                await self._db.execute(f"PRAGMA user_version = {target}")
            await self._db.execute("COMMIT")
        except BaseException:
            if self._db.in_transaction:
                await self._db.execute("ROLLBACK")
            raise
        async with self._db.execute("PRAGMA foreign_key_check") as cursor:
            broken = await cursor.fetchall()
        await self._db.execute("PRAGMA foreign_keys = ON")
        if broken:
            raise StoreError(
                f"the migration of {self.path} left broken references; restore the backup"
            )

    async def _backup(self, version: int) -> Path:
        backups = self.path.parent / "backups"
        backups.mkdir(parents=True, exist_ok=True)
        target = backups / f"{self.path.stem}-schema{version}-{int(time.time())}.db"
        try:
            await self._db.execute("VACUUM INTO ?", (str(target),))
        except sqlite3.OperationalError:
            # Another program starting this same second took this very backup already.
            if not target.exists():
                raise
        return target

    async def close(self) -> None:
        """Let the writes under way finish, then close the connection and end its thread.
        Closing twice is harmless; any use after it is a StoreError."""
        if self._closed:
            return
        self._closed = True
        await asyncio.gather(*self._finishing, return_exceptions=True)
        async with self._writing:
            await self._db.close()

    def _check_open(self) -> None:
        if self._closed:
            raise StoreError(f"the database {self.path} is already closed")

    # -- helpers ---------------------------------------------------------------------------

    async def _write(self, sql: str, params: Iterable[Any] = ()) -> None:
        self._check_open()
        try:
            async with self._writing:
                await self._db.execute(sql, tuple(params))
        except sqlite3.Error as error:
            raise StoreError(_explain(error, self.path)) from error

    async def _write_many(
        self, statements: list[tuple[str, tuple[Any, ...]]], durable: bool = False
    ) -> None:
        """Several writes in one transaction: all land or none do. Shielded: a cancelled
        caller never leaves the connection inside an open transaction (the queued BEGIN or
        COMMIT would run anyway), it only stops waiting for the outcome."""
        self._check_open()
        finishing = asyncio.ensure_future(self._run_transaction(statements, durable))
        self._finishing.add(finishing)
        finishing.add_done_callback(self._finishing.discard)
        try:
            await asyncio.shield(finishing)
        except asyncio.CancelledError:
            finishing.add_done_callback(_log_unseen_failure)
            raise

    async def _run_transaction(
        self, statements: list[tuple[str, tuple[Any, ...]]], durable: bool
    ) -> None:
        async with self._writing:
            await self._transaction_now(statements, durable)

    async def _transaction_now(
        self, statements: list[tuple[str, tuple[Any, ...]]], durable: bool
    ) -> None:
        try:
            if durable:
                # On disk before anything that depends on it (WAL + NORMAL syncs only at
                # checkpoints): a power cut must not keep what came after and lose this.
                await self._db.execute("PRAGMA synchronous = FULL")
            try:
                await self._db.execute("BEGIN IMMEDIATE")
                try:
                    for sql, params in statements:
                        await self._db.execute(sql, params)
                except BaseException:
                    await self._db.execute("ROLLBACK")
                    raise
                await self._db.execute("COMMIT")
            finally:
                if durable:
                    await self._db.execute("PRAGMA synchronous = NORMAL")
        except sqlite3.Error as error:
            raise StoreError(_explain(error, self.path)) from error

    async def transaction(
        self, statements: list[tuple[str, tuple[Any, ...]]], *, durable: bool = False
    ) -> None:
        """Several writes that land together or not at all (for the services' own tables);
        ``durable``: synced to disk before this returns, whatever the power does next."""
        await self._write_many(statements, durable)

    async def query(self, sql: str, params: Iterable[Any] = ()) -> list[sqlite3.Row]:
        """Rows of a read-only query (for the services' own tables)."""
        return await self._rows(sql, params)

    async def _rows(self, sql: str, params: Iterable[Any] = ()) -> list[sqlite3.Row]:
        self._check_open()
        try:
            self._db.row_factory = sqlite3.Row
            async with self._db.execute(sql, tuple(params)) as cursor:
                return list(await cursor.fetchall())
        except sqlite3.Error as error:
            raise StoreError(_explain(error, self.path)) from error

    # -- projects and sessions -------------------------------------------------------------

    async def ensure_project(self, root: Path) -> Project:
        """The project for ``root`` (an absolute, resolved path), created on first use.

        A folder name that is not UTF-8 is kept with its bad bytes as ``\\xNN`` (the
        database holds UTF-8); the project returned holds the path itself.
        """
        key = printable(str(root))
        rows = await self._rows("SELECT * FROM projects WHERE root = ?", (key,))
        if not rows:
            project_id = uuid.uuid4().hex[:12]
            await self._write(
                "INSERT INTO projects (id, root, created_at) VALUES (?, ?, ?)",
                (project_id, key, time.time()),
            )
            rows = await self._rows("SELECT * FROM projects WHERE id = ?", (project_id,))
        row = rows[0]
        return Project(id=row["id"], root=str(root), created_at=row["created_at"])

    async def create_session(self, project_id: str, model: str | None) -> Session:
        session_id = uuid.uuid4().hex[:12]
        now = time.time()
        await self._write_many(
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
        rows = await self._rows(
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
        rows = await self._rows(
            "SELECT * FROM sessions WHERE project_id = ? ORDER BY updated_at DESC LIMIT 1",
            (project_id,),
        )
        return _session(rows[0]) if rows else None

    async def list_sessions(self, project_id: str | None = None) -> list[SessionSummary]:
        """Sessions, newest first, with message counts, last text and usage totals."""
        where, params = ("WHERE s.project_id = ?", (project_id,)) if project_id else ("", ())
        rows = await self._rows(
            f"""
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
            """,
            params,
        )
        return [
            SessionSummary(
                session=_session(row),
                project_root=row["project_root"],
                messages=row["message_count"],
                last_text=row["last_text"] or "",
                usage=_totals(
                    row["calls"],
                    row["input_tokens"],
                    row["output_tokens"],
                    row["cost"],
                    row["unpriced"],
                ),
            )
            for row in rows
        ]

    async def touch_session(self, session_id: str, title: str | None = None) -> None:
        if title is None:
            await self._write(
                "UPDATE sessions SET updated_at = ? WHERE id = ?", (time.time(), session_id)
            )
        else:
            await self._write(
                "UPDATE sessions SET updated_at = ?, title = CASE WHEN title = '' THEN ? "
                "ELSE title END WHERE id = ?",
                (time.time(), self._redact(title), session_id),
            )

    # -- messages and branches -------------------------------------------------------------

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
        await self._write_many(
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
    ) -> None:
        calls = (
            json.dumps([[c.call_id, c.tool, self._redact(c.arguments)] for c in tool_calls])
            if tool_calls
            else None
        )
        await self._write(
            "UPDATE messages SET content = ?, reasoning = ?, status = ?, tool_calls = ?,"
            " updated_at = ? WHERE id = ?",
            (
                self._redact(content),
                self._redact(reasoning),
                status.value,
                calls,
                time.time(),
                message_id,
            ),
        )

    async def get_message(self, message_id: str) -> Message:
        rows = await self._rows("SELECT * FROM messages WHERE id = ?", (message_id,))
        if not rows:
            raise StoreError(f"message {message_id} is missing from {self.path}")
        return _message(rows[0])

    async def branch_head(self, session_id: str, branch: str | None = None) -> str | None:
        """The head message of ``branch`` (default: the session's current branch)."""
        rows = await self._rows(
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
        rows = await self._rows(
            """
            WITH RECURSIVE path(id, depth) AS (
                SELECT ?, 0
                UNION ALL
                SELECT m.parent_id, path.depth + 1 FROM messages m JOIN path ON m.id = path.id
                WHERE m.parent_id IS NOT NULL
            )
            SELECT m.* FROM path JOIN messages m ON m.id = path.id ORDER BY path.depth DESC
            """,
            (message_id,),
        )
        return [_message(row) for row in rows]

    async def current_branch(self, session_id: str) -> str:
        rows = await self._rows("SELECT current_branch FROM sessions WHERE id = ?", (session_id,))
        return str(rows[0]["current_branch"]) if rows else "main"

    async def branch_names(self, session_id: str) -> list[str]:
        rows = await self._rows(
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
        rows = await self._rows(f"SELECT COUNT(*) AS n FROM messages WHERE {where}", params)
        count = int(rows[0]["n"])
        if count:
            await self._write(f"UPDATE messages SET status = 'interrupted' WHERE {where}", params)
        return count

    # -- usage and events ------------------------------------------------------------------

    async def record_usage(self, usage: UsageRecord) -> None:
        await self._write(
            "INSERT INTO usage (session_id, message_id, model, input_tokens, output_tokens,"
            " cache_read_tokens, cache_write_tokens, reasoning_tokens, cost_usd, cost_source,"
            " tokens_source, ttft_ms, duration_ms, created_at)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (
                usage.session_id,
                usage.message_id,
                usage.model,
                usage.input_tokens,
                usage.output_tokens,
                usage.cache_read_tokens,
                usage.cache_write_tokens,
                usage.reasoning_tokens,
                usage.cost_usd,
                usage.cost_source,
                usage.tokens_source,
                usage.ttft_ms,
                usage.duration_ms,
                time.time(),
            ),
        )

    async def usage_rows(self, session_id: str) -> list[UsageRecord]:
        rows = await self._rows(
            "SELECT * FROM usage WHERE session_id = ? ORDER BY id", (session_id,)
        )
        return [
            UsageRecord(
                session_id=row["session_id"],
                message_id=row["message_id"],
                model=row["model"],
                input_tokens=row["input_tokens"],
                output_tokens=row["output_tokens"],
                cache_read_tokens=row["cache_read_tokens"],
                cache_write_tokens=row["cache_write_tokens"],
                reasoning_tokens=row["reasoning_tokens"],
                cost_usd=row["cost_usd"],
                cost_source=row["cost_source"],
                ttft_ms=row["ttft_ms"],
                duration_ms=row["duration_ms"],
                tokens_source=row["tokens_source"],
            )
            for row in rows
        ]

    async def session_usage(self, session_id: str) -> UsageTotals:
        rows = await self._rows(
            "SELECT COUNT(*) AS calls, COALESCE(SUM(input_tokens), 0) AS i,"
            " COALESCE(SUM(output_tokens), 0) AS o, SUM(cost_usd) AS cost,"
            " SUM(CASE WHEN cost_usd IS NULL THEN 1 ELSE 0 END) AS unpriced"
            " FROM usage WHERE session_id = ?",
            (session_id,),
        )
        row = rows[0]
        return _totals(row["calls"], row["i"], row["o"], row["cost"], row["unpriced"] or 0)

    async def append_event(self, event: Event) -> None:
        """Persist a durable event (redacted) before the bus delivers it."""
        await self._write(
            "INSERT INTO events (session_id, seq, type, payload, ts) VALUES (?, ?, ?, ?, ?)",
            (event.session_id, event.seq, event.type, self._redact(event.to_json()), event.ts),
        )

    async def max_event_seq(self) -> int:
        rows = await self._rows("SELECT COALESCE(MAX(seq), 0) AS seq FROM events")
        return int(rows[0]["seq"])

    async def event_payloads(self, session_id: str) -> list[str]:
        rows = await self._rows(
            "SELECT payload FROM events WHERE session_id = ? ORDER BY seq", (session_id,)
        )
        return [row["payload"] for row in rows]

    # -- permission grants ------------------------------------------------------------------

    async def add_permission_rule(
        self, project_id: str, tool: str, pattern: str, action: str
    ) -> None:
        """A rule the user granted for a whole project ("allow always, in this project")."""
        await self._write(
            "INSERT INTO permission_rules (project_id, tool, pattern, action, created_at)"
            " VALUES (?, ?, ?, ?, ?)",
            (project_id, tool, self._redact(pattern), action, time.time()),
        )

    async def permission_rules(self, project_id: str) -> list[tuple[str, str, str]]:
        """(tool, pattern, action) of the rules granted for the project, oldest first."""
        rows = await self._rows(
            "SELECT tool, pattern, action FROM permission_rules WHERE project_id = ? ORDER BY id",
            (project_id,),
        )
        return [(row["tool"], row["pattern"], row["action"]) for row in rows]

    # -- the audit log ---------------------------------------------------------------------

    async def record_tool_call(self, entry: AuditEntry) -> None:
        """One row of the audit log; arguments and summary are redacted like everything else."""
        await self._write(
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
        rows = await self._rows(
            f"SELECT t.* FROM tool_calls t {where} ORDER BY t.started_at, t.id", params
        )
        return [
            AuditEntry(
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
            for row in rows
        ]


def _session(row: sqlite3.Row) -> Session:
    return Session(
        id=row["id"],
        project_id=row["project_id"],
        title=row["title"],
        model=row["model"],
        created_at=row["created_at"],
        updated_at=row["updated_at"],
    )


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


def _totals(
    calls: int, input_tokens: int, output_tokens: int, cost: float | None, unpriced: int
) -> UsageTotals:
    return UsageTotals(
        calls=calls,
        input_tokens=input_tokens,
        output_tokens=output_tokens,
        cost_usd=None if (calls and unpriced == calls) else (cost or 0.0 if calls else None),
        unpriced_calls=unpriced,
    )
