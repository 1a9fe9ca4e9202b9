"""Why a write was refused by the disk: it is full, or the file size limit was reached.

Each writer says it its own way: Python raises ``OSError`` with ENOSPC or EFBIG, SQLite answers
``SQLITE_FULL`` or only "disk I/O error" (it keeps the errno to itself), git prints "No space
left on device" or is killed by SIGXFSZ (exit code -25). This module turns all of them into
one plain reason, so every message says "disk full" or "file size limit" the same way.
"""

from __future__ import annotations

import contextlib
import errno
import os
import resource
import signal
import sqlite3
from collections.abc import Iterable
from enum import Enum
from pathlib import Path

SQLITE_IOERR = 10
SQLITE_FULL = 13
# Room a write may still need: SQLite writes a page (and a WAL frame header) at a time.
NEAR_LIMIT_BYTES = 1 << 20


class DiskLimit(Enum):
    """What stopped a write, in the words the user reads."""

    FULL = "disk full"
    FILE_SIZE = "file size limit"

    @property
    def advice(self) -> str:
        """What to do about it."""
        if self is DiskLimit.FULL:
            return "free some space and try again"
        limit = file_size_limit()
        where = f" (now {_size(limit)})" if limit is not None else ""
        return f"raise the file size limit{where}, e.g. `ulimit -f unlimited`, and try again"


def file_size_limit() -> int | None:
    """The largest file this process may write, in bytes (``ulimit -f``); None: no limit."""
    soft, _ = resource.getrlimit(resource.RLIMIT_FSIZE)
    return None if soft == resource.RLIM_INFINITY else soft


def of_os_error(error: OSError) -> DiskLimit | None:
    """ENOSPC or EDQUOT: full; EFBIG: over the file size limit."""
    if error.errno in (errno.ENOSPC, errno.EDQUOT):
        return DiskLimit.FULL
    if error.errno == errno.EFBIG:
        return DiskLimit.FILE_SIZE
    return None


def of_sqlite_error(error: sqlite3.Error, files: Iterable[Path]) -> DiskLimit | None:
    """``SQLITE_FULL`` is a full disk. SQLite reports a refused write (EFBIG among others) as
    a bare I/O error, so for one the facts decide: a file of ``files`` (the database and its
    journals) at the file size limit, or no free space left where they live."""
    code = getattr(error, "sqlite_errorcode", None)
    primary = code & 0xFF if isinstance(code, int) else None
    text = str(error)
    if primary == SQLITE_FULL or "database or disk is full" in text:
        return DiskLimit.FULL
    if primary != SQLITE_IOERR and "disk I/O error" not in text:
        return None
    paths = list(files)
    if _at_size_limit(paths):
        return DiskLimit.FILE_SIZE
    if _no_space_left(paths):
        return DiskLimit.FULL
    return None


def of_git(returncode: int, stderr: str) -> DiskLimit | None:
    """Git killed by SIGXFSZ (exit code -25) or saying "File too large": the file size limit;
    "No space left on device" or "Disk quota exceeded": full."""
    if returncode in (-signal.SIGXFSZ, 128 + signal.SIGXFSZ) or "File too large" in stderr:
        return DiskLimit.FILE_SIZE
    if "No space left on device" in stderr or "Disk quota exceeded" in stderr:
        return DiskLimit.FULL
    return None


def _at_size_limit(files: list[Path]) -> bool:
    limit = file_size_limit()
    if limit is None:
        return False
    for path in files:
        with contextlib.suppress(OSError):
            if path.stat().st_size + min(NEAR_LIMIT_BYTES, limit // 2) >= limit:
                return True
    return False


def _no_space_left(files: list[Path]) -> bool:
    for path in files:
        with contextlib.suppress(OSError):
            stats = os.statvfs(path if path.exists() else path.parent)
            return stats.f_bavail * stats.f_frsize < NEAR_LIMIT_BYTES
    return False


def _size(count: int) -> str:
    """A byte count as ``ulimit -f`` users think of it (its unit is 1 KB)."""
    for power, unit in ((3, "GB"), (2, "MB"), (1, "KB")):
        if count >= 1024**power:
            return f"{count / 1024**power:.0f} {unit}"
    return f"{count} bytes"
