"""The shadow repository: what a snapshot holds and what a restore may touch.

Real files, a real git, a real project repository whose ``.git`` is hashed before and after.
"""

from __future__ import annotations

import errno
import hashlib
import os
import shutil
import signal
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from penguin_tui.checkpoints import worktree
from penguin_tui.checkpoints.git import clean_environment
from penguin_tui.checkpoints.journal import RestorePlan
from penguin_tui.checkpoints.locks import InstanceLock
from penguin_tui.checkpoints.service import check_project_root
from penguin_tui.checkpoints.shadow import ShadowRepo
from penguin_tui.config.settings import CheckpointSettings
from penguin_tui.errors import CheckpointError, ProjectLockedError, UnsafeProjectError
from penguin_tui.workspace.watch import RESTORE_TEMP_PREFIX

CAP = 1000


def git(cwd: Path, *args: str) -> None:
    subprocess.run(
        ["git", *args], cwd=cwd, env=clean_environment(), check=True, capture_output=True
    )


def tree_digest(folder: Path) -> str:
    """Every name, mode, link target and byte under ``folder``."""
    digest = hashlib.sha256()
    for directory, dirs, files in sorted(os.walk(folder)):
        dirs.sort()
        for name in sorted(dirs + files):
            full = Path(directory) / name
            info = full.lstat()
            digest.update(os.fsencode(full.relative_to(folder)) + b"\0%o\0" % info.st_mode)
            if full.is_symlink():
                digest.update(os.fsencode(os.readlink(full)))
            elif full.is_file():
                digest.update(full.read_bytes())
    return digest.hexdigest()


def files_of(root: Path) -> dict[str, str]:
    """The project as the user sees it (every ``.git`` left out): path -> what is there."""
    found: dict[str, str] = {}
    for directory, dirs, names in os.walk(root):
        dirs[:] = [name for name in dirs if name != ".git"]
        for name in names + [d for d in dirs if (Path(directory) / d).is_symlink()]:
            full = Path(directory) / name
            path = full.relative_to(root).as_posix()
            if full.is_symlink():
                found[path] = f"-> {os.readlink(full)}"
            else:
                mode = "x" if os.access(full, os.X_OK) else "-"
                found[path] = f"{mode} {full.read_bytes().decode('utf-8', 'replace')}"
    return found


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """A project that is a git repository of its own, with one commit."""
    root = tmp_path / "project"
    root.mkdir()
    (root / "main.py").write_text("print('hello')\n")
    (root / ".gitignore").write_text("*.log\nbuild/\n")
    git(root, "init", "-q")
    git(root, "add", "-A")
    git(root, "-c", "user.name=u", "-c", "user.email=u@x", "commit", "-qm", "first")
    return root


@pytest.fixture
def repo(tmp_path: Path, project: Path) -> Iterator[ShadowRepo]:
    shadow = ShadowRepo(tmp_path / "data" / "shadow" / "p.git", project, max_file_bytes=CAP)
    shadow.open()
    yield shadow
    shadow.close()


def snapshot_paths(repo: ShadowRepo) -> set[str]:
    return set(repo.tree_entries(repo.snapshot().tree))


def test_snapshot_honours_gitignore_nested_gitignore_and_info_exclude(
    project: Path, repo: ShadowRepo
) -> None:
    (project / "debug.log").write_text("noise")
    (project / "build").mkdir()
    (project / "build" / "out.js").write_text("compiled")
    (project / "src").mkdir()
    (project / "src" / ".gitignore").write_text("*.tmp\n")
    (project / "src" / "a.py").write_text("a")
    (project / "src" / "scratch.tmp").write_text("scratch")
    (project / "scratch.tmp").write_text("not ignored up here")
    (project / ".git" / "info" / "exclude").write_text("/private.txt\n")
    (project / "private.txt").write_text("mine")

    assert snapshot_paths(repo) == {
        ".gitignore",
        "main.py",
        "scratch.tmp",
        "src/.gitignore",
        "src/a.py",
    }


