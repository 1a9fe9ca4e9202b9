"""One place says why the disk refused a write, whoever reports it."""

from __future__ import annotations

import errno
import signal
import sqlite3
from pathlib import Path

import pytest

from penguin_tui.disk_limits import DiskLimit, of_git, of_os_error, of_sqlite_error


def test_writing_to_a_full_device_is_disk_full() -> None:
    if not Path("/dev/full").exists():
        pytest.skip("no /dev/full here")
    with pytest.raises(OSError) as raised, open("/dev/full", "wb", buffering=0) as device:
        device.write(b"x")
    assert of_os_error(raised.value) is DiskLimit.FULL


@pytest.mark.parametrize(
    ("code", "limit"),
    [
        (errno.ENOSPC, DiskLimit.FULL),
        (errno.EDQUOT, DiskLimit.FULL),
        (errno.EFBIG, DiskLimit.FILE_SIZE),
        (errno.EACCES, None),
    ],
)
def test_os_errors_by_errno(code: int, limit: DiskLimit | None) -> None:
    assert of_os_error(OSError(code, "refused")) is limit


def test_sqlite_full_is_disk_full(tmp_path: Path) -> None:
    """SQLite's own SQLITE_FULL, reached here through its page limit."""
    db = sqlite3.connect(tmp_path / "small.db")
    db.execute("PRAGMA max_page_count = 2")
    with pytest.raises(sqlite3.OperationalError) as raised:
        db.execute("CREATE TABLE t (x)")
        db.execute("INSERT INTO t VALUES (zeroblob(100000))")
    db.close()
    assert of_sqlite_error(raised.value, [tmp_path / "small.db"]) is DiskLimit.FULL


def test_other_sqlite_errors_are_not_a_disk_limit(tmp_path: Path) -> None:
    error = sqlite3.OperationalError("no such table: x")
    assert of_sqlite_error(error, [tmp_path / "none.db"]) is None


@pytest.mark.parametrize(
    ("returncode", "stderr", "limit"),
    [
        (-signal.SIGXFSZ, "", DiskLimit.FILE_SIZE),
        (128, "error: unable to write file: File too large", DiskLimit.FILE_SIZE),
        (128, "fatal: write error: No space left on device", DiskLimit.FULL),
        (128, "fatal: Disk quota exceeded", DiskLimit.FULL),
        (128, "fatal: not a git repository", None),
        (1, "", None),
    ],
)
def test_git_failures(returncode: int, stderr: str, limit: DiskLimit | None) -> None:
    assert of_git(returncode, stderr) is limit
