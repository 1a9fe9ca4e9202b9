"""Changing the project's files during a restore, without ever reaching past them.

Every step here is idempotent, so a journaled restore can be carried out again after a crash,
and none of them follows a symlink out of the project or removes anything but a file the
snapshots track (and the empty folders it leaves).
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import stat
import subprocess
from collections.abc import Iterable, Iterator
from pathlib import Path

from penguin_tui.checkpoints.git import Git
from penguin_tui.checkpoints.journal import TreeEntry
from penguin_tui.errors import CheckpointError
from penguin_tui.workspace.watch import RESTORE_TEMP_PREFIX


class InTheWay(Exception):
    """A file the snapshots never saw stands where the restore wants to write; it is kept."""


def is_real_folder(path: Path) -> bool:
    """A folder itself, not a symlink to one."""
    try:
        return stat.S_ISDIR(path.lstat().st_mode)
    except OSError:
        return False


def beyond_non_folder(root: Path, path: str) -> bool:
    """Whether a leading component of ``path`` is a symlink or a file: writing or deleting
    there would reach outside the project or fail."""
    folder = root
    for part in path.split("/")[:-1]:
        folder = folder / part
        try:
            mode = folder.lstat().st_mode
        except FileNotFoundError:
            return False
        except OSError:
            return True
        if not stat.S_ISDIR(mode):
            return True
    return False


def delete_file(root: Path, path: str) -> None:
    """Delete one tracked file (or symlink) and the folders it leaves empty."""
    if beyond_non_folder(root, path):
        return  # the file is not there: a symlink or file replaced its folder
    full = root / path
    try:
        if not is_real_folder(full):
            full.unlink()
    except FileNotFoundError:
        pass
    prune_empty_parents(full.parent, root)


def prune_empty_parents(folder: Path, root: Path) -> None:
    while folder != root and folder.is_relative_to(root):
        try:
            folder.rmdir()
        except OSError:
            return
        folder = folder.parent


def write_entry(root: Path, path: str, entry: TreeEntry, content: bytes, umask: int) -> None:
    """Write one file (or symlink) atomically: a temporary sibling, then a rename.

    Raises InTheWay when something the snapshots do not track blocks the path: a file or
    symlink where a folder is needed, or a folder that still holds files.
    """
    if beyond_non_folder(root, path):
        raise InTheWay(path)
    full = root / path
    _make_folders(full.parent, root)
    if is_real_folder(full):
        _remove_empty_tree(full, path)
    temp = temporary_copy(root, path)
    temp.unlink(missing_ok=True)
    try:
        if entry.mode == "120000":
            os.symlink(os.fsdecode(content), temp)
        else:
            fd = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
            try:
                view = memoryview(content)
                while view:
                    view = view[os.write(fd, view) :]
                os.fchmod(fd, (0o777 if entry.mode == "100755" else 0o666) & ~umask)
                os.fsync(fd)  # on disk before the journal that would redo it is cleared
            finally:
                os.close(fd)
        os.replace(temp, full)
    except OSError:
        # A full disk or a file size limit: a half-written copy would sit in the project
        # until the restore is finished; removing it also gives back its space.
        with contextlib.suppress(OSError):
            temp.unlink(missing_ok=True)
        raise


def temporary_copy(root: Path, path: str) -> Path:
    """Where ``write_entry`` writes a file before renaming it into place."""
    full = root / path
    suffix = hashlib.sha1(os.fsencode(full.name)).hexdigest()[:12]
    return full.parent / f"{RESTORE_TEMP_PREFIX}-{suffix}"


def sync_folders(root: Path, paths: Iterable[str]) -> None:
    """Put the names written and removed under ``paths`` on disk, in their folders and in
    every folder above them up to ``root`` (a restore may have made or removed those too): a
    power cut after the journal is cleared must not bring back old names."""
    folders: set[Path] = {root}
    for path in paths:
        folder = (root / path).parent
        while folder != root and folder not in folders:
            if is_real_folder(folder):
                folders.add(folder)
            folder = folder.parent
    for folder in folders:
        with contextlib.suppress(OSError):  # a folder that cannot be opened holds nothing new
            fd = os.open(folder, os.O_RDONLY | os.O_DIRECTORY)
            try:
                os.fsync(fd)
            finally:
                os.close(fd)


def _make_folders(folder: Path, root: Path) -> None:
    missing: list[Path] = []
    while folder != root and not os.path.lexists(folder):
        missing.append(folder)
        folder = folder.parent
    for item in reversed(missing):
        item.mkdir()


def _remove_empty_tree(folder: Path, path: str) -> None:
    """Remove a folder that holds nothing but empty folders; anything else is in the way."""
    for directory, dirs, files in os.walk(folder):
        links = [name for name in dirs if (Path(directory) / name).is_symlink()]
        if files or links:
            raise InTheWay(path)
    for directory, _dirs, _files in os.walk(folder, topdown=False):
        os.rmdir(directory)


def current_umask() -> int:
    """The process umask, read without changing it (``os.umask`` would race other threads)."""
    with contextlib.suppress(OSError, ValueError):
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("Umask:"):
                return int(line.split()[1], 8)
    return 0o022


class BlobReader:
    """Blob contents one at a time from a single ``git cat-file --batch``, so a restore of
    many large files never holds more than one of them in memory."""

    def __init__(self, git: Git) -> None:
        self._git = git
        self._process: subprocess.Popen[bytes] | None = None

    def read(self, sha: str) -> bytes:
        if self._process is None:
            self._process = self._git.popen("cat-file", "--batch")
        stdin, stdout = self._process.stdin, self._process.stdout
        assert stdin is not None and stdout is not None
        try:
            stdin.write(f"{sha}\n".encode())
            stdin.flush()
            header = stdout.readline().split()
            if len(header) < 3 or header[1] == b"missing":
                raise CheckpointError(f"the snapshot object {sha[:12]} is missing")
            content = stdout.read(int(header[2]))
            stdout.read(1)
        except (OSError, ValueError) as error:
            raise CheckpointError(f"cannot read the snapshot object {sha[:12]}") from error
        return content

    def close(self) -> None:
        if self._process is not None:
            with contextlib.suppress(OSError):
                assert self._process.stdin is not None
                self._process.stdin.close()
            self._process.kill()
            self._process.wait()
            if self._process.stdout is not None:
                self._process.stdout.close()
            self._process = None


@contextlib.contextmanager
def blob_reader(git: Git) -> Iterator[BlobReader]:
    reader = BlobReader(git)
    try:
        yield reader
    finally:
        reader.close()
