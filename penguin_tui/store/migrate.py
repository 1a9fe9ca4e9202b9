"""Bringing a database file to the schema this penguin-tui knows: settings, WAL, a backup, then
each migration of ``schema.MIGRATIONS`` in one transaction; a newer schema is refused untouched."""

from __future__ import annotations

import asyncio
import sqlite3
import time
from pathlib import Path

import aiosqlite

from penguin_tui.errors import StoreError
from penguin_tui.store.schema import LATEST_VERSION, MIGRATIONS

WAL_ATTEMPTS = 100  # 5 s at 50 ms, like the busy timeout


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


async def schema_version(db: aiosqlite.Connection) -> int:
    """The migration the file has reached (``PRAGMA user_version``)."""
    async with db.execute("PRAGMA user_version") as cursor:
        row = await cursor.fetchone()
    return int(row[0]) if row else 0


def _refuse_newer(version: int, path: Path) -> None:
    if version > LATEST_VERSION:
        raise StoreError(
            f"the database {path} was written by a newer penguin-tui "
            f"(schema {version}, this one knows {LATEST_VERSION}); upgrade penguin-tui"
        )


async def configure(db: aiosqlite.Connection, path: Path) -> None:
    """The connection's settings; a newer schema is refused before the journal mode changes."""
    await db.execute("PRAGMA busy_timeout = 5000")
    await db.execute("PRAGMA foreign_keys = ON")
    # Refuse a newer schema before anything (even the journal mode) touches the file.
    _refuse_newer(await schema_version(db), path)
    await _use_wal(db)
    await db.execute("PRAGMA synchronous = NORMAL")


async def _use_wal(db: aiosqlite.Connection) -> None:
    """Switch to WAL. SQLite answers "locked" at once, without waiting out the busy
    timeout, while another program is opening the same new file: wait here instead."""
    for attempt in range(WAL_ATTEMPTS):
        try:
            async with db.execute("PRAGMA journal_mode = WAL") as cursor:
                await cursor.fetchone()
            return
        except sqlite3.OperationalError as error:
            if "locked" not in str(error) or attempt == WAL_ATTEMPTS - 1:
                raise
            await asyncio.sleep(0.05)


async def migrate(db: aiosqlite.Connection, path: Path) -> None:
    """Run the migrations the file has not reached, after a backup of an existing file."""
    version = await schema_version(db)
    _refuse_newer(version, path)
    if version == LATEST_VERSION:
        return
    if version > 0:
        await _backup(db, path, version)
    # Rebuilding a table (to change a CHECK) needs foreign keys off; they are checked after.
    await db.execute("PRAGMA foreign_keys = OFF")
    # Under the write lock the version is read again: another process starting at the
    # same moment may have migrated meanwhile, and must not be migrated over.
    await db.execute("BEGIN IMMEDIATE")
    try:
        reached = await schema_version(db)
        _refuse_newer(reached, path)
        for target in range(reached + 1, LATEST_VERSION + 1):
            for statement in _statements(MIGRATIONS[target - 1]):
                await db.execute(statement)
            await db.execute(f"PRAGMA user_version = {target}")
        await db.execute("COMMIT")
    except BaseException:
        if db.in_transaction:
            await db.execute("ROLLBACK")
        raise
    async with db.execute("PRAGMA foreign_key_check") as cursor:
        broken = await cursor.fetchall()
    await db.execute("PRAGMA foreign_keys = ON")
    if broken:
        raise StoreError(f"the migration of {path} left broken references; restore the backup")


async def _backup(db: aiosqlite.Connection, path: Path, version: int) -> Path:
    backups = path.parent / "backups"
    backups.mkdir(parents=True, exist_ok=True)
    target = backups / f"{path.stem}-schema{version}-{int(time.time())}.db"
    try:
        await db.execute("VACUUM INTO ?", (str(target),))
    except sqlite3.OperationalError:
        # Another program starting this same second took this very backup already.
        if not target.exists():
            raise
    return target