def test_file_ignored_later_leaves_the_next_snapshot(project: Path, repo: ShadowRepo) -> None:
    (project / "notes.txt").write_text("n")
    assert "notes.txt" in snapshot_paths(repo)
    (project / ".gitignore").write_text("*.log\nbuild/\nnotes.txt\n")
    assert "notes.txt" not in snapshot_paths(repo)
    assert (project / "notes.txt").read_text() == "n"


def test_files_over_the_size_cap_are_skipped_and_listed(project: Path, repo: ShadowRepo) -> None:
    (project / "big.bin").write_bytes(b"x" * (CAP + 1))
    (project / "small.bin").write_bytes(b"x" * CAP)
    snap = repo.snapshot()
    assert set(repo.tree_entries(snap.tree)) == {".gitignore", "main.py", "small.bin"}
    assert [s.path for s in snap.skipped] == ["big.bin"]
    assert snap.skipped[0].reason.startswith("over ")

    (project / "small.bin").write_bytes(b"y" * (CAP + 5))  # a tracked file grows past the cap
    snap = repo.snapshot()
    assert "small.bin" not in repo.tree_entries(snap.tree)
    assert {s.path for s in snap.skipped} == {"big.bin", "small.bin"}


def test_symlinks_are_snapshotted_and_restored_as_symlinks(project: Path, repo: ShadowRepo) -> None:
    (project / "docs").mkdir()
    (project / "docs" / "readme.md").write_text("read me")
    os.symlink("main.py", project / "to-file")
    os.symlink("docs", project / "to-folder")
    os.symlink("nowhere/at/all", project / "dangling")
    before = files_of(project)
    snap = repo.snapshot()
    modes = {path: entry.mode for path, entry in repo.tree_entries(snap.tree).items()}
    assert modes["to-file"] == modes["to-folder"] == modes["dangling"] == "120000"
    assert "to-folder/readme.md" not in modes

    for name in ("to-file", "to-folder", "dangling"):
        (project / name).unlink()
    os.symlink("elsewhere", project / "to-file")
    repo.restore(repo.snapshot().tree, snap.tree)

    assert files_of(project) == before
    assert os.readlink(project / "to-folder") == "docs"
    assert os.readlink(project / "dangling") == "nowhere/at/all"


def test_restore_never_writes_through_a_symlink_that_replaced_a_folder(
    tmp_path: Path, project: Path, repo: ShadowRepo
) -> None:
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "a.txt").write_text("outside, not ours")
    (project / "sub").mkdir()
    (project / "sub" / "a.txt").write_text("ours")
    with_folder = repo.snapshot().tree
    shutil.rmtree(project / "sub")
    os.symlink(outside, project / "sub")

    result = repo.restore(repo.snapshot().tree, with_folder)

    assert (outside / "a.txt").read_text() == "outside, not ours"
    assert (project / "sub" / "a.txt").read_text() == "ours"
    assert not (project / "sub").is_symlink()
    assert result.written == ("sub/a.txt",)


def test_exec_bit_is_kept(project: Path, repo: ShadowRepo) -> None:
    script = project / "run.sh"
    script.write_text("#!/bin/sh\n")
    script.chmod(0o755)
    executable = repo.snapshot().tree
    assert repo.tree_entries(executable)["run.sh"].mode == "100755"
    script.chmod(0o644)
    plain = repo.snapshot().tree
    assert repo.tree_entries(plain)["run.sh"].mode == "100644"

    repo.restore(plain, executable)
    assert os.access(script, os.X_OK)
    repo.restore(executable, plain)
    assert not os.access(script, os.X_OK)


NAMES = [
    "with space.txt",
    "ünïcödé – ✓.txt",
    "line\nbreak.txt",
    "quote\"double'single.txt",
    "back\\slash.txt",
    "tab\there.txt",
    "-leading-dash.txt",
    "dir with space/inner file.txt",
]


def test_any_file_name_survives_a_round_trip(project: Path, repo: ShadowRepo) -> None:
    for name in NAMES:
        (project / name).parent.mkdir(exist_ok=True)
        (project / name).write_text(f"content of {name}")
    raw = os.fsdecode(b"latin1-\xe9.txt")  # not valid UTF-8
    (project / raw).write_text("raw bytes name")
    with_names = repo.snapshot().tree
    assert set(NAMES) | {raw} <= set(repo.tree_entries(with_names))
    before = files_of(project)

    for name in [*NAMES, raw]:
        (project / name).unlink()
    result = repo.restore(repo.snapshot().tree, with_names)

    assert files_of(project) == before
    assert set(result.written) == set(NAMES) | {raw}


