"""What a snapshot takes in: the project's changes since the shadow index last saw it, sorted
into files to add, paths to remove and files left out (and why).

Git finds the changes (``diff-files`` and ``ls-files -o``, side by side); this module only looks
at the paths git names, never walks the project itself (except inside a nested repository,
whose files git reports as one folder).
"""

from __future__ import annotations

import contextlib
import os
import stat
import threading
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from pathlib import Path

from penguin_tui.checkpoints.git import Git, encode_paths, split_z

EXCLUDES_HEADER = "# written by penguin-tui: the project's info/exclude and its own data"


@dataclass(frozen=True)
class SkippedFile:
    """A file left out of the snapshot, and why."""

    path: str
    reason: str


@dataclass(frozen=True)
class SortedChanges:
    """A snapshot's changes: the files to add (or update), the paths to take out of the
    index, and the files left out of the snapshot."""

    update: list[str]
    remove: list[str]
    skipped: list[SkippedFile]


def changes_on_disk(git: Git) -> tuple[list[str], set[str]]:
    """Tracked files whose stat changed (or that are gone) and untracked files, found by two
    git scans run side by side: ``diff-files`` (its stat checks spread over the cores) and
    ``ls-files -o`` (the folder walk). One ``ls-files -m -d -o`` does both in turn, in about
    the sum of their times."""
    found: list[bytes] = []
    failed: list[Exception] = []

    def tracked() -> None:
        try:
            found.append(git.run("diff-files", "--name-only", "-z", "--no-renames"))
        except Exception as error:  # handed to the caller's thread below
            failed.append(error)

    scan = threading.Thread(target=tracked, name="penguin-diff-files")
    scan.start()
    try:
        others = split_z(git.run("ls-files", "-z", "-o", "--exclude-standard"))
    finally:
        scan.join()
    if failed:
        raise failed[0]
    return [*split_z(found[0]), *others], set(others)


def sort_changes(
    git: Git,
    max_file_bytes: int,
    changed: list[str],
    now_ignored: set[str],
    untracked: Collection[str] = (),
) -> SortedChanges:
    """Which of the ``changed`` paths the snapshot adds, removes or leaves out (over the size
    cap, unreadable, not a file); tracked files the rules now ignore are removed.

    One ``lstat`` a path and one a folder (a first snapshot of 23,000 files asks the disk
    about each folder once, not once per file in it), on plain strings.
    """
    sorted_changes = SortedChanges([], list(now_ignored), [])
    folders = _Folders(os.fspath(git.work_tree))
    nested: list[str] = []
    seen: set[str] = set()
    for path in changed:
        if path in seen or path in now_ignored:
            continue
        seen.add(path)
        if path.endswith("/"):
            nested.append(path)
        elif folders.beyond_non_folder(path):
            sorted_changes.remove.append(path)  # its folder became a symlink or a file: gone
        else:
            _sort_one(sorted_changes, folders.root, path, max_file_bytes, path in untracked)
    for folder in nested:
        more_update, more_skipped = nested_repository(git, max_file_bytes, folder)
        sorted_changes.update.extend(more_update)
        sorted_changes.skipped.extend(more_skipped)
    return sorted_changes


def _sort_one(
    into: SortedChanges, root: str, path: str, max_file_bytes: int, untracked: bool
) -> None:
    """Put one changed path (whose folders are real folders) where it belongs."""
    full = f"{root}/{path}"
    try:
        info = os.lstat(full)
    except (FileNotFoundError, NotADirectoryError):
        into.remove.append(path)
        return
    except OSError as error:
        into.skipped.append(SkippedFile(path, f"unreadable: {error.strerror}"))
        into.remove.append(path)
        return
    mode = info.st_mode
    if stat.S_ISDIR(mode):
        into.remove.append(path)  # a file that became a folder; its files come separately
    elif stat.S_ISREG(mode) and info.st_size > max_file_bytes:
        into.skipped.append(SkippedFile(path, f"over {size_text(max_file_bytes)}"))
        if not untracked:  # an untracked one has nothing to remove
            into.remove.append(path)
    elif stat.S_ISREG(mode) and not os.access(full, os.R_OK):
        into.skipped.append(SkippedFile(path, "unreadable: permission denied"))
        into.remove.append(path)
    elif stat.S_ISREG(mode) or stat.S_ISLNK(mode):
        into.update.append(path)
    else:
        into.skipped.append(SkippedFile(path, "not a regular file or symlink"))
        into.remove.append(path)


