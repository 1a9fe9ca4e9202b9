"""How often git goes over a project's files: a first snapshot reads each file once and keeps
what it read in one pack, and holds exactly what ``git add -A`` would; a new process (each
command-line call is one) checks the tracked files against the ignore rules again only when
the rules or the shadow index changed.

Real files and a real git; raw git on a bare repository of its own is the yardstick.
"""

from __future__ import annotations

import os
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from penguin_tui.checkpoints.git import Git, clean_environment
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
    # Names git orders with care: a folder sorts as if it ended in "/" ('.' < '/' < '0').
    (root / "foo").mkdir()
    (root / "foo" / "inside.txt").write_text("in\n")
    for name in ("foo.txt", "foo-bar", "foo0"):
        (root / name).write_text(f"{name}\n")
    (root / os.fsdecode(b"caf\xe9.txt")).write_text("not UTF-8\n")


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
    assert stored["packs"] == 2  # the files' contents, read once, in one; the trees in another
    assert stored["in-pack"] == 127 + 30  # 127 files; the trees of 29 folders and the root
    assert stored["count"] == 2  # loose: the symlink's target and the empty file
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
    assert objects(shadow.git_dir)["packs"] == 2  # the files and the trees
    shadow.close()


def test_a_few_changed_files_stay_loose_objects(
    shadow: ShadowRepo, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("penguin_tui.checkpoints.shadow.PACK_FILES", 50)
    many_files(shadow.work_tree, 120)
    shadow.snapshot()
    packs = objects(shadow.git_dir)["packs"]
    for number in range(5):
        (shadow.work_tree / f"pkg_0/sub_0/new_{number}.py").write_text(f"new {number}\n")

    shadow.snapshot()

    assert objects(shadow.git_dir)["packs"] == packs  # no pack a snapshot: they would pile up
    shadow.close()


def test_a_later_snapshot_of_many_new_files_packs_them_but_not_every_tree_again(
    shadow: ShadowRepo, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("penguin_tui.checkpoints.shadow.PACK_FILES", 50)
    many_files(shadow.work_tree, 120)
    shadow.snapshot()
    packs = objects(shadow.git_dir)["packs"]
    (shadow.work_tree / "vendor").mkdir()
    for number in range(60):
        (shadow.work_tree / "vendor" / f"lib_{number}.js").write_text(f"lib {number}\n")

    snap = shadow.snapshot()

    assert objects(shadow.git_dir)["packs"] == packs + 1  # the new files; their trees loose
    assert len([p for p in shadow.tree_entries(snap.tree) if p.startswith("vendor/")]) == 60
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


# -- the ignore rules, checked again only when they may have changed -------------------------


@contextmanager
def git_commands(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[list[str]]]:
    """The arguments of every git call run inside the block."""
    calls: list[list[str]] = []
    original = Git.run_raw

    def run_raw(
        self: Git, *args: str, stdin: bytes | None = None, env: dict[str, str] | None = None
    ) -> subprocess.CompletedProcess[bytes]:
        calls.append(list(args))
        return original(self, *args, stdin=stdin, env=env)

    with monkeypatch.context() as patched:
        patched.setattr(Git, "run_raw", run_raw)
        yield calls


def rules_checked(calls: list[list[str]]) -> bool:
    return any(call[0] == "ls-files" and "-i" in call for call in calls)


def another_process(shadow: ShadowRepo) -> ShadowRepo:
    """A new ShadowRepo on the same repository, as the next command-line call opens it."""
    shadow.close()
    again = ShadowRepo(shadow.git_dir, shadow.work_tree, max_file_bytes=CAP)
    again.open()
    return again


def test_the_next_process_checks_the_ignore_rules_only_when_they_changed(
    shadow: ShadowRepo, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = shadow.work_tree
    (root / ".gitignore").write_text("*.log\n")
    (root / "notes.txt").write_text("notes\n")
    shadow.snapshot()
    (root / "main.py").write_text("print('hello')\n")

    shadow = another_process(shadow)
    with git_commands(monkeypatch) as calls:
        tree = shadow.snapshot().tree
    assert not rules_checked(calls)  # nothing about the rules changed in between
    assert set(shadow.tree_entries(tree)) == {".gitignore", "notes.txt", "main.py"}

    (root / ".gitignore").write_text("*.log\nnotes.txt\n")
    shadow = another_process(shadow)
    with git_commands(monkeypatch) as calls:
        tree = shadow.snapshot().tree
    assert rules_checked(calls)
    assert set(shadow.tree_entries(tree)) == {".gitignore", "main.py"}
    shadow.close()


def test_a_global_excludes_file_changed_between_two_processes_is_honoured(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    config_home = tmp_path / "config"
    monkeypatch.setenv("XDG_CONFIG_HOME", str(config_home))
    root = tmp_path / "project"
    root.mkdir()
    (root / "main.py").write_text("print('hello')\n")
    (root / "local.cfg").write_text("mine\n")
    shadow = ShadowRepo(tmp_path / "data" / "p.git", root, max_file_bytes=CAP)
    shadow.open()
    assert "local.cfg" in shadow.tree_entries(shadow.snapshot().tree)

    (config_home / "git").mkdir(parents=True)
    (config_home / "git" / "ignore").write_text("local.cfg\n")
    shadow = another_process(shadow)

    assert set(shadow.tree_entries(shadow.snapshot().tree)) == {"main.py"}
    assert (root / "local.cfg").read_text() == "mine\n"
    shadow.close()


def test_a_restore_that_writes_a_gitignore_is_honoured_by_the_next_process(
    shadow: ShadowRepo,
) -> None:
    """The restore puts the new ``.gitignore`` into the shadow index itself, so no snapshot
    sees it change: the next process must check the rules all the same."""
    root = shadow.work_tree
    (root / ".gitignore").write_text("*.log\nnotes.txt\n")
    ignoring = shadow.snapshot().tree
    (root / ".gitignore").write_text("*.log\n")
    (root / "notes.txt").write_text("notes\n")
    current = shadow.snapshot().tree
    assert "notes.txt" in shadow.tree_entries(current)

    shadow.restore(current, ignoring, preserve={"notes.txt"})  # the file stays on disk
    shadow = another_process(shadow)

    assert set(shadow.tree_entries(shadow.snapshot().tree)) == {".gitignore"}
    assert (root / "notes.txt").read_text() == "notes\n"
    shadow.close()