def test_nested_repository_is_plain_files_and_its_git_is_never_touched(
    project: Path, repo: ShadowRepo
) -> None:
    nested = project / "vendor" / "lib"
    nested.mkdir(parents=True)
    (nested / "lib.py").write_text("v1")
    (nested / ".gitignore").write_text("*.cache\n")
    (nested / "x.cache").write_text("ignored inside")
    git(nested, "init", "-q")
    git(nested, "add", "-A")
    git(nested, "-c", "user.name=u", "-c", "user.email=u@x", "commit", "-qm", "nested")
    nested_git = tree_digest(nested / ".git")

    first = repo.snapshot().tree
    entries = repo.tree_entries(first)
    assert {"vendor/lib/lib.py", "vendor/lib/.gitignore"} <= set(entries)
    assert not any(".git/" in path or path.endswith(".git") for path in entries)
    assert "vendor/lib/x.cache" not in entries
    assert all(entry.mode != "160000" for entry in entries.values())

    (nested / "lib.py").write_text("v2")
    (nested / "new.py").write_text("new")
    second = repo.snapshot().tree
    assert set(repo.tree_entries(second)) >= {"vendor/lib/lib.py", "vendor/lib/new.py"}

    repo.restore(second, first)
    assert (nested / "lib.py").read_text() == "v1"
    assert not (nested / "new.py").exists()
    assert (nested / "x.cache").read_text() == "ignored inside"
    repo.restore(repo.snapshot().tree, second)
    assert (nested / "lib.py").read_text() == "v2"
    assert tree_digest(nested / ".git") == nested_git


def test_file_that_became_a_folder_and_back_is_restored(project: Path, repo: ShadowRepo) -> None:
    (project / "thing").write_text("a file")
    as_file = repo.snapshot().tree
    (project / "thing").unlink()
    (project / "thing").mkdir()
    (project / "thing" / "inside.txt").write_text("in a folder")
    (project / "thing" / "deeper").mkdir()
    (project / "thing" / "deeper" / "x.txt").write_text("x")
    as_folder = repo.snapshot().tree
    assert {"thing/inside.txt", "thing/deeper/x.txt"} <= set(repo.tree_entries(as_folder))
    assert "thing" not in repo.tree_entries(as_folder)

    repo.restore(as_folder, as_file)
    assert (project / "thing").read_text() == "a file"
    assert set(repo.tree_entries(repo.snapshot().tree)) == {".gitignore", "main.py", "thing"}

    repo.restore(repo.snapshot().tree, as_folder)
    assert (project / "thing" / "deeper" / "x.txt").read_text() == "x"


def test_restore_deletes_only_files_the_snapshots_track(project: Path, repo: ShadowRepo) -> None:
    empty = repo.snapshot().tree
    (project / "added.py").write_text("tracked")
    (project / "out").mkdir()
    (project / "out" / "made.py").write_text("tracked too")
    (project / "app.log").write_text("ignored")
    (project / "build").mkdir()
    (project / "build" / "artifact").write_text("ignored folder")
    (project / "huge.bin").write_bytes(b"h" * (CAP * 2))
    current = repo.snapshot().tree

    result = repo.restore(current, empty)

    assert set(result.deleted) == {"added.py", "out/made.py"}
    assert not (project / "added.py").exists()
    assert not (project / "out").exists()  # the folder it left empty goes too
    assert (project / "app.log").read_text() == "ignored"
    assert (project / "build" / "artifact").read_text() == "ignored folder"
    assert (project / "huge.bin").read_bytes() == b"h" * (CAP * 2)


