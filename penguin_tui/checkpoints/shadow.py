"""The shadow repository: a bare git repository in the data dir holding a project's snapshots.

A snapshot brings the shadow index up to date with the working tree — only the paths git
reports as changed, new or deleted are touched, which is what makes it fast — and writes a tree.
A restore writes only the files that differ, deletes only files the snapshots track and the
target lacks, and is journaled first (see ``journal.py``). ``git clean`` is never used.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import stat
import threading
import time
from collections.abc import Callable, Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from penguin_tui.checkpoints.git import EMPTY_TREE, Git, encode_paths, split_z
from penguin_tui.checkpoints.journal import Journal, RestorePlan, TreeEntry
from penguin_tui.checkpoints.locks import OperationLock, reclaim_stale_index_lock
from penguin_tui.checkpoints.trees import FileStat as FileStat
from penguin_tui.checkpoints.trees import MergeOutcome as MergeOutcome
from penguin_tui.checkpoints.trees import (
    graft_tree,
    merge_trees,
    parse_added,
    parse_changes,
    parse_numstat,
    parse_tree,
)
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
from penguin_tui.config.secrets import SecretFreeEnvironment
from penguin_tui.disk_limits import of_os_error
from penguin_tui.errors import CheckpointError
from penguin_tui.printable import printable

Progress = Callable[[str], None]
ANNOUNCE_FILES = 2000  # a snapshot of more changed files says so at once
COUNT_FILES = 100  # a snapshot adding more files counts them as git takes them in ...
PROGRESS_EVERY_S = 1.0  # ... and says how far it got once a second, from its first second on


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


class ShadowRepo:
    """The snapshots of one project, kept outside it and driven with explicit git dirs; git's
    environment derives from ``environment`` (penguin-tui's without secrets)."""

    def __init__(
        self,
        git_dir: Path,
        work_tree: Path,
        *,
        max_file_bytes: int = 5 * 1024 * 1024,
        exclude: Sequence[Path] = (),
        environment: SecretFreeEnvironment | None = None,
    ) -> None:
        self.git_dir = git_dir
        self.work_tree = work_tree
        self.max_file_bytes = max_file_bytes
        self.exclude = tuple(exclude)
        self.lock = OperationLock(git_dir.parent / f"{git_dir.name}.ops.lock")
        self.git = Git(git_dir, work_tree, keep_fds=(self.lock.fd,), environment=environment)
        self.journal = Journal(git_dir / "penguin-restore.json")
        # Whether ignore rules may have changed since tracked files were last checked
        # against them (at start, and after every restore).
        self._rules_dirty = True
        # A read-only instance (another one owns the project) never carries out the owner's
        # journal: the owner may not have committed its records yet.
        self.read_only = False
        # Tokens of journaled plans whose records the service saw committed: only those (and
        # plans without a token) are carried out here; any other waits for the service.
        self.committed_tokens: set[str] = set()

    # -- setting up ------------------------------------------------------------------------

    def open(self) -> RestoreResult | None:
        """Create the repository if needed; finish a restore a crash interrupted."""
        with self.lock.held():
            if not (self.git_dir / "HEAD").exists():
                self.git.init_bare()
            self._use_split_index()
            reclaim_stale_index_lock(self.git_dir)
            return self._finish_pending()

    def _use_split_index(self) -> None:
        """Keep the shadow index split: each update-index and write-tree then rewrites a small
        delta instead of the whole index (2.9 MB and ~25 ms a call on a 23,000-file tree)."""
        config = self.git_dir / "config"
        try:
            if "splitindex = true" in config.read_text(encoding="utf-8").lower():
                return
        except OSError:
            pass
        self.git.run("config", "core.splitIndex", "true")

    def _finish_pending(self) -> RestoreResult | None:
        """Carry out a journaled restore that did not finish (a crash, a full disk)."""
        if self.read_only:
            return None
        plan = self.journal.read()
        if plan is None or (plan.token and plan.token not in self.committed_tokens):
            return None
        result = self._apply(plan)
        self.journal.clear()
        self._rules_dirty = True  # what the plan wrote is not known to have kept the rules
        touched = (*result.written, *result.deleted)
        surfaced = self._untracked_now() if any(map(_is_ignore_file, touched)) else []
        return RestoreResult(result.written, result.deleted, result.kept, tuple(surfaced))

    def close(self) -> None:
        self.lock.close()

    def _write_excludes(self) -> bool:
        """The project's ``info/exclude`` and penguin-tui's own data, as shadow excludes."""
        lines = ["# written by penguin-tui: the project's info/exclude and its own data"]
        project_exclude = _project_git_dir(self.work_tree) / "info" / "exclude"
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
                return False
        except OSError:
            pass
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text, encoding="utf-8")
        return True

    # -- snapshots -------------------------------------------------------------------------

    def snapshot(self, progress: Progress | None = None) -> Snapshot:
        """Bring the shadow index up to date with the working tree and write it as a tree."""
        started = time.perf_counter()
        with self.lock.held():
            reclaim_stale_index_lock(self.git_dir)
            self._finish_pending()
            excludes_changed = self._write_excludes()
            changed, untracked = self._changes_on_disk()
            # Tracked files the ignore rules now match (a .gitignore gained a line): a
            # snapshot holds what a fresh `add -A` would, whatever the shadow index saw before.
            # Only worth a second full scan when the rules may have changed.
            now_ignored: list[str] = []
            if self._rules_dirty or excludes_changed or any(map(_is_ignore_file, changed)):
                now_ignored = split_z(
                    self.git.run("ls-files", "-z", "-c", "-i", "--exclude-standard")
                )
            if progress is not None and len(changed) > ANNOUNCE_FILES:
                progress(f"snapshotting {len(changed):,} files")
            to_update, to_remove, skipped = self._sort_changes(changed, set(now_ignored), untracked)
            # Removals first, and --replace: a file that became a folder (or the reverse)
            # must never leave both in the index.
            if to_remove:
                self.git.run(
                    "update-index", "--force-remove", "-z", "--stdin", stdin=encode_paths(to_remove)
                )
            if to_update and progress is not None and len(to_update) > COUNT_FILES:
                self._add_counting(to_update, started, progress)
            elif to_update:
                self.git.run(
                    "update-index",
                    "--add",
                    "--remove",
                    "--replace",
                    "-z",
                    "--stdin",
                    stdin=encode_paths(to_update),
                )
            tree = self.git.text("write-tree")
            self._rules_dirty = False  # the tree holds no file the rules ignore
        elapsed = (time.perf_counter() - started) * 1000
        return Snapshot(tree=tree, skipped=tuple(skipped), elapsed_ms=elapsed)

    def _changes_on_disk(self) -> tuple[list[str], set[str]]:
        """Tracked files whose stat changed (or that are gone) and untracked files, found by
        two git scans run side by side: ``diff-files`` (its stat checks spread over the
        cores) and ``ls-files -o`` (the folder walk). One ``ls-files -m -d -o`` does both in
        turn, in about the sum of their times."""
        found: list[bytes] = []
        failed: list[Exception] = []

        def tracked() -> None:
            try:
                found.append(self.git.run("diff-files", "--name-only", "-z", "--no-renames"))
            except Exception as error:  # handed to the caller's thread below
                failed.append(error)

        scan = threading.Thread(target=tracked, name="penguin-diff-files")
        scan.start()
        try:
            others = split_z(self.git.run("ls-files", "-z", "-o", "--exclude-standard"))
        finally:
            scan.join()
        if failed:
            raise failed[0]
        return [*split_z(found[0]), *others], set(others)

    def _add_counting(self, paths: list[str], started: float, progress: Progress) -> None:
        """``update-index --add`` that says how far it got, once a second from the first
        second of the snapshot on (git prints a line a file it takes in)."""
        total = len(paths)
        next_report = started + PROGRESS_EVERY_S

        def on_line(done: int) -> None:
            nonlocal next_report
            now = time.perf_counter()
            if now >= next_report:
                next_report = now + PROGRESS_EVERY_S
                progress(f"snapshotting {min(done, total):,} of {total:,} files")

        self.git.run_counting(
            "update-index",
            "--add",
            "--remove",
            "--replace",
            "--verbose",
            "-z",
            "--stdin",
            stdin=encode_paths(paths),
            on_line=on_line,
        )

    def _sort_changes(
        self, changed: list[str], now_ignored: set[str], untracked: Collection[str] = ()
    ) -> tuple[list[str], list[str], list[SkippedFile]]:
        update: list[str] = []
        remove: list[str] = list(now_ignored)
        skipped: list[SkippedFile] = []
        nested: list[str] = []
        seen: set[str] = set()
        for path in changed:
            if path in seen or path in now_ignored:
                continue
            seen.add(path)
            if path.endswith("/"):
                nested.append(path)
                continue
            if beyond_non_folder(self.work_tree, path):
                remove.append(path)  # its folder became a symlink or a file: it is gone
                continue
            try:
                info = (self.work_tree / path).lstat()
            except (FileNotFoundError, NotADirectoryError):
                remove.append(path)
                continue
            except OSError as error:
                skipped.append(SkippedFile(path, f"unreadable: {error.strerror}"))
                remove.append(path)
                continue
            if stat.S_ISDIR(info.st_mode):
                remove.append(path)  # a file that became a folder; its files come separately
            elif stat.S_ISREG(info.st_mode) and info.st_size > self.max_file_bytes:
                skipped.append(SkippedFile(path, f"over {_size(self.max_file_bytes)}"))
                if path not in untracked:  # an untracked one has nothing to remove
                    remove.append(path)
            elif stat.S_ISREG(info.st_mode) or stat.S_ISLNK(info.st_mode):
                if stat.S_ISREG(info.st_mode) and not os.access(self.work_tree / path, os.R_OK):
                    skipped.append(SkippedFile(path, "unreadable: permission denied"))
                    remove.append(path)
                else:
                    update.append(path)
            else:
                skipped.append(SkippedFile(path, "not a regular file or symlink"))
                remove.append(path)
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
                try:
                    info = (self.work_tree / path).lstat()
                except OSError:
                    continue  # gone since the walk listed it
                if stat.S_ISREG(info.st_mode) and info.st_size > self.max_file_bytes:
                    skipped.append(SkippedFile(path, f"over {_size(self.max_file_bytes)}"))
                elif stat.S_ISREG(info.st_mode) or stat.S_ISLNK(info.st_mode):
                    candidates.append(path)
            for name in list(dirs):
                if (Path(directory) / name).is_symlink():
                    candidates.append(f"{base}/{name}")
        if not candidates:
            return [], skipped
        ignored = self.ignored(candidates)
        return [path for path in candidates if path not in ignored], skipped

    # -- reading trees ---------------------------------------------------------------------

    def tree_entries(self, tree: str) -> dict[str, TreeEntry]:
        """Every file of a tree, by path."""
        return parse_tree(self.git.run("ls-tree", "-r", "-z", "--full-tree", tree))

    def changed_paths(self, old: str, new: str) -> list[tuple[str, TreeEntry | None]]:
        """Paths that differ from ``old`` to ``new`` and their entry in ``new`` (None: gone)."""
        return parse_changes(self.git.run("diff-tree", "-r", "-z", "--no-renames", old, new))

    def file_count(self, tree: str) -> int:
        """How many files (and symlinks) a tree holds."""
        if tree == EMPTY_TREE:
            return 0
        return self.git.run("ls-tree", "-r", "-z", "--name-only", "--full-tree", tree).count(b"\0")

    def numstat(self, old: str, new: str) -> list[FileStat]:
        """Lines added and removed per file from ``old`` to ``new``, renames found."""
        return parse_numstat(self.git.run("diff-tree", "-r", "-z", "-M", "--numstat", old, new))

    def patch(self, old: str, new: str, paths: Sequence[str] = ()) -> str:
        """The unified diff from ``old`` to ``new`` with renames found."""
        args = ["diff-tree", "-r", "-p", "-M", "--no-color", "--no-ext-diff", old, new]
        if paths:
            args += ["--", *paths]
        # Bytes that are not UTF-8 (in a name or a line) are shown escaped, as \xNN.
        return printable(self.git.run(*args).decode("utf-8", "surrogateescape"))

    def blob(self, sha: str) -> bytes:
        return self.git.run("cat-file", "blob", sha)

    # -- refs and commits ------------------------------------------------------------------

    def keep(self, name: str, tree: str) -> None:
        """Keep ``tree`` reachable (for gc) under ``refs/penguin/<name>``."""
        with self.lock.held():  # never beside a gc packing the refs
            self.git.run("update-ref", f"refs/penguin/{name}", tree)

    def kept_trees(self) -> set[str]:
        out = self.git.text("for-each-ref", "--format=%(refname)", "refs/penguin/trees/")
        return {line.rsplit("/", 1)[-1] for line in out.splitlines() if line}

    def forget(self, names: Iterable[str]) -> None:
        commands = "".join(f"delete refs/penguin/{name}\n" for name in names)
        if commands:
            with self.lock.held():
                self.git.run("update-ref", "--stdin", stdin=commands.encode())

    def merge(
        self, base: str, ours: str, theirs: str, labels: tuple[str, str] = ("ours", "theirs")
    ) -> MergeOutcome:
        """A three-way merge of trees (``git merge-tree --write-tree``); never resolves a
        conflict: conflicted files keep git's markers and are listed.

        ``labels`` (the branch names) name the sides in the conflict markers and in the
        ``path~label`` names git gives a file that a folder displaced: the same trees always
        merge to the same tree.
        """
        with self.lock.held():
            return merge_trees(self.git, base, ours, theirs, labels)

    def graft(self, base_tree: str, source_tree: str, paths: Sequence[str]) -> str:
        """``base_tree`` with ``paths`` taken from ``source_tree`` (absent there: removed)."""
        source = self.tree_entries(source_tree)
        with self.lock.held():
            reclaim_stale_index_lock(self.git_dir)
            return graft_tree(
                self.git, self.git_dir / "penguin-graft.index", base_tree, source, paths
            )

    # -- restore ---------------------------------------------------------------------------

    def restore(
        self,
        current: str,
        target: str,
        preserve: Collection[str] = (),
        discard: Mapping[str, str] | None = None,
    ) -> RestoreResult:
        """Make the working tree hold ``target``, from ``current`` (a snapshot just taken).

        Only files that differ are written; only tracked files the target lacks are deleted
        (never those in ``preserve``), and the untracked files in ``discard`` (path: blob id)
        if they still hold exactly that; a file the target has but the snapshots never saw
        (ignored, over the size cap), or that blocks the way, is kept as it is and listed.
        Journaled first: a crash mid-way is finished at the next start.
        """
        planned = self.plan_restore(current, target, preserve, discard)
        self.journal_plan(planned)
        result = self.carry_out(planned)
        self.journal.clear()
        return result

    def plan_restore(
        self,
        current: str,
        target: str,
        preserve: Collection[str] = (),
        discard: Mapping[str, str] | None = None,
        token: str = "",
    ) -> PlannedRestore:
        """What ``restore`` would write and delete, without touching a file (see ``restore``)."""
        with self.lock.held():
            reclaim_stale_index_lock(self.git_dir)
            self._finish_pending()
            raw = self.git.run("diff-tree", "-r", "-z", "--no-renames", current, target)
            changes = parse_changes(raw)
            # Whether a changed path is tracked now comes from the diff itself (status A: the
            # current tree lacks it); listing the whole current tree would cost a full scan.
            untracked_changed = parse_added(raw)
            spared = set(preserve)
            deletes = [path for path, entry in changes if entry is None and path not in spared]
            wanted = {path for path, entry in changes if entry is not None}
            candidates = [path for path in (discard or {}) if path not in wanted]
            tracked_discards = self.paths_in(current, candidates)
            for path in candidates:
                sha = (discard or {})[path]
                if path not in tracked_discards and self.holds(path, sha):
                    deletes.append(path)
            gone = set(deletes)
            writes: list[tuple[str, TreeEntry]] = []
            kept: list[str] = []
            for path, entry in changes:
                if entry is None:
                    continue
                if entry.mode == "160000":
                    continue  # a submodule link has no content to write
                if path in untracked_changed and self._untracked_in_the_way(path, gone):
                    kept.append(path)
                else:
                    writes.append((path, entry))
        plan = RestorePlan(
            target=target, before=current, writes=writes, deletes=deletes, token=token
        )
        return PlannedRestore(plan, tuple(kept), frozenset(untracked_changed), frozenset(spared))

    def journal_plan(self, planned: PlannedRestore) -> None:
        """Put the plan on disk before any file is touched (nothing to do for an empty one)."""
        if not planned.plan.empty:
            self.journal.write(planned.plan)

    def carry_out(self, planned: PlannedRestore) -> RestoreResult:
        """Write and delete what the journaled plan says. The journal stays until the caller
        clears it (``journal.clear()``), once whatever depends on the restore is recorded."""
        if planned.plan.empty:
            return RestoreResult((), (), planned.kept)
        with self.lock.held():
            result = self._apply(planned.plan)
            # Files can only come out of hiding when a .gitignore was written or deleted.
            touched = (*result.written, *result.deleted)
            surfaced = self._untracked_now() if any(map(_is_ignore_file, touched)) else []
            # Tracked files can only become ignored when a .gitignore the plan touched or kept
            # changed, or when it wrote a file the rules ignore where nothing was tracked.
            planned_paths = (
                *(path for path, _entry in planned.plan.writes),
                *planned.plan.deletes,
                *planned.kept,
            )
            if any(map(_is_ignore_file, planned_paths)) or self.ignored(
                [path for path in result.written if path in planned.created]
            ):
                self._rules_dirty = True
        return RestoreResult(
            result.written,
            result.deleted,
            planned.kept + result.kept,
            tuple(path for path in surfaced if path not in planned.spared),
            tuple(path for path in result.written if path in planned.created),
        )

    def ignored(self, paths: Sequence[str]) -> set[str]:
        """Which of ``paths`` the rules on disk (the project's and penguin-tui's excludes)
        ignore, whether or not the snapshots track them."""
        if not paths:
            return set()
        out = self.git.run(
            "check-ignore", "-z", "--stdin", "--no-index", stdin=encode_paths(paths), ok=(0, 1)
        )
        return set(split_z(out))

    def paths_in(self, tree: str, paths: Sequence[str]) -> set[str]:
        """Which of ``paths`` the tree has (one ls-tree of just those paths)."""
        if not paths or tree == EMPTY_TREE:
            return set()
        out = self.git.run("ls-tree", "-r", "-z", "--name-only", "--full-tree", tree, "--", *paths)
        return set(split_z(out))

    def holds(self, path: str, sha: str, mode: str | None = None) -> bool:
        """Whether the file (or symlink) at ``path`` holds exactly the blob ``sha`` (and, if
        given, has the tree ``mode``: a symlink, an executable or a plain file)."""
        if beyond_non_folder(self.work_tree, path):
            return False
        full = self.work_tree / path
        try:
            info = full.lstat()
            if stat.S_ISLNK(info.st_mode):
                kind = "120000"
                content = os.fsencode(os.readlink(full))
            elif stat.S_ISREG(info.st_mode) and info.st_size <= self.max_file_bytes:
                kind = "100755" if info.st_mode & stat.S_IXUSR else "100644"
                content = full.read_bytes()
            else:
                return False
        except OSError:
            return False
        if mode is not None and mode != kind:
            return False
        return hashlib.sha1(b"blob %d\0" % len(content) + content).hexdigest() == sha

    def _untracked_in_the_way(self, path: str, gone: set[str]) -> bool:
        """Whether a file the snapshots do not track stands at ``path`` or at one of its
        folders (a tracked one about to be deleted does not count)."""
        parts = path.split("/")
        for depth in range(1, len(parts)):
            leading = "/".join(parts[:depth])
            full = self.work_tree / leading
            if not os.path.lexists(full):
                return False
            if not is_real_folder(full):
                return leading not in gone
        full = self.work_tree / path
        # A folder is decided while applying: it goes if it holds nothing once the deletes ran.
        return os.path.lexists(full) and not is_real_folder(full)

    def _untracked_now(self) -> list[str]:
        """Files a snapshot would add now: on disk, not ignored, under the cap, untracked."""
        listed = split_z(self.git.run("ls-files", "-z", "-o", "--exclude-standard"))
        files = [path for path in listed if not path.endswith("/") and self._fits(path)]
        for folder in (path for path in listed if path.endswith("/")):
            files += self._nested_repository(folder)[0]
        return files

    def _fits(self, path: str) -> bool:
        try:
            info = (self.work_tree / path).lstat()
        except OSError:
            return False
        return not (stat.S_ISREG(info.st_mode) and info.st_size > self.max_file_bytes)

    def _apply(self, plan: RestorePlan) -> RestoreResult:
        """Carry out a journaled plan; safe to repeat after a crash (every step is idempotent)."""
        root = self.work_tree
        written: list[str] = []
        too_big: list[str] = []
        kept: list[str] = []
        umask = current_umask()
        path = ""
        try:
            for path in plan.deletes:
                delete_file(root, path)
            with blob_reader(self.git) as blobs:
                for path, entry in plan.writes:
                    content = blobs.read(entry.sha)
                    try:
                        write_entry(root, path, entry, content, umask)
                    except InTheWay:
                        kept.append(path)
                        continue
                    written.append(path)
                    if entry.mode != "120000" and len(content) > self.max_file_bytes:
                        too_big.append(path)
            sync_folders(root, [*plan.deletes, *written])
        except OSError as error:
            raise CheckpointError(self._stopped(plan, path, error, len(written))) from error
        if plan.deletes or too_big:
            self.git.run(
                "update-index",
                "--force-remove",
                "-z",
                "--stdin",
                stdin=encode_paths([*plan.deletes, *too_big]),
            )
        to_add = [path for path in written if path not in set(too_big)]
        if to_add:
            self.git.run(
                "update-index",
                "--add",
                "--remove",
                "--replace",
                "-z",
                "--stdin",
                stdin=encode_paths(to_add),
            )
        return RestoreResult(tuple(written), tuple(plan.deletes), tuple(kept))

    def _stopped(self, plan: RestorePlan, path: str, error: OSError, written: int) -> str:
        """Where a restore stopped, what is on disk, and what finishes it."""
        total = len(plan.writes)
        done = f"{written} of {total} files written" + (
            f", {len(plan.deletes)} deleted" if plan.deletes else ""
        )
        left = temporary_copy(self.work_tree, path)
        copy = (
            f"; a partly written copy, {left.relative_to(self.work_tree).as_posix()}, stays"
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


def _is_ignore_file(path: str) -> bool:
    return path == ".gitignore" or path.endswith("/.gitignore")


def _size(limit: int) -> str:
    return f"{limit / (1024 * 1024):g} MiB"


def _project_git_dir(work_tree: Path) -> Path:
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