class _Folders:
    """What each folder of the project is on disk, asked once per folder: a real folder, a
    symlink or file in its place, or missing (``worktree.beyond_non_folder``, remembered)."""

    REAL, NOT_A_FOLDER, MISSING = 0, 1, 2

    def __init__(self, root: str) -> None:
        self.root = root
        self._known: dict[str, int] = {"": self.REAL}

    def beyond_non_folder(self, path: str) -> bool:
        """Whether a leading component of ``path`` is a symlink or a file (the first one
        that is not a real folder decides: a missing one means no)."""
        return self._state(path.rpartition("/")[0]) == self.NOT_A_FOLDER

    def _state(self, folder: str) -> int:
        known = self._known.get(folder)
        if known is not None:
            return known
        state = self._state(folder.rpartition("/")[0])
        if state == self.REAL:
            try:
                mode = os.lstat(f"{self.root}/{folder}").st_mode
            except FileNotFoundError:
                state = self.MISSING
            except OSError:
                state = self.NOT_A_FOLDER
            else:
                state = self.REAL if stat.S_ISDIR(mode) else self.NOT_A_FOLDER
        self._known[folder] = state
        return state


def nested_repository(
    git: Git, max_file_bytes: int, folder: str
) -> tuple[list[str], list[SkippedFile]]:
    """The files of a nested git repository, as plain files; its ``.git`` is never read."""
    work_tree = git.work_tree
    tracked = set(split_z(git.run("ls-files", "-z", "--", folder)))
    candidates: list[str] = []
    skipped: list[SkippedFile] = []
    top = work_tree / folder
    for directory, dirs, files in os.walk(top):
        dirs[:] = [name for name in dirs if name != ".git"]
        base = Path(directory).relative_to(work_tree).as_posix()
        for name in files:
            if name == ".git":
                continue
            path = f"{base}/{name}"
            if path in tracked:
                continue  # changes to tracked files are reported by ls-files -m
            try:
                info = (work_tree / path).lstat()
            except OSError:
                continue  # gone since the walk listed it
            if stat.S_ISREG(info.st_mode) and info.st_size > max_file_bytes:
                skipped.append(SkippedFile(path, f"over {size_text(max_file_bytes)}"))
            elif stat.S_ISREG(info.st_mode) or stat.S_ISLNK(info.st_mode):
                candidates.append(path)
        for name in list(dirs):
            if (Path(directory) / name).is_symlink():
                candidates.append(f"{base}/{name}")
    if not candidates:
        return [], skipped
    ignored = ignored_paths(git, candidates)
    return [path for path in candidates if path not in ignored], skipped


def ignored_paths(git: Git, paths: Sequence[str]) -> set[str]:
    """Which of ``paths`` the rules on disk (the project's and penguin-tui's excludes)
    ignore, whether or not the snapshots track them."""
    if not paths:
        return set()
    out = git.run(
        "check-ignore", "-z", "--stdin", "--no-index", stdin=encode_paths(paths), ok=(0, 1)
    )
    return set(split_z(out))


def untracked_now(git: Git, max_file_bytes: int) -> list[str]:
    """Files a snapshot would add now: on disk, not ignored, under the cap, untracked."""
    listed = split_z(git.run("ls-files", "-z", "-o", "--exclude-standard"))
    files = [
        path
        for path in listed
        if not path.endswith("/") and _fits(git.work_tree, path, max_file_bytes)
    ]
    for folder in (path for path in listed if path.endswith("/")):
        files += nested_repository(git, max_file_bytes, folder)[0]
    return files


def _fits(work_tree: Path, path: str, max_file_bytes: int) -> bool:
    try:
        info = (work_tree / path).lstat()
    except OSError:
        return False
    return not (stat.S_ISREG(info.st_mode) and info.st_size > max_file_bytes)


def write_excludes(git_dir: Path, work_tree: Path, exclude: Sequence[Path]) -> bool:
    """The project's ``info/exclude`` and penguin-tui's own data, as shadow excludes; whether
    the file changed."""
    lines = [EXCLUDES_HEADER]
    project_exclude = project_git_dir(work_tree) / "info" / "exclude"
    with contextlib.suppress(OSError):
        lines.append(project_exclude.read_text(encoding="utf-8", errors="replace"))
    for path in exclude:
        try:
            relative = path.resolve().relative_to(work_tree.resolve())
        except ValueError:
            continue
        if str(relative) != ".":
            lines.append(f"/{relative.as_posix()}/")
            lines.append(f"/{relative.as_posix()}")
    text = "\n".join(lines) + "\n"
    target = git_dir / "info" / "exclude"
    try:
        if target.read_text(encoding="utf-8") == text:
            return False
    except OSError:
        pass
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(text, encoding="utf-8")
    return True


def project_git_dir(work_tree: Path) -> Path:
    """The project's own git dir: ``.git``, or where a ``.git`` file (a worktree) points."""
    dot_git = work_tree / ".git"
    if not dot_git.is_file():
        return dot_git
    try:
        text = dot_git.read_text(encoding="utf-8").strip()
    except OSError:
        return dot_git
    if not text.startswith("gitdir:"):
        return dot_git
    git_dir = (work_tree / text.removeprefix("gitdir:").strip()).resolve()
    common = git_dir / "commondir"
    with contextlib.suppress(OSError):
        return (git_dir / common.read_text(encoding="utf-8").strip()).resolve()
    return git_dir


def is_ignore_file(path: str) -> bool:
    return path == ".gitignore" or path.endswith("/.gitignore")


def size_text(limit: int) -> str:
    return f"{limit / (1024 * 1024):g} MiB"
