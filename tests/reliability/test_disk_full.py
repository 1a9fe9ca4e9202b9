"""A full disk or a file size limit is said plainly ("disk full", "file size limit"), in one
line, and the database stays intact: the installed command under a real limit."""

from __future__ import annotations

import contextlib
import os
import resource
import signal
import sqlite3
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from penguin_tui.testing import ServerThread, run_in_thread
from tests.conftest import FAST_RETRIES, script

LIMIT_BYTES = 300 * 1024

LONG_REPLY = """
model = "m1"
rate = 0
[[turns]]
text = "lorem ipsum dolor sit amet, consectetur adipiscing elit "
repeat_text = 8000
"""

NOISE = ("Traceback", "Exception in thread", "RuntimeWarning", "disk I/O error", "exit code")


def installed_command() -> str:
    """The console script next to this interpreter (what `pip install` puts on the PATH)."""
    command = Path(sys.executable).parent / "penguin-tui"
    if not command.exists():
        pytest.fail("penguin-tui is not installed in this environment; run ./test.sh")
    return str(command)


def under_a_file_size_limit() -> None:
    """In the child: ``ulimit -f 300`` with SIGXFSZ ignored, so a write past the limit fails
    with EFBIG (git, started with the signal's default action, is killed by it instead)."""
    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
    resource.setrlimit(resource.RLIMIT_FSIZE, (LIMIT_BYTES, LIMIT_BYTES))


def penguin(
    home: Path, project: Path, *args: str, limited: bool = True
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [installed_command(), *args],
        cwd=project,
        env={**os.environ, "PENGUIN_HOME": str(home)},
        capture_output=True,
        text=True,
        timeout=180,
        preexec_fn=under_a_file_size_limit if limited else None,
    )


def one_clean_line(stderr: str) -> str:
    for noise in NOISE:
        assert noise not in stderr, stderr
    lines = stderr.splitlines()
    assert len(lines) == 1, stderr
    return lines[0]


def integrity(database: Path) -> str:
    with contextlib.closing(sqlite3.connect(database)) as db:
        return str(db.execute("PRAGMA integrity_check").fetchone()[0])


@pytest.fixture
def long_reply() -> Iterator[ServerThread]:
    """A reply of about 450 KB: more than the database may grow under the limit."""
    with run_in_thread(script(LONG_REPLY)) as thread:
        yield thread


def test_a_run_past_the_file_size_limit_says_so_and_keeps_the_database_intact(
    long_reply: ServerThread, project: Path, penguin_home: Path
) -> None:
    done = penguin(
        penguin_home,
        project,
        "run",
        "--model",
        "m1",
        "--api-base",
        long_reply.base_url,
        "write me a long text",
    )
    assert done.returncode == 1, done.stderr
    line = one_clean_line(done.stderr)
    assert line.startswith("penguin-tui: file size limit: the database ")
    assert "intact and keeps everything saved before" in line
    assert "raise the file size limit (now 300 KB)" in line

    database = penguin_home / "penguin.db"
    assert integrity(database) == "ok"
    with contextlib.closing(sqlite3.connect(database)) as db:
        prompts = db.execute("SELECT content FROM messages WHERE role = 'user'").fetchall()
    assert prompts == [("write me a long text",)]

    # Without the limit the next command works on the same database.
    listed = penguin(penguin_home, project, "sessions", "list", limited=False)
    assert listed.returncode == 0, listed.stderr


def test_a_checkpoint_past_the_file_size_limit_says_so(project: Path, penguin_home: Path) -> None:
    # Random bytes do not compress: git's object for it is over the limit.
    (project / "data.bin").write_bytes(os.urandom(LIMIT_BYTES * 2))
    done = penguin(penguin_home, project, "checkpoints", "create", "--label", "big")
    assert done.returncode == 1, done.stderr
    line = one_clean_line(done.stderr)
    assert line.startswith("penguin-tui: file size limit: git ")
    assert "raise the file size limit (now 300 KB)" in line
    assert integrity(penguin_home / "penguin.db") == "ok"


@pytest.fixture
def small_disk(tmp_path: Path) -> Iterator[Path]:
    """A 1 MB file system (tmpfs) to fill; skipped where mounting is not allowed."""
    mount_point = tmp_path / "small-disk"
    mount_point.mkdir()
    mounted = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=1m", "tmpfs", str(mount_point)],
        capture_output=True,
        check=False,
    )
    if mounted.returncode != 0:
        pytest.skip("cannot mount a small tmpfs here (needs root)")
    try:
        yield mount_point
    finally:
        subprocess.run(["umount", "-l", str(mount_point)], check=False)


def test_a_full_disk_is_said_plainly(
    long_reply: ServerThread, project: Path, small_disk: Path
) -> None:
    home = small_disk / "home"
    home.mkdir()
    (home / "config.toml").write_text(FAST_RETRIES, encoding="utf-8")
    done = penguin(
        home,
        project,
        "run",
        "--model",
        "m1",
        "--api-base",
        long_reply.base_url,
        "write me a long text",
        limited=False,
    )
    assert done.returncode == 1, done.stderr
    line = one_clean_line(done.stderr)
    assert line.startswith("penguin-tui: disk full: the database ")
    assert "free some space" in line
    assert integrity(home / "penguin.db") == "ok"

    (project / "data.bin").write_bytes(os.urandom(2 << 20))
    done = penguin(home, project, "checkpoints", "create", limited=False)
    assert done.returncode == 1, done.stderr
    line = one_clean_line(done.stderr)
    assert line.startswith("penguin-tui: disk full: ")
