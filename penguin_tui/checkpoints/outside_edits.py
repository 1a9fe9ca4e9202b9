"""Edits made outside penguin-tui: the paths the watcher saw, checked against a checkpoint.

The watcher reports every path that was touched, and that includes penguin-tui's own work: a
revert, an undo, a branch switch or a merge write files (through temporary siblings) too, and
their events arrive after the operation has said it is done. Rather than guess which events
are ours from timing, the browser's "changed outside" count is *derived*: a path counts only
while the file on disk differs from the checkpoint the working state comes from (the
position). A file a restore just put back holds exactly the position's content, so it drops
out whatever the order of the events; an edit in an editor or a shell differs, so it stays
until a checkpoint takes it in.
"""

from __future__ import annotations

import os
import stat
from collections.abc import Collection, Iterator
from typing import TYPE_CHECKING

from penguin_tui.checkpoints.git import EMPTY_TREE
from penguin_tui.checkpoints.trees import parse_tree
from penguin_tui.checkpoints.worktree import is_real_folder

if TYPE_CHECKING:
    from penguin_tui.checkpoints.journal import TreeEntry
    from penguin_tui.checkpoints.shadow import ShadowRepo

PATHS_PER_CALL = 500  # paths on one git command line
NEW_FOLDER_FILES = 200  # files looked at in a folder created outside (the count only informs)


def edited_files(shadow: ShadowRepo, tree: str, paths: Collection[str]) -> set[str]:
    """The files among ``paths`` (or under those of them that are new or gone folders) that
    differ on disk from ``tree``, as a snapshot would see them: ignored files and new files
    over the size cap do not count, since no checkpoint would take them in."""
    root = shadow.work_tree
    entries = _entries(shadow, tree, sorted(paths))
    candidates: set[str] = set()
    for path in paths:
        full = root / path
        if is_real_folder(full):
            if not any(known.startswith(path + "/") for known in entries):
                candidates.update(_files_in(root, path))
            continue  # the files of a folder that exists come as their own events
        candidates.add(path)
        candidates.update(known for known in entries if known.startswith(path + "/"))
    edited: set[str] = set()
    new: list[str] = []
    for path in candidates:
        entry = entries.get(path)
        if entry is None:
            if _is_new_file(root / path, shadow.max_file_bytes):
                new.append(path)
        elif not shadow.holds(path, entry.sha, entry.mode):
            edited.add(path)
    return edited | (set(new) - shadow.ignored(new))


def _entries(shadow: ShadowRepo, tree: str, paths: list[str]) -> dict[str, TreeEntry]:
    """The tree's files at or under ``paths`` (one ls-tree per few hundred paths)."""
    entries: dict[str, TreeEntry] = {}
    if tree == EMPTY_TREE:
        return entries
    for start in range(0, len(paths), PATHS_PER_CALL):
        chunk = paths[start : start + PATHS_PER_CALL]
        out = shadow.git.run("ls-tree", "-r", "-z", "--full-tree", tree, "--", *chunk)
        entries.update(parse_tree(out))
    return entries


def _files_in(root: os.PathLike[str], folder: str) -> Iterator[str]:
    """Up to NEW_FOLDER_FILES files (and symlinks) of a folder, without entering ``.git``."""
    found = 0
    for directory, dirs, files in os.walk(os.path.join(root, folder)):
        dirs[:] = [name for name in dirs if name != ".git"]
        base = os.path.relpath(directory, root).replace(os.sep, "/")
        for name in files:
            yield f"{base}/{name}"
            found += 1
            if found >= NEW_FOLDER_FILES:
                return


def _is_new_file(full: os.PathLike[str], max_bytes: int) -> bool:
    """A file or symlink a snapshot would add (regular files only up to the size cap)."""
    try:
        info = os.lstat(full)
    except OSError:
        return False
    if stat.S_ISLNK(info.st_mode):
        return True
    return stat.S_ISREG(info.st_mode) and info.st_size <= max_bytes
