"""The shadow repository: a bare git repository in the data dir holding a project's snapshots.

A snapshot brings the shadow index up to date with the working tree — only the paths git
reports as changed, new or deleted are touched, which is what makes it fast — and writes a tree.
A restore writes only the files that differ, deletes only files the snapshots track and the
target lacks, and is journaled first (see ``journal.py``). ``git clean`` is never used.
"""

from __future__ import annotations

import contextlib
import os
import stat
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from penguin_tui.checkpoints.git import EMPTY_TREE, Git, encode_paths, split_z
from penguin_tui.checkpoints.journal import Journal, RestorePlan, TreeEntry
from penguin_tui.checkpoints.locks import OperationLock, reclaim_stale_index_lock
from penguin_tui.errors import CheckpointError

Progress = Callable[[str], None]


@dataclass(frozen=True)
class SkippedFile:
    """A file left out of the snapshot, and why."""

    path: str
    reason: str


@dataclass(frozen=True)
class Snapshot:
    """The project's files as one git tree, what was left out, and what it took."""

    tree: str
    skipped: tuple[SkippedFile, ...]
    elapsed_ms: float


@dataclass(frozen=True)
class FileStat:
    """Lines added and removed in one file between two trees (None for a binary file)."""

    path: str
    added: int | None
    removed: int | None


@dataclass(frozen=True)
class RestoreResult:
    """What a restore changed, and the files it kept because the snapshots never saw them."""

    written: tuple[str, ...]
    deleted: tuple[str, ...]
    kept: tuple[str, ...] = field(default=())


@dataclass(frozen=True)
class MergeOutcome:
    """A three-way merge's tree (conflicted files carry conflict markers) and its conflicts."""

    tree: str
    conflicts: tuple[str, ...]


