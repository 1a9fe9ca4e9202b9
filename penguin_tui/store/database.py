"""The one aiosqlite connection: opened and migrated, one writer at a time, every SQLite error
turned into a one-line StoreError that says what to do."""

from __future__ import annotations

import asyncio
import logging
import sqlite3
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

import aiosqlite

from penguin_tui.disk_limits import of_os_error, of_sqlite_error
from penguin_tui.errors import StoreError
from penguin_tui.store.migrate import configure, migrate, schema_version

Statements = list[tuple[str, tuple[Any, ...]]]
Redact = Callable[[str], str]  # what the tables apply to every text they write

log = logging.getLogger("penguin_tui.store")


def make_data_directory(folder: Path) -> None:
    """Create the folder the database lives in, or say in one line why it cannot be."""
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


class Database:
    """The single writer connection of penguin-tui's SQLite file; the tables' classes read and
    write through it, each write one short transaction."""

    def __init__(self, connection: aiosqlite.Connection, path: Path) -> None:
        self._db = connection
        self.path = path
        # One write at a time on the one connection: a statement of another task must never
        # land inside (or be rolled back with) a transaction it is not part of.
        self._writing = asyncio.Lock()
        # Transactions that run to their end even when their caller stopped waiting.
        self._finishing: set[asyncio.Task[None]] = set()
        self._closed = False

    @classmethod
    async def open(cls, path: Path) -> Database:
        """Connect and migrate; a connection that fails on the way is closed again."""
        try:
            # SQLite opens the file before aiosqlite starts the connection's thread, so a file
            # that cannot be opened leaves no thread behind.
            raw = await asyncio.to_thread(_connect, path)
        except sqlite3.Error as error:
            raise StoreError(_explain(error, path)) from error
        database = cls(await aiosqlite.Connection(lambda: raw, 64), path)
        try:
            await configure(database._db, path)
            await migrate(database._db, path)
        except sqlite3.Error as error:
            await database.close()
            raise StoreError(_explain(error, path)) from error
        except BaseException:
            await database.close()
            raise
        return database

    async def close(self) -> None:
        """Let the writes under way finish, then close the connection and end its thread.
        Closing twice is harmless; any use after it is a StoreError."""
        if self._closed:
            return
        self._closed = True
        await asyncio.gather(*self._finishing, return_exceptions=True)
        async with self._writing:
            await self._db.close()

    async def schema_version(self) -> int:
        """The migration the file has reached (``PRAGMA user_version``)."""
        return await schema_version(self._db)

    def _check_open(self) -> None:
        if self._closed:
            raise StoreError(f"the database {self.path} is already closed")

    async def write(self, sql: str, params: Iterable[Any] = ()) -> None:
        """One statement in its own transaction."""
        self._check_open()
        try:
            async with self._writing:
                await self._db.execute(sql, tuple(params))
        except sqlite3.Error as error:
            raise StoreError(_explain(error, self.path)) from error

    async def write_many(self, statements: Statements, durable: bool = False) -> None:
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

    async def _run_transaction(self, statements: Statements, durable: bool) -> None:
        async with self._writing:
            await self._transaction_now(statements, durable)

    async def _transaction_now(self, statements: Statements, durable: bool) -> None:
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

    async def rows(self, sql: str, params: Iterable[Any] = ()) -> list[sqlite3.Row]:
        """Rows of a read-only query."""
        self._check_open()
        try:
            self._db.row_factory = sqlite3.Row
            async with self._db.execute(sql, tuple(params)) as cursor:
                return list(await cursor.fetchall())
        except sqlite3.Error as error:
            raise StoreError(_explain(error, self.path)) from error