def test_file_in_the_way_that_the_snapshots_never_saw_is_kept_and_listed(
    project: Path, repo: ShadowRepo
) -> None:
    (project / "report.log").write_text("tracked when logs were not ignored")
    (project / ".gitignore").write_text("build/\n")
    with_report = repo.snapshot().tree
    (project / ".gitignore").write_text("build/\n*.log\n")
    (project / "report.log").write_text("the user's own log, now ignored")
    current = repo.snapshot().tree
    assert "report.log" not in repo.tree_entries(current)

    result = repo.restore(current, with_report)

    assert result.kept == ("report.log",)
    assert (project / "report.log").read_text() == "the user's own log, now ignored"
    assert (project / ".gitignore").read_text() == "build/\n"


def test_ignored_folder_in_the_way_of_a_file_is_kept(project: Path, repo: ShadowRepo) -> None:
    (project / "cache").write_text("was a file")
    as_file = repo.snapshot().tree
    (project / "cache").unlink()
    (project / "cache").mkdir()
    (project / "cache" / "tracked.txt").write_text("t")
    (project / "cache" / "x.log").write_text("ignored, not ours to delete")

    result = repo.restore(repo.snapshot().tree, as_file)

    assert result.kept == ("cache",)
    assert result.deleted == ("cache/tracked.txt",)
    assert (project / "cache" / "x.log").read_text() == "ignored, not ours to delete"


def test_the_users_git_is_byte_identical_after_every_operation(
    project: Path, repo: ShadowRepo
) -> None:
    before = tree_digest(project / ".git")
    first = repo.snapshot().tree
    (project / "main.py").write_text("changed")
    (project / "new.py").write_text("new")
    second = repo.snapshot().tree
    repo.restore(second, first)
    repo.restore(repo.snapshot().tree, second)
    merged = repo.merge(first, second, first)
    repo.restore(repo.snapshot().tree, merged.tree)
    repo.restore(repo.snapshot().tree, repo.graft(first, second, ["new.py"]))
    repo.gc()
    assert tree_digest(project / ".git") == before
    assert not repo.git_dir.is_relative_to(project)


def test_a_stale_index_lock_in_the_shadow_dir_is_reclaimed(project: Path, repo: ShadowRepo) -> None:
    repo.snapshot()
    (repo.git_dir / "index.lock").write_text("left by a git that was killed")
    (project / "after.py").write_text("after")
    assert "after.py" in snapshot_paths(repo)
    assert not (repo.git_dir / "index.lock").exists()


