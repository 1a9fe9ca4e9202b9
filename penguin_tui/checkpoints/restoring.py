"""A restore worked out (which files to write, which to delete, which to keep) and carried out
on the project's files.

The plan comes from one ``diff-tree`` of the current snapshot against the target; carrying it
out writes only the files that differ and deletes only files the snapshots track, and is
idempotent, so a journaled plan can be carried out again after a crash. The caller holds the
shadow repository's operation lock.
"""

from __future__ import annotations

import hashlib
import os
import stat
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from penguin_tui.checkpoints.git import EMPTY_TREE, Git, encode_paths, split_z
from penguin_tui.checkpoints.journal import RestorePlan, TreeEntry
from penguin_tui.checkpoints.trees import parse_added, parse_changes
from penguin_tui.checkpoints.worktree import (
    InTheWay,
    beyond_non_folder,
    blob_reader,
    current_umask,
    delete_file,
    is_real_folder,
    sync_folders,
    temporary_copy,
    write_entry,
)
from penguin_tui.disk_limits import of_os_error
from penguin_tui.errors import CheckpointError


@dataclass(frozen=True)
class PlannedRestore:
    """A restore worked out but not carried out: the plan to journal, the files it keeps
    because the snapshots never saw them, and what an undo needs to know."""

    plan: RestorePlan
    kept: tuple[str, ...]
    created: frozenset[str]  # paths the current tree lacks (written where nothing was tracked)
    spared: frozenset[str]  # paths the caller asked to preserve


@dataclass(frozen=True)
class RestoreResult:
    """What a restore changed, and the files it kept because the snapshots never saw them.

    For an undo: ``surfaced`` lists files that were already there, untracked (ignored, say),
    and that the snapshots see after the restore (its ``.gitignore`` no longer ignores them),
    which an undo must leave alone; ``created`` lists the files written where nothing was
    tracked, which an undo removes even when the snapshots cannot see them.
    """

    written: tuple[str, ...]
    deleted: tuple[str, ...]
    kept: tuple[str, ...] = field(default=())
    surfaced: tuple[str, ...] = field(default=())
    created: tuple[str, ...] = field(default=())


def plan_restore(
    git: Git,
    max_file_bytes: int,
    change: tuple[str, str],
    preserve: Collection[str] = (),
    discard: Mapping[str, str] | None = None,
    token: str = "",
) -> PlannedRestore:
    """What a restore from ``change[0]`` (a snapshot just taken) to ``change[1]`` writes,
    deletes and keeps, without touching a file."""
    current, target = change
    raw = git.run("diff-tree", "-r", "-z", "--no-renames", current, target)
    changes = parse_changes(raw)
    # Whether a changed path is tracked now comes from the diff itself (status A: the
    # current tree lacks it); listing the whole current tree would cost a full scan.
    untracked_changed = parse_added(raw)
    spared = set(preserve)
    deletes = [path for path, entry in changes if entry is None and path not in spared]
    wanted = {path for path, entry in changes if entry is not None}
    candidates = [path for path in (discard or {}) if path not in wanted]
    tracked_discards = paths_in(git, current, candidates)
    for path in candidates:
        sha = (discard or {})[path]
        if path not in tracked_discards and holds(git.work_tree, max_file_bytes, path, sha):
            deletes.append(path)
    gone = set(deletes)
    writes: list[tuple[str, TreeEntry]] = []
    kept: list[str] = []
    for path, entry in changes:
        if entry is None:
            continue
        if entry.mode == "160000":
            continue  # a submodule link has no content to write
        if path in untracked_changed and untracked_in_the_way(git.work_tree, path, gone):
            kept.append(path)
        else:
            writes.append((path, entry))
    plan = RestorePlan(target=target, before=current, writes=writes, deletes=deletes, token=token)
    return PlannedRestore(plan, tuple(kept), frozenset(untracked_changed), frozenset(spared))


def paths_in(git: Git, tree: str, paths: Sequence[str]) -> set[str]:
    """Which of ``paths`` the tree has (one ls-tree of just those paths)."""
    if not paths or tree == EMPTY_TREE:
        return set()
    out = git.run("ls-tree", "-r", "-z", "--name-only", "--full-tree", tree, "--", *paths)
    return set(split_z(out))