class ShadowRepo:
    """The snapshots of one project, kept outside it and driven with explicit git dirs."""

    def __init__(
        self,
        git_dir: Path,
        work_tree: Path,
        *,
        max_file_bytes: int = 5 * 1024 * 1024,
        exclude: Sequence[Path] = (),
    ) -> None:
        self.git_dir = git_dir
        self.work_tree = work_tree
        self.max_file_bytes = max_file_bytes
        self.exclude = tuple(exclude)
        self.lock = OperationLock(git_dir.parent / f"{git_dir.name}.ops.lock")
        self.git = Git(git_dir, work_tree, keep_fds=(self.lock.fd,))
        self.journal = Journal(git_dir / "penguin-restore.json")

    # -- setting up ------------------------------------------------------------------------

    def open(self) -> RestoreResult | None:
        """Create the repository if needed; finish a restore a crash interrupted."""
        with self.lock.held():
            if not (self.git_dir / "HEAD").exists():
                self.git.init_bare()
                self.git.run("config", "core.untrackedCache", "true")
            reclaim_stale_index_lock(self.git_dir)
            plan = self.journal.read()
            if plan is None:
                return None
            result = self._apply(plan)
            self.journal.clear()
            return result

    def close(self) -> None:
        self.lock.close()

    def _write_excludes(self) -> None:
        """The project's ``info/exclude`` and penguin-tui's own data, as shadow excludes."""
        lines = ["# written by penguin-tui: the project's info/exclude and its own data"]
        project_exclude = self.work_tree / ".git" / "info" / "exclude"
        with contextlib.suppress(OSError):
            lines.append(project_exclude.read_text(encoding="utf-8", errors="replace"))
        for path in self.exclude:
            try:
                relative = path.resolve().relative_to(self.work_tree.resolve())
            except ValueError:
                continue
            if str(relative) != ".":
                lines.append(f"/{relative.as_posix()}/")
                lines.append(f"/{relative.as_posix()}")
        text = "\n".join(lines) + "\n"
        target = self.git_dir / "info" / "exclude"
        try:
            if target.read_text(encoding="utf-8") == text:
                return
        except OSError:
            pass
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text, encoding="utf-8")

    # -- snapshots -------------------------------------------------------------------------

    def snapshot(self, progress: Progress | None = None) -> Snapshot:
        """Bring the shadow index up to date with the working tree and write it as a tree."""
        started = time.perf_counter()
        with self.lock.held():
            reclaim_stale_index_lock(self.git_dir)
            self._write_excludes()
            changed = split_z(
                self.git.run("ls-files", "-z", "-m", "-d", "-o", "--exclude-standard")
            )
            if progress is not None and len(changed) > 2000:
                progress(f"snapshotting {len(changed):,} files")
            to_update, to_remove, skipped = self._sort_changes(changed)
            if to_update:
                self.git.run(
                    "update-index",
                    "--add",
                    "--remove",
                    "-z",
                    "--stdin",
                    stdin=encode_paths(to_update),
                )
            if to_remove:
                self.git.run(
                    "update-index", "--force-remove", "-z", "--stdin", stdin=encode_paths(to_remove)
                )
            tree = self.git.text("write-tree")
        elapsed = (time.perf_counter() - started) * 1000
        return Snapshot(tree=tree, skipped=tuple(skipped), elapsed_ms=elapsed)

    def _sort_changes(self, changed: list[str]) -> tuple[list[str], list[str], list[SkippedFile]]:
        update: list[str] = []
        remove: list[str] = []
        skipped: list[SkippedFile] = []
        nested: list[str] = []
        seen: set[str] = set()
        for path in changed:
            if path in seen:
                continue
            seen.add(path)
            if path.endswith("/"):
                nested.append(path)
                continue
            full = self.work_tree / path
            try:
                info = full.lstat()
            except FileNotFoundError:
                update.append(path)  # --remove drops it
                continue
            except OSError as error:
                skipped.append(SkippedFile(path, f"unreadable: {error.strerror}"))
                continue
            if stat.S_ISDIR(info.st_mode):
                remove.append(path)  # a file that became a folder; its files come separately
            elif stat.S_ISREG(info.st_mode) and info.st_size > self.max_file_bytes:
                skipped.append(SkippedFile(path, f"over {_size(self.max_file_bytes)}"))
                remove.append(path)
            elif stat.S_ISREG(info.st_mode) or stat.S_ISLNK(info.st_mode):
                update.append(path)
            else:
                skipped.append(SkippedFile(path, "not a regular file or symlink"))
        for folder in nested:
            more_update, more_skipped = self._nested_repository(folder)
            update += more_update
            skipped += more_skipped
        return update, remove, skipped

    def _nested_repository(self, folder: str) -> tuple[list[str], list[SkippedFile]]:
        """The files of a nested git repository, as plain files; its ``.git`` is never read."""
        tracked = set(split_z(self.git.run("ls-files", "-z", "--", folder)))
        candidates: list[str] = []
        skipped: list[SkippedFile] = []
        top = self.work_tree / folder
        for directory, dirs, files in os.walk(top):
            dirs[:] = [name for name in dirs if name != ".git"]
            base = Path(directory).relative_to(self.work_tree).as_posix()
            for name in files:
                if name == ".git":
                    continue
                path = f"{base}/{name}"
                if path in tracked:
                    continue  # changes to tracked files are reported by ls-files -m
                info = (self.work_tree / path).lstat()
                if stat.S_ISREG(info.st_mode) and info.st_size > self.max_file_bytes:
                    skipped.append(SkippedFile(path, f"over {_size(self.max_file_bytes)}"))
                elif stat.S_ISREG(info.st_mode) or stat.S_ISLNK(info.st_mode):
                    candidates.append(path)
            for name in list(dirs):
                if (Path(directory) / name).is_symlink():
                    candidates.append(f"{base}/{name}")
        if not candidates:
            return [], skipped
        ignored = set(
            split_z(
                self.git.run(
                    "check-ignore",
                    "-z",
                    "--stdin",
                    "--no-index",
                    stdin=encode_paths(candidates),
                    ok=(0, 1),
                )
            )
        )
        return [path for path in candidates if path not in ignored], skipped

    # -- reading trees ---------------------------------------------------------------------

    def tree_entries(self, tree: str) -> dict[str, TreeEntry]:
        out = self.git.run("ls-tree", "-r", "-z", "--full-tree", tree)
        entries: dict[str, TreeEntry] = {}
        for record in split_z(out):
            meta, path = record.split("\t", 1)
            mode, _kind, sha = meta.split(" ")
            entries[path] = TreeEntry(mode=mode, sha=sha)
        return entries

    def changed_paths(self, old: str, new: str) -> list[tuple[str, TreeEntry | None]]:
        """Paths that differ from ``old`` to ``new`` and their entry in ``new`` (None: gone)."""
        out = self.git.run("diff-tree", "-r", "-z", "--no-renames", old, new)
        fields = out.split(b"\0")
        changes: list[tuple[str, TreeEntry | None]] = []
        index = 0
        while index + 1 < len(fields):
            meta = fields[index].decode("ascii")
            path = fields[index + 1].decode("utf-8", "surrogateescape")
            index += 2
            if not meta.startswith(":"):
                continue
            _old_mode, new_mode, _old_sha, new_sha, status = meta[1:].split(" ")
            if status == "D":
                changes.append((path, None))
            else:
                changes.append((path, TreeEntry(mode=new_mode, sha=new_sha)))
        return changes

    def numstat(self, old: str, new: str) -> list[FileStat]:
        out = self.git.run("diff-tree", "-r", "-z", "-M", "--numstat", old, new)
        stats: list[FileStat] = []
        fields = out.split(b"\0")
        index = 0
        while index < len(fields):
            record = fields[index].decode("utf-8", "surrogateescape")
            index += 1
            if not record:
                continue
            added, removed, path = record.split("\t", 2)
            if not path:  # a rename: the old and new paths follow
                path = fields[index + 1].decode("utf-8", "surrogateescape")
                index += 2
            stats.append(
                FileStat(
                    path,
                    None if added == "-" else int(added),
                    None if removed == "-" else int(removed),
                )
            )
        return stats

    def patch(self, old: str, new: str, paths: Sequence[str] = ()) -> str:
        """The unified diff from ``old`` to ``new`` with renames found."""
        args = ["diff-tree", "-r", "-p", "-M", "--no-color", "--no-ext-diff", old, new]
        if paths:
            args += ["--", *paths]
        return self.git.run(*args).decode("utf-8", "replace")

    def blob(self, sha: str) -> bytes:
        return self.git.run("cat-file", "blob", sha)

    # -- refs and commits ------------------------------------------------------------------

    def keep(self, name: str, tree: str) -> None:
        """Keep ``tree`` reachable (for gc) under ``refs/penguin/<name>``."""
        self.git.run("update-ref", f"refs/penguin/{name}", tree)

    def kept_trees(self) -> set[str]:
        out = self.git.text("for-each-ref", "--format=%(refname)", "refs/penguin/trees/")
        return {line.rsplit("/", 1)[-1] for line in out.splitlines() if line}

    def forget(self, names: Iterable[str]) -> None:
        commands = "".join(f"delete refs/penguin/{name}\n" for name in names)
        if commands:
            self.git.run("update-ref", "--stdin", stdin=commands.encode())

    def merge(self, base: str, ours: str, theirs: str) -> MergeOutcome:
        """A three-way merge of trees (``git merge-tree --write-tree``); never resolves a
        conflict: conflicted files keep git's markers and are listed."""
        with self.lock.held():
            base_commit = self.git.text("commit-tree", base or EMPTY_TREE, "-m", "base")
            ours_commit = self.git.text("commit-tree", ours, "-p", base_commit, "-m", "ours")
            theirs_commit = self.git.text("commit-tree", theirs, "-p", base_commit, "-m", "theirs")
            out = self.git.run(
                "merge-tree",
                "--write-tree",
                "-z",
                "--name-only",
                ours_commit,
                theirs_commit,
                ok=(0, 1),
            )
        parts = out.split(b"\0")
        tree = parts[0].decode("ascii").strip()
        conflicts: list[str] = []
        for raw in parts[1:]:
            if not raw:
                break  # the informational messages follow an empty field
            name = raw.decode("utf-8", "surrogateescape")
            if name not in conflicts:
                conflicts.append(name)
        return MergeOutcome(tree=tree, conflicts=tuple(conflicts))

    def graft(self, base_tree: str, source_tree: str, paths: Sequence[str]) -> str:
        """``base_tree`` with ``paths`` taken from ``source_tree`` (absent there: removed)."""
        source = self.tree_entries(source_tree)
        index_file = self.git_dir / "penguin-graft.index"
        env = {"GIT_INDEX_FILE": str(index_file)}
        with self.lock.held():
            try:
                self.git.run("read-tree", base_tree, env=env)
                info = []
                for path in paths:
                    entry = source.get(path)
                    if entry is None:
                        info.append(f"0 {'0' * 40}\t{path}")
                    else:
                        info.append(f"{entry.mode} {entry.sha}\t{path}")
                self.git.run(
                    "update-index", "--index-info", stdin=("\n".join(info) + "\n").encode(), env=env
                )
                return self.git.run("write-tree", env=env).decode().strip()
            finally:
                index_file.unlink(missing_ok=True)

    # -- restore ---------------------------------------------------------------------------

    def restore(self, current: str, target: str) -> RestoreResult:
        """Make the working tree hold ``target``, from ``current`` (a snapshot just taken).

        Only files that differ are written; only tracked files the target lacks are deleted;
        a file the target has but the snapshots never saw (ignored, over the size cap) is kept
        as it is and listed. Journaled first: a crash mid-way is finished at the next start.
        """
        with self.lock.held():
            reclaim_stale_index_lock(self.git_dir)
            tracked_now = current != EMPTY_TREE and self.tree_entries(current) or {}
            writes: list[tuple[str, TreeEntry]] = []
            deletes: list[str] = []
            kept: list[str] = []
            for path, entry in self.changed_paths(current, target):
                if entry is None:
                    deletes.append(path)
                elif path not in tracked_now and os.path.lexists(self.work_tree / path):
                    kept.append(path)
                elif entry.mode == "160000":
                    continue  # a submodule link has no content to write
                else:
                    writes.append((path, entry))
            plan = RestorePlan(target=target, before=current, writes=writes, deletes=deletes)
            self.journal.write(plan)
            result = self._apply(plan)
            self.journal.clear()
        return RestoreResult(result.written, result.deleted, tuple(kept))

    def _apply(self, plan: RestorePlan) -> RestoreResult:
        """Carry out a journaled plan; safe to repeat after a crash (every step is idempotent)."""
        root = self.work_tree
        for path in plan.deletes:
            full = root / path
            try:
                if full.is_symlink() or not full.is_dir():
                    full.unlink()
            except FileNotFoundError:
                pass
            _prune_empty_parents(full.parent, root)
        contents = self._blobs([entry.sha for _path, entry in plan.writes])
        for path, entry in plan.writes:
            _write_entry(root, path, entry, contents[entry.sha])
        touched = [path for path, _entry in plan.writes] + list(plan.deletes)
        if touched:
            self.git.run(
                "update-index", "--add", "--remove", "-z", "--stdin", stdin=encode_paths(touched)
            )
        return RestoreResult(tuple(p for p, _e in plan.writes), tuple(plan.deletes))

    def _blobs(self, shas: Sequence[str]) -> dict[str, bytes]:
        """Many blobs in one ``cat-file --batch`` call."""
        unique = list(dict.fromkeys(shas))
        if not unique:
            return {}
        out = self.git.run("cat-file", "--batch", stdin=("\n".join(unique) + "\n").encode())
        blobs: dict[str, bytes] = {}
        position = 0
        for sha in unique:
            header_end = out.index(b"\n", position)
            header = out[position:header_end].split(b" ")
            if len(header) < 3:
                raise CheckpointError(f"the snapshot object {sha[:12]} is missing")
            size = int(header[2])
            start = header_end + 1
            blobs[sha] = out[start : start + size]
            position = start + size + 1
        return blobs

    # -- housekeeping ----------------------------------------------------------------------

    def size_bytes(self) -> int:
        total = 0
        for directory, _dirs, files in os.walk(self.git_dir):
            for name in files:
                with contextlib.suppress(OSError):
                    total += (Path(directory) / name).lstat().st_size
        return total

    def gc(self) -> None:
        """Pack objects and drop unreachable ones older than git's grace period."""
        with self.lock.held():
            self.git.run("gc", "--quiet")