def test_a_long_snapshot_says_how_far_it_got(
    project: Path, repo: ShadowRepo, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Past its first second a big snapshot reports "n of N files" as git takes them in (the
    second is made zero here so a small tree shows it)."""
    monkeypatch.setattr("penguin_tui.checkpoints.shadow.PROGRESS_EVERY_S", 0.0)
    for index in range(300):
        (project / "many").mkdir(exist_ok=True)
        (project / "many" / f"file {index}.txt").write_text(f"file {index}\n")
    said: list[str] = []
    snapshot = repo.snapshot(said.append)
    counts = [
        int(text.split()[1].replace(",", "")) for text in said if text.startswith("snapshotting")
    ]
    total = len(repo.tree_entries(snapshot.tree))  # the first snapshot adds every file
    assert len(counts) > 10 and counts == sorted(counts) and counts[-1] <= total
    assert all(
        text == f"snapshotting {n:,} of {total:,} files"
        for n, text in zip(counts, said, strict=True)
    )
    assert "many/file 299.txt" in repo.tree_entries(snapshot.tree)


def test_a_stale_cherry_pick_index_lock_is_reclaimed(project: Path, repo: ShadowRepo) -> None:
    first = repo.snapshot().tree
    (project / "new.py").write_text("new")
    second = repo.snapshot().tree
    (repo.git_dir / "penguin-graft.index.lock").write_text("left by a git that was killed")
    grafted = repo.graft(first, second, ["new.py"])
    assert "new.py" in repo.tree_entries(grafted)
    assert not (repo.git_dir / "penguin-graft.index.lock").exists()


LOCK_HOLDER = """
import sys, time
from pathlib import Path
from penguin_tui.checkpoints.locks import OperationLock
lock = OperationLock(Path(sys.argv[1]))
with lock.held():
    print("holding", flush=True)
    time.sleep(float(sys.argv[2]))
"""


def test_an_index_lock_is_left_alone_while_its_owner_runs(project: Path, repo: ShadowRepo) -> None:
    """A git of another process holds the operation lock: its index.lock is not stale, so
    the snapshot waits for it instead of taking it away."""
    repo.snapshot()
    holder = subprocess.Popen(
        [sys.executable, "-c", LOCK_HOLDER, str(repo.lock.path), "1.5"],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "holding"
        (repo.git_dir / "index.lock").write_text("held by a running git")
        (project / "after.py").write_text("after")
        result: list[set[str]] = []
        worker = threading.Thread(target=lambda: result.append(snapshot_paths(repo)))
        worker.start()
        worker.join(timeout=0.5)
        assert worker.is_alive(), "the snapshot must wait for the lock's owner"
        assert (repo.git_dir / "index.lock").exists(), "a live owner's lock is never taken"
        worker.join(timeout=30)
        assert result and "after.py" in result[0]  # once the owner is gone, it is reclaimed
    finally:
        holder.kill()
        holder.wait()
        if holder.stdout is not None:
            holder.stdout.close()


def test_a_second_instance_is_refused_with_the_holders_pid(tmp_path: Path) -> None:
    first = InstanceLock(tmp_path / "p.instance.lock")
    first.acquire()
    second = InstanceLock(tmp_path / "p.instance.lock")
    with pytest.raises(ProjectLockedError, match=rf"pid {os.getpid()}\b.*read-only"):
        second.acquire()
    first.release()
    second.acquire()
    second.release()


HOLDER = """
import sys, time
from pathlib import Path
from penguin_tui.checkpoints.locks import InstanceLock
InstanceLock(Path(sys.argv[1])).acquire()
print("holding", flush=True)
time.sleep(60)
"""


def test_the_instance_lock_is_released_when_its_holder_is_killed(tmp_path: Path) -> None:
    path = tmp_path / "p.instance.lock"
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLDER, str(path)], stdout=subprocess.PIPE, text=True
    )
    try:
        assert holder.stdout is not None
        assert holder.stdout.readline().strip() == "holding"
        with pytest.raises(ProjectLockedError, match=rf"pid {holder.pid}\b"):
            InstanceLock(path).acquire()
    finally:
        holder.send_signal(signal.SIGKILL)
        holder.wait(timeout=10)
        if holder.stdout is not None:
            holder.stdout.close()
    lock = InstanceLock(path)
    lock.acquire()
    assert path.read_text().strip() == str(os.getpid())
    lock.release()


def test_home_directory_and_root_are_refused_unless_allowed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    home = tmp_path / "me"
    home.mkdir()
    monkeypatch.setenv("HOME", str(home))
    for root in (home, Path("/")):
        with pytest.raises(UnsafeProjectError, match="allow_home_or_root") as raised:
            check_project_root(root, CheckpointSettings())
        assert "\n" not in str(raised.value)
        check_project_root(root, CheckpointSettings(allow_home_or_root=True))
    check_project_root(home / "project", CheckpointSettings())


def test_a_full_disk_while_journaling_restores_nothing(
    project: Path, repo: ShadowRepo, monkeypatch: pytest.MonkeyPatch
) -> None:
    old = repo.snapshot().tree
    (project / "main.py").write_text("newer")
    (project / "extra.py").write_text("extra")
    current = repo.snapshot().tree
    before = files_of(project)

    def no_space(fd: int) -> None:
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr("penguin_tui.checkpoints.journal.os.fsync", no_space)
    with pytest.raises(CheckpointError) as raised:
        repo.restore(current, old)

    message = str(raised.value)
    assert "\n" not in message
    assert message.startswith("disk full: cannot write the restore journal")
    assert "nothing was restored" in message and "free some space" in message
    assert files_of(project) == before
    assert not repo.journal.pending
    assert not list(repo.git_dir.glob("penguin-restore*"))


def test_a_restore_that_stopped_half_way_is_finished_at_the_next_open(
    tmp_path: Path, project: Path, repo: ShadowRepo, monkeypatch: pytest.MonkeyPatch
) -> None:
    for index in range(20):
        (project / f"f{index:02}.txt").write_text(f"old {index}")
    old = repo.snapshot().tree
    old_files = files_of(project)
    for index in range(20):
        (project / f"f{index:02}.txt").write_text(f"new {index}")
    (project / "thing").write_text("file")
    current = repo.snapshot().tree

    real_write = worktree.write_entry
    calls = 0

    def fail_on_the_eighth(*args: object, **kwargs: object) -> None:
        nonlocal calls
        calls += 1
        if calls == 8:
            raise OSError(errno.EIO, os.strerror(errno.EIO))
        real_write(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr("penguin_tui.checkpoints.restoring.write_entry", fail_on_the_eighth)
    with pytest.raises(CheckpointError, match="restore stopped at") as raised:
        repo.restore(current, old)
    assert "\n" not in str(raised.value)
    assert repo.journal.pending
    monkeypatch.undo()

    reopened = ShadowRepo(repo.git_dir, project, max_file_bytes=CAP)
    recovered = reopened.open()
    reopened.close()
    assert recovered is not None and len(recovered.written) == 20
    assert files_of(project) == old_files
    assert not repo.journal.pending


def test_a_journal_left_by_a_crash_is_replayed_idempotently(
    project: Path, repo: ShadowRepo
) -> None:
    (project / "a").mkdir()
    (project / "a" / "x").write_text("in folder")
    as_folder = repo.snapshot().tree
    shutil.rmtree(project / "a")
    (project / "a").write_text("as file")
    as_file = repo.snapshot().tree
    repo.restore(as_file, as_folder)
    done = files_of(project)
    plan = repo.changed_paths(as_file, as_folder)
    assert {path for path, _entry in plan} == {"a", "a/x"}
    # The same plan again, as if the process died after the last file and before the clear.
    entries = repo.tree_entries(as_folder)
    repo.journal.write(
        RestorePlan(as_folder, as_file, writes=[("a/x", entries["a/x"])], deletes=["a"])
    )
    assert repo.open() is not None
    assert files_of(project) == done
    assert not repo.journal.pending


def test_a_restore_is_on_disk_before_its_journal_is_cleared(
    project: Path, repo: ShadowRepo, monkeypatch: pytest.MonkeyPatch
) -> None:
    # After a power cut the journal is the only record that a restore must be redone, so every
    # file written and every folder whose names changed is fsynced before it goes.
    (project / "src").mkdir()
    (project / "src" / "a.py").write_text("a = 1\n")
    (project / "gone").mkdir()
    (project / "gone" / "b.py").write_text("b = 1\n")
    before = repo.snapshot().tree
    (project / "src" / "a.py").write_text("a = 2\n")
    (project / "new.py").write_text("new\n")
    shutil.rmtree(project / "gone")
    current = repo.snapshot().tree

    events: list[str] = []
    real_fsync = os.fsync

    def recording_fsync(fd: int) -> None:
        events.append("sync " + os.readlink(f"/proc/self/fd/{fd}"))
        real_fsync(fd)

    real_clear = repo.journal.clear

    def recording_clear() -> None:
        events.append("journal cleared")
        real_clear()

    monkeypatch.setattr("penguin_tui.checkpoints.worktree.os.fsync", recording_fsync)
    monkeypatch.setattr(repo.journal, "clear", recording_clear)
    repo.restore(current, before)

    cleared = events.index("journal cleared")
    synced = {event.removeprefix("sync ") for event in events[:cleared]}
    temp_names = {Path(path).name for path in synced if Path(path).parent.name == "src"}
    assert any(name.startswith(RESTORE_TEMP_PREFIX) for name in temp_names), events
    # The folders where names appeared (src/a.py replaced, gone/b.py back) or went (new.py).
    assert {str(project / "src"), str(project / "gone"), str(project)} <= synced, events


def test_closing_twice_never_closes_a_file_opened_since(project: Path, repo: ShadowRepo) -> None:
    # The kernel hands a closed descriptor's number to the next open file: a second close of
    # the lock would then close that file from under its owner.
    repo.close()
    with open(project / "main.py", "rb") as other:
        repo.close()
        assert other.read() == b"print('hello')\n"
