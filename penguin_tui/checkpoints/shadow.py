"""The shadow repository: a bare git repository in the data dir holding a project's snapshots.

A snapshot brings the shadow index up to date with the working tree — only the paths git
reports as changed, new or deleted are touched, which is what makes it fast — and writes a tree
(``scan.py`` finds and sorts the changes). A restore writes only the files that differ, deletes
only files the snapshots track and the target lacks, and is journaled first (``restoring.py``
works it out and carries it out, ``journal.py`` keeps it). ``git clean`` is never used.
"""

from __future__ import annotations

import contextlib
import os
import time
from collections.abc import Callable, Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from penguin_tui.checkpoints import restoring, scan
from penguin_tui.checkpoints.git import EMPTY_TREE, Git, encode_paths, settings_env, split_z
from penguin_tui.checkpoints.journal import Journal, RestorePlan, TreeEntry
from penguin_tui.checkpoints.locks import OperationLock, reclaim_stale_index_lock
from penguin_tui.checkpoints.restoring import PlannedRestore as PlannedRestore
from penguin_tui.checkpoints.restoring import RestoreResult as RestoreResult
from penguin_tui.checkpoints.rules_check import RulesCheck, global_excludes_file
from penguin_tui.checkpoints.scan import SkippedFile as SkippedFile
from penguin_tui.checkpoints.scan import is_ignore_file
from penguin_tui.checkpoints.trees import FileStat as FileStat
from penguin_tui.checkpoints.trees import MergeOutcome as MergeOutcome
from penguin_tui.checkpoints.trees import (
    graft_tree,
    merge_trees,
    pack_index_trees,
    parse_changes,
    parse_numstat,
    parse_tree,
)
from penguin_tui.config.secrets import SecretFreeEnvironment
from penguin_tui.printable import printable

Progress = Callable[[str], None]
ANNOUNCE_FILES = 2000  # a snapshot of more changed files says so at once
COUNT_FILES = 100  # a snapshot adding more files counts them as git takes them in ...
PROGRESS_EVERY_S = 1.0  # ... and says how far it got once a second, from its first second on
PACK_FILES = 1000  # a snapshot adding more files writes them into one pack, not a file each
# For those: git writes every file over core.bigFileThreshold straight into one pack (its bulk
# check-in) instead of one loose object file each, compressed at level 1 as loose objects are.
# The objects are the same; only where they are kept differs.
ONE_PACK = {"core.bigFileThreshold": "1", "pack.compression": "1"}
# Written when the repository is made: git's garbage collection (which reads every object
# again) is due a day later (``retention.py``), not right after the first snapshot.
GC_MARKER = "penguin-last-gc"