def _size(limit: int) -> str:
    return f"{limit / (1024 * 1024):g} MiB"


def _prune_empty_parents(folder: Path, root: Path) -> None:
    while folder != root and folder.is_relative_to(root):
        try:
            folder.rmdir()
        except OSError:
            return
        folder = folder.parent


def _write_entry(root: Path, path: str, entry: TreeEntry, content: bytes) -> None:
    """Write one file (or symlink) atomically: a temporary sibling, then a rename."""
    full = root / path
    parent = full.parent
    if not parent.is_dir():
        _make_folders(parent, root)
    if full.is_dir() and not full.is_symlink():
        try:
            full.rmdir()  # an empty folder where the target has a file
        except OSError as error:
            raise CheckpointError(f"cannot restore {path}: a folder is in the way") from error
    temp = parent / f".{full.name}.penguin-restore"
    temp.unlink(missing_ok=True)
    if entry.mode == "120000":
        os.symlink(os.fsdecode(content), temp)
    else:
        fd = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o666)
        try:
            view = memoryview(content)
            while view:
                view = view[os.write(fd, view) :]
        finally:
            os.close(fd)
        umask = _umask()
        os.chmod(temp, (0o777 if entry.mode == "100755" else 0o666) & ~umask)
    os.replace(temp, full)


def _make_folders(folder: Path, root: Path) -> None:
    """Create ``folder``; a file in the way (tracked, already deleted) is an error."""
    missing: list[Path] = []
    while not folder.exists() and folder != root:
        missing.append(folder)
        folder = folder.parent
    for item in reversed(missing):
        item.mkdir()


_UMASK: int | None = None


def _umask() -> int:
    global _UMASK
    if _UMASK is None:
        current = os.umask(0)
        os.umask(current)
        _UMASK = current
    return _UMASK