def holds(
    work_tree: Path, max_file_bytes: int, path: str, sha: str, mode: str | None = None
) -> bool:
    """Whether the file (or symlink) at ``path`` holds exactly the blob ``sha`` (and, if
    given, has the tree ``mode``: a symlink, an executable or a plain file)."""
    if beyond_non_folder(work_tree, path):
        return False
    full = work_tree / path
    try:
        info = full.lstat()
        if stat.S_ISLNK(info.st_mode):
            kind = "120000"
            content = os.fsencode(os.readlink(full))
        elif stat.S_ISREG(info.st_mode) and info.st_size <= max_file_bytes:
            kind = "100755" if info.st_mode & stat.S_IXUSR else "100644"
            content = full.read_bytes()
        else:
            return False
    except OSError:
        return False
    if mode is not None and mode != kind:
        return False
    return hashlib.sha1(b"blob %d\0" % len(content) + content).hexdigest() == sha


def untracked_in_the_way(work_tree: Path, path: str, gone: set[str]) -> bool:
    """Whether a file the snapshots do not track stands at ``path`` or at one of its
    folders (a tracked one about to be deleted does not count)."""
    parts = path.split("/")
    for depth in range(1, len(parts)):
        leading = "/".join(parts[:depth])
        full = work_tree / leading
        if not os.path.lexists(full):
            return False
        if not is_real_folder(full):
            return leading not in gone
    full = work_tree / path
    # A folder is decided while applying: it goes if it holds nothing once the deletes ran.
    return os.path.lexists(full) and not is_real_folder(full)


def apply_plan(git: Git, max_file_bytes: int, plan: RestorePlan) -> RestoreResult:
    """Carry out a journaled plan; safe to repeat after a crash (every step is idempotent)."""
    root = git.work_tree
    written: list[str] = []
    too_big: list[str] = []
    kept: list[str] = []
    umask = current_umask()
    path = ""
    try:
        for path in plan.deletes:
            delete_file(root, path)
        with blob_reader(git) as blobs:
            for path, entry in plan.writes:
                content = blobs.read(entry.sha)
                try:
                    write_entry(root, path, entry, content, umask)
                except InTheWay:
                    kept.append(path)
                    continue
                written.append(path)
                if entry.mode != "120000" and len(content) > max_file_bytes:
                    too_big.append(path)
        sync_folders(root, [*plan.deletes, *written])
    except OSError as error:
        raise CheckpointError(stopped(root, plan, path, error, len(written))) from error
    if plan.deletes or too_big:
        git.run(
            "update-index",
            "--force-remove",
            "-z",
            "--stdin",
            stdin=encode_paths([*plan.deletes, *too_big]),
        )
    to_add = [path for path in written if path not in set(too_big)]
    if to_add:
        git.run(
            "update-index",
            "--add",
            "--remove",
            "--replace",
            "-z",
            "--stdin",
            stdin=encode_paths(to_add),
        )
    return RestoreResult(tuple(written), tuple(plan.deletes), tuple(kept))


def stopped(root: Path, plan: RestorePlan, path: str, error: OSError, written: int) -> str:
    """Where a restore stopped, what is on disk, and what finishes it."""
    total = len(plan.writes)
    done = f"{written} of {total} files written" + (
        f", {len(plan.deletes)} deleted" if plan.deletes else ""
    )
    left = temporary_copy(root, path)
    copy = (
        f"; a partly written copy, {left.relative_to(root).as_posix()}, stays"
        " in the project until then"
        if os.path.lexists(left)
        else ""
    )
    limit = of_os_error(error)
    advice = f"; {limit.advice.removesuffix(' and try again')} first" if limit else ""
    return (
        f"the restore stopped at {path} ({limit.value if limit else error.strerror or error})"
        f" with {done}: the other files are as they were; the next start of penguin-tui (or"
        f" the next checkpoint command) finishes the restore{copy}{advice}"
    )