@dataclass(frozen=True)
class Snapshot:
    """The project's files as one git tree, what was left out, and what it took."""

    tree: str
    skipped: tuple[SkippedFile, ...]
    elapsed_ms: float


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
        # against them (kept on disk: a command-line call is a new process each time).
        self.rules = RulesCheck(git_dir, global_excludes_file(self.git.environment, work_tree))
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
                (self.git_dir / GC_MARKER).touch()  # a new repository has nothing to collect
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
        self.rules.forget()  # what the plan writes is not known to keep the rules
        result = self._apply(plan)
        self.journal.clear()
        touched = (*result.written, *result.deleted)
        surfaced = self._untracked_now() if any(map(is_ignore_file, touched)) else []
        return RestoreResult(result.written, result.deleted, result.kept, tuple(surfaced))

    def close(self) -> None:
        self.lock.close()

    def _write_excludes(self) -> bool:
        """The project's ``info/exclude`` and penguin-tui's own data, as shadow excludes."""
        return scan.write_excludes(self.git_dir, self.work_tree, self.exclude)

    # -- snapshots -------------------------------------------------------------------------

    def snapshot(self, progress: Progress | None = None) -> Snapshot:
        """Bring the shadow index up to date with the working tree and write it as a tree."""
        started = time.perf_counter()
        with self.lock.held():
            reclaim_stale_index_lock(self.git_dir)
            self._finish_pending()
            first = not (self.git_dir / "index").exists()  # the repository's first snapshot
            self._write_excludes()
            changed, untracked = scan.changes_on_disk(self.git)
            # Tracked files the ignore rules now match (a .gitignore gained a line): a
            # snapshot holds what a fresh `add -A` would, whatever the shadow index saw before.
            # Only worth a second full scan when the rules may have changed.
            now_ignored: list[str] = []
            if any(map(is_ignore_file, changed)) or self.rules.needed():
                now_ignored = split_z(
                    self.git.run("ls-files", "-z", "-c", "-i", "--exclude-standard")
                )
            if progress is not None and len(changed) > ANNOUNCE_FILES:
                progress(f"snapshotting {len(changed):,} files")
            sorted_changes = scan.sort_changes(
                self.git, self.max_file_bytes, changed, set(now_ignored), untracked
            )
            to_update, to_remove = sorted_changes.update, sorted_changes.remove
            # Removals first, and --replace: a file that became a folder (or the reverse)
            # must never leave both in the index.
            if to_remove:
                self.git.run(
                    "update-index", "--force-remove", "-z", "--stdin", stdin=encode_paths(to_remove)
                )
            if to_update:
                self._add(to_update, started, progress)
            if first and len(to_update) > PACK_FILES:
                # Their trees into one pack too: write-tree then makes no file of its own for
                # each folder (thousands of them cost seconds on a new repository).
                pack_index_trees(self.git)
            tree = self.git.text("write-tree")
            self.rules.passed()  # the tree holds no file the rules ignore
        elapsed = (time.perf_counter() - started) * 1000
        return Snapshot(tree=tree, skipped=tuple(sorted_changes.skipped), elapsed_ms=elapsed)

    def _add(self, paths: list[str], started: float, progress: Progress | None) -> None:
        """Put ``paths`` into the shadow index as they are on disk (``update-index --add``);
        many of them go into one pack, and more than a few are counted for ``progress``."""
        add = ("update-index", "--add", "--remove", "--replace", "-z", "--stdin")
        one_pack = len(paths) > PACK_FILES
        env = settings_env(ONE_PACK) if one_pack else None
        if progress is None or len(paths) <= COUNT_FILES:
            self.git.run(*add, stdin=encode_paths(paths), env=env)
        elif one_pack:
            # --verbose would make git close its pack after every file (a pack a file):
            # count how far git has read the list instead.
            items = [encode_paths([path]) for path in paths]
            self.git.run_fed(
                *add, items=items, on_taken=_counter(paths, started, progress), env=env
            )
        else:
            # git prints a line a file it takes in.
            self.git.run_counting(
                *add[:-2],
                "--verbose",
                "-z",
                "--stdin",
                stdin=encode_paths(paths),
                on_line=_counter(paths, started, progress),
            )

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
            return restoring.plan_restore(
                self.git, self.max_file_bytes, (current, target), preserve, discard, token
            )

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
            rules_checked = not self.rules.needed()
            self.rules.forget()  # on disk before a file changes: after a crash, check them
            result = self._apply(planned.plan)
            # Files can only come out of hiding when a .gitignore was written or deleted.
            touched = (*result.written, *result.deleted)
            surfaced = self._untracked_now() if any(map(is_ignore_file, touched)) else []
            # Tracked files can only become ignored when a .gitignore the plan touched or kept
            # changed, or when it wrote a file the rules ignore where nothing was tracked.
            planned_paths = (
                *(path for path, _entry in planned.plan.writes),
                *planned.plan.deletes,
                *planned.kept,
            )
            rules_kept = not any(map(is_ignore_file, planned_paths)) and not self.ignored(
                [path for path in result.written if path in planned.created]
            )
            if rules_checked and rules_kept:
                self.rules.passed()  # the index changed; what it holds still keeps the rules
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
        return scan.ignored_paths(self.git, paths)

    def paths_in(self, tree: str, paths: Sequence[str]) -> set[str]:
        """Which of ``paths`` the tree has (one ls-tree of just those paths)."""
        return restoring.paths_in(self.git, tree, paths)

    def holds(self, path: str, sha: str, mode: str | None = None) -> bool:
        """Whether the file (or symlink) at ``path`` holds exactly the blob ``sha`` (and, if
        given, has the tree ``mode``: a symlink, an executable or a plain file)."""
        return restoring.holds(self.work_tree, self.max_file_bytes, path, sha, mode)

    def _untracked_now(self) -> list[str]:
        """Files a snapshot would add now: on disk, not ignored, under the cap, untracked."""
        return scan.untracked_now(self.git, self.max_file_bytes)

    def _apply(self, plan: RestorePlan) -> RestoreResult:
        """Carry out a journaled plan; safe to repeat after a crash (every step is idempotent)."""
        return restoring.apply_plan(self.git, self.max_file_bytes, plan)

    # -- housekeeping ----------------------------------------------------------------------

    def size_bytes(self) -> int:
        """The bytes of every file in the repository (what the quota is held against); one
        ``scandir`` a folder, as thousands of loose objects can sit in it."""
        total = 0
        folders = [os.fspath(self.git_dir)]
        while folders:
            with contextlib.suppress(OSError), os.scandir(folders.pop()) as entries:
                for entry in entries:
                    if entry.is_dir(follow_symlinks=False):
                        folders.append(entry.path)
                        continue
                    try:
                        total += entry.stat(follow_symlinks=False).st_size
                    except OSError:
                        continue  # gone since the folder was read
        return total

    def gc(self) -> None:
        """Pack objects and drop unreachable ones older than git's grace period."""
        with self.lock.held():
            self.git.run("gc", "--quiet")


def _counter(paths: Sequence[str], started: float, progress: Progress) -> Callable[[int], None]:
    """What says how far an ``update-index --add`` of ``paths`` got, once a second from the
    snapshot's first second on: a call with how many files git has taken in."""
    total = len(paths)
    next_report = started + PROGRESS_EVERY_S

    def on_count(done: int) -> None:
        nonlocal next_report
        now = time.perf_counter()
        if now >= next_report:
            next_report = now + PROGRESS_EVERY_S
            progress(f"snapshotting {min(done, total):,} of {total:,} files")

    return on_count
