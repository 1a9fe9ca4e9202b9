"""kill -9 in the middle of a revert: the next start finishes it or drops it, never half.

A child process makes a project of 2,000 files of 20 KB, checkpoints it twice and reverts to
the first checkpoint; the test kills it while the restore is under way (its journal is on
disk), opens the project's checkpoints again and compares every file, and the records: a
revert whose records landed is finished and undoable; one whose records never landed is
dropped, and nothing moved.
"""

from __future__ import annotations

import asyncio
import hashlib
import os
import signal
import sqlite3
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import pytest

from penguin_tui.checkpoints.git import clean_environment
from penguin_tui.checkpoints.model import OperationState
from penguin_tui.checkpoints.shadow import RestoreResult
from penguin_tui.store import Store
from tests.conftest import open_checkpoint_service

FILES = 2000
SIZE = 20 * 1024

CHILD = """
import asyncio, sys
from pathlib import Path
from penguin_tui.bus import EventBus
from penguin_tui.checkpoints.service import CheckpointService
from penguin_tui.config.paths import DataPaths
from penguin_tui.config.settings import CheckpointSettings
from penguin_tui.store import Store
from penguin_tui.checkpoints.model import CheckpointKind, RevertMode

root, home = Path(sys.argv[1]), Path(sys.argv[2])
files, size = int(sys.argv[3]), int(sys.argv[4])
pause = sys.argv[5]  # "", "before the records" or "after the records"

def write_all(version: str) -> None:
    for index in range(files):
        line = f"{version} file {index} ".encode()
        path = root / f"dir{index % 20:02}" / f"file{index:04}.txt"
        path.parent.mkdir(exist_ok=True)
        path.write_bytes((line * (size // len(line) + 1))[:size])

async def main() -> None:
    store = await Store.open(home / "penguin.db")
    service = CheckpointService(
        store, EventBus(sink=store), CheckpointSettings(), await store.ensure_project(root),
        DataPaths(root=home, config_dir=home),
    )
    await service.open()
    session = (await store.create_session(service.project.id, None)).id
    write_all("before")
    first = await service.create(session, CheckpointKind.MANUAL, "first")
    write_all("after")
    (root / "only-after.txt").write_text("made after the first checkpoint")
    await service.create(session, CheckpointKind.MANUAL, "second")
    transaction = store.transaction

    async def pausing(statements, durable=False):
        is_commit = any("restore_commits" in sql for sql, _params in statements)
        if is_commit and pause == "before the records":
            print("paused", flush=True)
            await asyncio.sleep(600)
        await transaction(statements, durable=durable)
        if is_commit and pause == "after the records":
            print("paused", flush=True)
            await asyncio.sleep(600)

    store.transaction = pausing
    print("reverting", flush=True)
    await service.revert(session, first.id, RevertMode.CODE)
    print("reverted", flush=True)

asyncio.run(main())
"""


