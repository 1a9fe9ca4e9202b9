"""How often git goes over a project's files: a first snapshot reads each file once and keeps
what it read in one pack, and holds exactly what ``git add -A`` would.

Real files and a real git; raw git on a bare repository of its own is the yardstick.
"""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest

from penguin_tui.checkpoints.git import clean_environment
from penguin_tui.checkpoints.shadow import GC_MARKER, ShadowRepo

CAP = 1000


def raw_git(git_dir: Path, work_tree: Path, *args: str) -> str:
    done = subprocess.run(
        ["git", f"--git-dir={git_dir}", f"--work-tree={work_tree}", *args],
        cwd=work_tree,
        env=clean_environment(),
        capture_output=True,
        text=True,
        check=True,
    )
    return done.stdout.strip()


def objects(git_dir: Path) -> dict[str, int]:
    """``git count-objects -v``: loose ``count``, ``in-pack`` and ``packs``."""
    out = subprocess.run(
        ["git", f"--git-dir={git_dir}", "count-objects", "-v"],
        env=clean_environment(),
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    return {key: int(value) for key, value in (line.split(": ") for line in out.splitlines())}


def many_files(root: Path, count: int) -> None:
    """``count`` small files in nested folders, a symlink, an executable, an empty file, an
    ignored file and one over the cap."""
    for number in range(count):
        folder = root / f"pkg_{number % 7}" / f"sub_{number % 3}"
        folder.mkdir(parents=True, exist_ok=True)
        (folder / f"module_{number}.py").write_text(f"value = {number}\n" * (number % 5 + 1))
    (root / "run.sh").write_text("#!/bin/sh\necho hi\n")
    (root / "run.sh").chmod(0o755)
    (root / "empty.txt").write_bytes(b"")
    os.symlink("pkg_0/sub_0/module_0.py", root / "link.py")
    (root / ".gitignore").write_text("*.log\n")
    (root / "debug.log").write_text("noise\n")
    (root / "big.bin").write_bytes(b"x" * (CAP + 1))


@pytest.fixture
def shadow(tmp_path: Path) -> ShadowRepo:
    root = tmp_path / "project"
    root.mkdir()
    repo = ShadowRepo(tmp_path / "data" / "p.git", root, max_file_bytes=CAP)
    repo.open()
    return repo


def test_a_first_snapshot_of_many_files_keeps_them_in_one_pack_holding_what_add_holds(
    tmp_path: Path, shadow: ShadowRepo, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("penguin_tui.checkpoints.shadow.PACK_FILES", 50)
    many_files(shadow.work_tree, 120)

    snap = shadow.snapshot()

    raw = tmp_path / "raw.git"
    subprocess.run(["git", "init", "--bare", "-q", str(raw)], env=clean_environment(), check=True)
    (raw / "info" / "exclude").write_text("/big.bin\n")
    raw_git(raw, shadow.work_tree, "add", "-A")
    assert snap.tree == raw_git(raw, shadow.work_tree, "write-tree")
    assert [skipped.path for skipped in snap.skipped] == ["big.bin"]
    stored = objects(shadow.git_dir)
    assert stored["packs"] == 1
    assert stored["in-pack"] >= 120  # every file's content, read once, in one pack
    assert stored["count"] < 40  # loose: the folders' trees, the symlink, the empty file
    shadow.close()


def test_a_long_snapshot_into_one_pack_says_how_far_it_got(
    shadow: ShadowRepo, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Counted from how far git has read the list of files (``--verbose`` would make git
    close its pack after every file); long names, so the list is far longer than the pipe."""
    monkeypatch.setattr("penguin_tui.checkpoints.shadow.PACK_FILES", 50)
    monkeypatch.setattr("penguin_tui.checkpoints.shadow.PROGRESS_EVERY_S", 0.0)
    folder = shadow.work_tree / ("a folder with a long name " * 4).strip()
    folder.mkdir()
    for index in range(400):
        (folder / f"{'a file with a long name ' * 6}{index}.txt").write_text(f"file {index}\n")
    said: list[str] = []

    snap = shadow.snapshot(said.append)

    counts = [int(text.split()[1].replace(",", "")) for text in said]
    assert all(
        text == f"snapshotting {n:,} of 400 files" for n, text in zip(counts, said, strict=True)
    )
    assert counts == sorted(counts) and 0 < counts[-1] <= 400
    assert len(shadow.tree_entries(snap.tree)) == 400
    assert objects(shadow.git_dir)["packs"] == 1
    shadow.close()


def test_a_few_changed_files_stay_loose_objects(
    shadow: ShadowRepo, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("penguin_tui.checkpoints.shadow.PACK_FILES", 50)
    many_files(shadow.work_tree, 120)
    shadow.snapshot()
    for number in range(5):
        (shadow.work_tree / f"pkg_0/sub_0/new_{number}.py").write_text(f"new {number}\n")

    shadow.snapshot()

    assert objects(shadow.git_dir)["packs"] == 1  # no pack a snapshot: they would pile up
    shadow.close()


def test_a_new_shadow_repository_has_no_garbage_to_collect_until_a_day_later(
    shadow: ShadowRepo,
) -> None:
    marker = shadow.git_dir / GC_MARKER
    assert marker.exists()
    made = marker.stat().st_mtime

    shadow.close()
    again = ShadowRepo(shadow.git_dir, shadow.work_tree, max_file_bytes=CAP)
    again.open()  # an existing repository keeps the time of its last collection

    assert marker.stat().st_mtime == made
    again.close()