def content(version: str, index: int) -> bytes:
    line = f"{version} file {index} ".encode()
    return (line * (SIZE // len(line) + 1))[:SIZE]


def expected(version: str) -> dict[str, bytes]:
    files = {
        f"dir{index % 20:02}/file{index:04}.txt": content(version, index) for index in range(FILES)
    }
    if version == "after":
        files["only-after.txt"] = b"made after the first checkpoint"
    return files


def project_files(root: Path) -> dict[str, bytes]:
    found: dict[str, bytes] = {}
    for directory, dirs, names in os.walk(root):
        dirs[:] = [name for name in dirs if name != ".git"]
        for name in names:
            full = Path(directory) / name
            found[full.relative_to(root).as_posix()] = full.read_bytes()
    return found


def git_digest(folder: Path) -> str:
    hashed = hashlib.sha256()
    for directory, dirs, names in sorted(os.walk(folder)):
        dirs.sort()
        for name in sorted(names):
            full = Path(directory) / name
            hashed.update(os.fsencode(full.relative_to(folder)) + b"\0" + full.read_bytes())
    return hashed.hexdigest()


def holds_target(file: Path) -> bool:
    try:
        return file.read_bytes()[:6] == b"before"
    except OSError:
        return False


@dataclass
class Recovery:
    """What the next start found and where the branch stands after it."""

    finished: RestoreResult | None
    dropped: bool
    position_label: str
    undoable: bool


async def recover(root: Path, home: Path, then_undo: bool = False) -> Recovery:
    """Open the project's checkpoints again, as the next start does (then undo, if asked)."""
    store = await Store.open(home / "penguin.db")
    try:
        service = await open_checkpoint_service(store, root, home)
        latest = await store.latest_session(service.project.id)
        assert latest is not None
        session = latest.id
        position = await service.position(session)
        undoable = await service.records.last_operation(session, OperationState.DONE) is not None
        if then_undo and undoable:
            await service.undo(session)
        await service.close()
        return Recovery(
            service.recovered,
            service.dropped_restore,
            position.label if position else "",
            undoable,
        )
    finally:
        await store.close()


WHEN = ["journal written, before the records", "records written", "half the files written"]


@pytest.mark.parametrize("when", WHEN)
def test_kill_9_mid_restore_ends_fully_done_or_fully_undone(tmp_path: Path, when: str) -> None:
    root, home = tmp_path / "project", tmp_path / "home"
    root.mkdir()
    (root / "README").write_text("a project with its own git")
    env = clean_environment()
    subprocess.run(["git", "init", "-q"], cwd=root, env=env, check=True)
    subprocess.run(["git", "add", "README"], cwd=root, env=env, check=True)
    subprocess.run(
        ["git", "-c", "user.name=u", "-c", "user.email=u@x", "commit", "-qm", "first"],
        cwd=root,
        env=env,
        check=True,
    )
    user_git = git_digest(root / ".git")
    pause = {WHEN[0]: "before the records", WHEN[1]: "after the records"}.get(when, "")

    child = subprocess.Popen(
        [sys.executable, "-c", CHILD, str(root), str(home), str(FILES), str(SIZE), pause],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert child.stdout is not None
        assert child.stderr is not None
        assert child.stdout.readline().strip() == "reverting", child.stderr.read()
        if pause:
            assert child.stdout.readline().strip() == "paused", child.stderr.read()
        deadline = time.monotonic() + 60
        journal: list[Path] = []
        while not journal:
            journal = list((home / "shadow").glob("*.git/penguin-restore.json"))
            assert child.poll() is None, "the revert finished before it could be interrupted"
            assert time.monotonic() < deadline, "the restore never started"
            time.sleep(0.0005)
        if when == "half the files written":
            # The restore writes in path order: wait until it is half-way through.
            halfway = root / sorted(expected("before"))[FILES // 2]
            while not holds_target(halfway):
                assert child.poll() is None, "the revert finished before it could be interrupted"
                time.sleep(0.0005)
        child.send_signal(signal.SIGKILL)
        child.wait(timeout=30)
    finally:
        if child.poll() is None:
            child.kill()
            child.wait()
        for stream in (child.stdout, child.stderr):
            if stream is not None:
                stream.close()

    assert journal[0].exists(), "the kill came after the restore had finished"
    if when == "half the files written":
        at_target = [v for v in project_files(root).values() if v.startswith(b"before")]
        assert 0 < len(at_target) < FILES, "the kill must land mid-restore"

    recovery = asyncio.run(recover(root, home))
    files = project_files(root)
    files.pop("README")
    if pause == "before the records":
        # The revert was never recorded, and no file had been touched: it is dropped.
        assert recovery.dropped and recovery.finished is None
        assert files == expected("after"), "a revert that never landed must leave every file"
        assert recovery.position_label == "before revert to " + recovery.position_label[-8:]
        assert not recovery.undoable
    else:
        assert recovery.finished is not None and not recovery.dropped
        assert files == expected("before"), "the interrupted revert must be finished, file for file"
        assert recovery.position_label == "first", "the branch stands at the revert's target"
        assert recovery.undoable
        # ... and it undoes like any revert: back to every file as it was.
        asyncio.run(recover(root, home, then_undo=True))
        after_undo = project_files(root)
        after_undo.pop("README")
        assert after_undo == expected("after")
    assert not journal[0].exists()
    assert not any(name.startswith(".penguin-restore") for name in _all_names(root))
    assert git_digest(root / ".git") == user_git
    with sqlite3.connect(home / "penguin.db") as db:
        assert db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"


def _all_names(root: Path) -> list[str]:
    return [name for _directory, _dirs, names in os.walk(root) for name in names]
