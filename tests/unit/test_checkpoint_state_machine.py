"""Checkpoints as a state machine: random edits, reverts, undos, branches and merges on a real
project, a real shadow repository and a real SQLite store, checked against a model.

The model keeps the project's files, every checkpoint's expected snapshot and every branch's
conversation. After every step the project must equal the model byte for byte, every ``.git``
in it must be untouched, no restore journal may be left, and each branch's conversation must
be the path from the root to its head.
"""

from __future__ import annotations

import asyncio
import errno
import fnmatch
import hashlib
import os
import shutil
import subprocess
import tempfile
from collections.abc import AsyncIterator, Coroutine
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar
from unittest import mock

import pytest
from hypothesis import HealthCheck, event, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, rule

from penguin_tui.bus import EventBus
from penguin_tui.checkpoints.git import EMPTY_TREE, clean_environment
from penguin_tui.checkpoints.model import Checkpoint, CheckpointKind, OperationState, RevertMode
from penguin_tui.checkpoints.results import OperationResult
from penguin_tui.checkpoints.service import CheckpointService
from penguin_tui.checkpoints.shadow import RestoreResult
from penguin_tui.checkpoints.worktree import write_entry
from penguin_tui.config.paths import DataPaths
from penguin_tui.config.settings import CheckpointSettings
from penguin_tui.errors import CheckpointError
from penguin_tui.store import MessageStatus, Role, Store

CAP = 1000
NESTED = "vendor/lib"
T = TypeVar("T")


@dataclass(frozen=True)
class Entry:
    """A file or symlink as git sees it: content (or link target) and the exec bit."""

    kind: str
    data: bytes
    executable: bool = False

    @property
    def mode(self) -> str:
        if self.kind == "link":
            return "120000"
        return "100755" if self.executable else "100644"

    @property
    def sha(self) -> str:
        return hashlib.sha1(b"blob %d\0" % len(self.data) + self.data).hexdigest()


Files = dict[str, Entry]


def git(cwd: Path, *args: str) -> None:
    subprocess.run(
        ["git", *args], cwd=cwd, env=clean_environment(), check=True, capture_output=True
    )


def commit_all(cwd: Path) -> None:
    git(cwd, "add", "-A")
    git(cwd, "-c", "user.name=u", "-c", "user.email=u@x", "commit", "-qm", "c")


def scan(root: Path) -> Files:
    """Every file and symlink in the project, every ``.git`` left out, symlinks not followed."""
    found: Files = {}
    for directory, dirs, names in os.walk(root):
        links = [name for name in dirs if (Path(directory) / name).is_symlink()]
        dirs[:] = [name for name in dirs if name != ".git" and name not in links]
        for name in names + links:
            full = Path(directory) / name
            path = full.relative_to(root).as_posix()
            if full.is_symlink():
                found[path] = Entry("link", os.fsencode(os.readlink(full)))
            else:
                found[path] = Entry("file", full.read_bytes(), os.access(full, os.X_OK))
    return found


def digest(folder: Path) -> str:
    """Every name, mode and byte under a ``.git``."""
    hashed = hashlib.sha256()
    for directory, dirs, files in sorted(os.walk(folder)):
        dirs.sort()
        for name in sorted(files + dirs):
            full = Path(directory) / name
            info = full.lstat()
            hashed.update(os.fsencode(full.relative_to(folder)) + b"\0%o\0" % info.st_mode)
            if full.is_file() and not full.is_symlink():
                hashed.update(full.read_bytes())
    return hashed.hexdigest()


def _patterns(entry: Entry | None) -> list[str]:
    if entry is None or entry.kind != "file":
        return []
    lines = (line.strip() for line in entry.data.decode("utf-8", "replace").splitlines())
    return [line for line in lines if line and not line.startswith("#")]


def _matches(parts: list[str], pattern: str) -> bool:
    """The small part of gitignore's language the machine uses: ``*.x``, ``dir/``, ``/name``."""
    if pattern.endswith("/"):
        return any(fnmatch.fnmatchcase(part, pattern[:-1]) for part in parts[:-1])
    if pattern.startswith("/"):
        return fnmatch.fnmatchcase(parts[0], pattern[1:])
    return any(fnmatch.fnmatchcase(part, pattern) for part in parts)


def ignored(path: str, disk: Files) -> bool:
    parts = path.split("/")
    rules = [*_patterns(disk.get(".gitignore")), "/secret.txt"]  # info/exclude has the last
    if any(_matches(parts, pattern) for pattern in rules):
        return True
    nested = NESTED.split("/")
    if parts[: len(nested)] == nested and len(parts) > len(nested):
        inner = parts[len(nested) :]
        return any(_matches(inner, p) for p in _patterns(disk.get(f"{NESTED}/.gitignore")))
    return False


def differences(actual: Files, expected: Files) -> dict[str, tuple[Entry | None, Entry | None]]:
    paths = set(actual) | set(expected)
    return {p: (actual.get(p), expected.get(p)) for p in paths if actual.get(p) != expected.get(p)}


def snapshot_of(disk: Files) -> Files:
    """What a snapshot of ``disk`` must hold: not ignored, not over the size cap."""
    return {
        path: entry
        for path, entry in disk.items()
        if not ignored(path, disk) and not (entry.kind == "file" and len(entry.data) > CAP)
    }


@dataclass
class ModelCheckpoint:
    files: Files
    message: str | None
    parent: str | None


@dataclass
class ModelBranch:
    head: str | None
    position: str | None


@dataclass
class ModelOperation:
    """A revert or merge the model can undo, and the states around it."""

    mode: RevertMode
    branch: str
    target: str
    before: str
    before_head: str | None
    after_head: str | None
    after_files: Files
    surfaced: set[str]
    created: Files
    disk_before: Files
    disk_after: Files
    # Nothing but undo/redo (and other undoable operations) happened since: undo must give
    # back exactly disk_before, redo exactly disk_after.
    exact: bool = True


@dataclass
class RestoreOutcome:
    written: set[str] = field(default_factory=set)
    deleted: set[str] = field(default_factory=set)
    kept: set[str] = field(default_factory=set)
    surfaced: set[str] = field(default_factory=set)
    created: Files = field(default_factory=dict)


FILES = [
    "main.py",
    "src/app.py",
    "src/util.py",
    "src/deep/mod.py",
    "docs/readme.md",
    "x",
    "x/inner.txt",
    "with space.txt",
    "ünï cödé.txt",
    "new\nline.txt",
    "q\"uote's.txt",
    "scratch.tmp",
    "src/notes.tmp",
    "build/out.js",
]
IGNORED = ["debug.log", "src/trace.log", "secret.txt", f"{NESTED}/blob.cache", "build/gen.js"]
NESTED_FILES = [f"{NESTED}/lib.py", f"{NESTED}/util.py", f"{NESTED}/sub/deep.py"]
LINKS = ["link", "src/link"]
LINK_TARGETS = ["main.py", "src", "../main.py", "missing/file", NESTED]
TEXT = st.text(alphabet="abcxyz", max_size=6)
MODES = st.sampled_from([RevertMode.CODE, RevertMode.CONVERSATION, RevertMode.BOTH])
FOLLOW_UPS = st.sampled_from(["", "", "undo", "undo redo", "undo redo undo"])
PROTECTED = {".gitignore", f"{NESTED}/.gitignore"}


class CheckpointMachine(RuleBasedStateMachine):
    """A project, its checkpoint service, and the model they must agree with."""

    def __init__(self) -> None:
        super().__init__()
        self.loop = asyncio.new_event_loop()
        self.temp = Path(tempfile.mkdtemp(prefix="penguin-machine-"))
        self.root = self.temp / "project"
        self.root.mkdir()
        (self.root / ".gitignore").write_text("*.log\n")
        (self.root / "main.py").write_text("main")
        (self.root / "src").mkdir()
        (self.root / "src" / "app.py").write_text("app")
        git(self.root, "init", "-q")
        commit_all(self.root)
        (self.root / ".git" / "info" / "exclude").write_text("/secret.txt\n")
        nested = self.root / NESTED
        nested.mkdir(parents=True)
        (nested / ".gitignore").write_text("*.cache\n")
        (nested / "lib.py").write_text("lib")
        git(nested, "init", "-q")
        commit_all(nested)
        self.git_dirs = {".git": digest(self.root / ".git")}
        self.git_dirs[f"{NESTED}/.git"] = digest(nested / ".git")
        self.disk = scan(self.root)

        home = self.temp / "home"
        self.store = self.run(Store.open(home / "penguin.db"))
        try:
            self.open_service()
        except BaseException:
            self.teardown()
            raise

    def new_service(self) -> CheckpointService:
        home = self.temp / "home"
        return CheckpointService(
            self.store,
            EventBus(sink=self.store),
            CheckpointSettings(max_file_mb=CAP / (1024 * 1024)),
            self.run(self.store.ensure_project(self.root)),
            DataPaths(root=home, config_dir=home),
        )

    def open_service(self) -> None:
        """The service, a session, and the first checkpoint the model starts from."""
        self.service = self.new_service()
        self.run(self.service.open())
        self.session = self.run(self.store.create_session(self.service.project.id, None)).id
        self.messages: dict[str, str | None] = {}
        self.branches = {"main": ModelBranch(None, None)}
        self.current = "main"
        self.checkpoints: dict[str, ModelCheckpoint] = {}
        self.done: list[ModelOperation] = []
        self.undone: list[ModelOperation] = []
        self.branch_count = 0
        self.checkpoint(self.run(self.service.create(self.session, CheckpointKind.MANUAL, "start")))

    def run(self, coroutine: Coroutine[Any, Any, T]) -> T:
        return self.loop.run_until_complete(coroutine)

    def teardown(self) -> None:
        """Close everything even after a failure: an open store's thread would hang pytest."""
        try:
            try:
                if hasattr(self, "service"):
                    self.run(self.service.close())
            finally:
                self.run(self.store.close())
                self.run(self.loop.shutdown_default_executor())
        finally:
            self.loop.close()
            shutil.rmtree(self.temp, ignore_errors=True)

    # -- the model's side of the service -------------------------------------------------------

    def checkpoint(self, made: Checkpoint) -> None:
        """Check a checkpoint the service just took against the model, and record it."""
        branch = self.branches[self.current]
        expected = snapshot_of(self.disk)
        actual = self.service.shadow.tree_entries(made.tree)
        assert {path: (e.mode, e.sha) for path, e in actual.items()} == {
            path: (e.mode, e.sha) for path, e in expected.items()
        }, "the snapshot must hold exactly the files that are not ignored and under the cap"
        assert (made.branch, made.message_id, made.parent_id) == (
            self.current,
            branch.head,
            branch.position,
        )
        self.checkpoints[made.id] = ModelCheckpoint(expected, branch.head, branch.position)
        branch.position = made.id

    def restore(
        self, current: Files, target: Files, preserve: set[str], discard: Files | None = None
    ) -> RestoreOutcome:
        """The restore's rules, applied to the model's files."""
        outcome = RestoreOutcome()
        for path in current:
            if path not in target and path not in preserve:
                del self.disk[path]
                outcome.deleted.add(path)
        for path, entry in (discard or {}).items():
            untracked = path not in current and path not in target
            if untracked and self.disk.get(path) == entry and len(entry.data) <= CAP:
                del self.disk[path]
                outcome.deleted.add(path)
        for path, entry in sorted(target.items()):
            if current.get(path) == entry:
                continue
            if self.in_the_way(path, tracked=path in current):
                outcome.kept.add(path)
            else:
                self.disk[path] = entry
                outcome.written.add(path)
        if outcome.written or outcome.deleted:
            index = (set(current) - outcome.deleted) | outcome.written
            now = snapshot_of(self.disk)
            outcome.surfaced = {path for path in now if path not in index} - preserve
        outcome.created = {p: target[p] for p in outcome.written if p not in current}
        return outcome

    def in_the_way(self, path: str, tracked: bool) -> bool:
        parts = path.split("/")
        if any("/".join(parts[:depth]) in self.disk for depth in range(1, len(parts))):
            return True
        if not tracked and path in self.disk:
            return True
        inside = path + "/"
        return any(p.startswith(inside) for p in self.disk) or any(
            g.startswith(inside) for g in self.git_dirs
        )

    def check_restored(self, restored: RestoreResult | None, outcome: RestoreOutcome) -> None:
        assert restored is not None
        for name, paths in (("kept", outcome.kept), ("surfaced", outcome.surfaced)):
            if paths:
                event(f"a restore {name} files")
        assert set(restored.written) == outcome.written
        assert set(restored.deleted) == outcome.deleted
        assert set(restored.kept) == outcome.kept, "kept: files the snapshots never saw"
        assert set(restored.surfaced) == outcome.surfaced
        assert set(restored.created) == set(outcome.created)

    def safety(self, result: OperationResult) -> Files:
        """The files just before an operation: its safety checkpoint's, or the position's
        when an undo, redo or merge took none because it would have repeated the position
        (and only then)."""
        branch = self.branches[self.current]
        position = self.checkpoints[branch.position] if branch.position else None
        at_position = (
            position is not None
            and position.files == snapshot_of(self.disk)
            and position.message == branch.head
        )
        if result.action in ("undo", "redo", "merge"):
            assert (result.safety is None) == at_position, "a safety checkpoint, unless empty"
        if result.safety is None:
            assert position is not None
            event(f"{result.action} took no empty safety checkpoint")
            return position.files
        assert result.safety.kind is CheckpointKind.SAFETY
        self.checkpoint(result.safety)
        return self.checkpoints[result.safety.id].files

    def path_to(self, head: str | None) -> list[str]:
        path: list[str] = []
        while head is not None:
            path.append(head)
            head = self.messages[head]
        return path[::-1]

    def changed_by_hand(self) -> None:
        for operation in self.done + self.undone:
            operation.exact = False

    def make_room(self, path: str) -> None:
        """The folders for ``path``, and no empty folder (the model has none) where it goes."""
        full = self.root / path
        full.parent.mkdir(parents=True, exist_ok=True)
        if full.is_dir() and not full.is_symlink():
            shutil.rmtree(full)

    def free(self, path: str) -> bool:
        """Whether ``path`` can be written as a file: no file on the way, no folder there."""
        parts = path.split("/")
        if any("/".join(parts[:depth]) in self.disk for depth in range(1, len(parts))):
            return False
        inside = path + "/"
        return not any(p.startswith(inside) for p in [*self.disk, *self.git_dirs])

    def write(self, path: str, entry: Entry) -> None:
        full = self.root / path
        self.make_room(path)
        if full.is_symlink() or full.exists():
            full.unlink()
        if entry.kind == "link":
            os.symlink(os.fsdecode(entry.data), full)
        else:
            full.write_bytes(entry.data)
            full.chmod(0o755 if entry.executable else 0o644)
        self.disk[path] = entry
        self.changed_by_hand()

    def pick(self, data: st.DataObject, choices: list[str]) -> str | None:
        """One of ``choices`` (in an order that does not depend on random ids)."""
        return data.draw(st.sampled_from(choices)) if choices else None

    # -- rules: the user, the agent and the shell change the project ---------------------------

    @rule(path=st.sampled_from(FILES + NESTED_FILES), text=TEXT, executable=st.booleans())
    def write_file(self, path: str, text: str, executable: bool) -> None:
        if self.free(path):
            self.write(path, Entry("file", text.encode(), executable))

    @rule(path=st.sampled_from(IGNORED), text=TEXT)
    def add_ignored_file(self, path: str, text: str) -> None:
        if self.free(path):
            self.write(path, Entry("file", f"ignored {text}".encode()))

    @rule(path=st.sampled_from(["big.bin", "src/big.bin", "main.py"]), extra=st.integers(1, 50))
    def write_file_over_the_cap(self, path: str, extra: int) -> None:
        if self.free(path):
            self.write(path, Entry("file", b"b" * (CAP + extra)))

    @rule(tmp=st.booleans(), build=st.booleans())
    def edit_gitignore(self, tmp: bool, build: bool) -> None:
        text = "*.log\n" + ("*.tmp\n" if tmp else "") + ("build/\n" if build else "")
        self.write(".gitignore", Entry("file", text.encode()))

    @rule(path=st.sampled_from(LINKS), points_to=st.sampled_from(LINK_TARGETS))
    def make_symlink(self, path: str, points_to: str) -> None:
        if self.free(path):
            self.write(path, Entry("link", points_to.encode()))

    @rule(path=st.sampled_from(NESTED_FILES), text=TEXT)
    def change_nested_repository(self, path: str, text: str) -> None:
        if self.free(path):
            self.write(path, Entry("file", f"nested {text}".encode()))

    @rule(data=st.data())
    def delete_file(self, data: st.DataObject) -> None:
        path = self.pick(data, sorted(p for p in self.disk if p not in PROTECTED))
        if path is not None:
            (self.root / path).unlink()
            del self.disk[path]
            self.changed_by_hand()

    @rule(data=st.data(), to=st.sampled_from(FILES))
    def rename_file(self, data: st.DataObject, to: str) -> None:
        path = self.pick(data, sorted(p for p in self.disk if p not in PROTECTED))
        if path is None or path == to or to.startswith(path + "/") or path.startswith(to + "/"):
            return
        entry = self.disk.pop(path)
        if not self.free(to):
            self.disk[path] = entry
            return
        self.make_room(to)
        (self.root / path).rename(self.root / to)
        self.disk[to] = entry
        self.changed_by_hand()

    @rule(data=st.data(), text=TEXT)
    def file_becomes_folder(self, data: st.DataObject, text: str) -> None:
        path = self.pick(data, sorted(p for p in self.disk if p not in PROTECTED))
        if path is None:
            return
        (self.root / path).unlink()
        del self.disk[path]
        self.write(f"{path}/now a folder.txt", Entry("file", text.encode()))

    @rule(data=st.data(), text=TEXT)
    def folder_becomes_file(self, data: st.DataObject, text: str) -> None:
        folders = {p.rsplit("/", 1)[0] for p in self.disk if "/" in p}
        candidates = [
            folder
            for folder in folders
            if not any(g.startswith(folder + "/") for g in self.git_dirs)
            and not any(p.startswith(folder + "/") for p in PROTECTED)
        ]
        folder = self.pick(data, sorted(candidates))
        if folder is None:
            return
        parts = folder.split("/")
        if any("/".join(parts[:depth]) in self.disk for depth in range(1, len(parts))):
            return
        shutil.rmtree(self.root / folder)
        self.disk = {p: e for p, e in self.disk.items() if not p.startswith(folder + "/")}
        self.write(folder, Entry("file", text.encode()))

    @rule()
    def new_nested_repository(self) -> None:
        if "tools/.git" in self.git_dirs or not self.free("tools/tool.py"):
            return
        self.write("tools/tool.py", Entry("file", b"tool"))
        git(self.root / "tools", "init", "-q")
        self.git_dirs["tools/.git"] = digest(self.root / "tools" / ".git")

    @rule(text=TEXT)
    def add_conversation(self, text: str) -> None:
        head = self.branches[self.current].head
        for role in (Role.USER, Role.ASSISTANT):
            message = self.run(
                self.store.add_message(
                    self.session, head, role, f"{role.value} {text}", MessageStatus.COMPLETE
                )
            )
            self.messages[message.id] = head
            head = message.id
        self.branches[self.current].head = head
        self.changed_by_hand()

    # -- rules: checkpoints and the operations on them -----------------------------------------

    @rule()
    def manual_checkpoint(self) -> None:
        self.checkpoint(self.run(self.service.create(self.session, CheckpointKind.MANUAL, "m")))

    @rule(data=st.data(), mode=MODES, then=FOLLOW_UPS)
    def revert(self, data: st.DataObject, mode: RevertMode, then: str) -> None:
        target_id = self.pick(data, list(self.checkpoints))
        assert target_id is not None
        disk_before = dict(self.disk)
        result = self.run(self.service.revert(self.session, target_id, mode))
        self.reverted(result, target_id, mode, disk_before)
        self.follow_up(then)

    @rule(data=st.data(), writes_before_crash=st.integers(0, 3), restart=st.booleans())
    def revert_dies_half_way(
        self, data: st.DataObject, writes_before_crash: int, restart: bool
    ) -> None:
        """A revert stopped by an I/O error after a few files is finished by the next start
        (or the next checkpoint operation): its records landed before the first file was
        touched, so the files end at the target, the target is the branch's position, and the
        revert is undoable like any other."""
        target_id = self.pick(data, list(self.checkpoints))
        assert target_id is not None
        disk_before = dict(self.disk)
        head_before = self.branches[self.current].head
        calls = 0

        def dies_after_a_few(*args: Any, **kwargs: Any) -> None:
            nonlocal calls
            calls += 1
            if calls > writes_before_crash:
                raise OSError(errno.EIO, "simulated crash")
            write_entry(*args, **kwargs)

        with mock.patch("penguin_tui.checkpoints.restoring.write_entry", dies_after_a_few):
            try:
                result = self.run(self.service.revert(self.session, target_id, RevertMode.CODE))
            except CheckpointError as error:
                assert "restore stopped" in str(error)
                assert self.service.shadow.journal.pending
            else:
                self.reverted(result, target_id, RevertMode.CODE, disk_before)
                return
        event("a revert died half-way")
        operation = self.run(self.service.records.last_operation(self.session, OperationState.DONE))
        assert operation is not None and operation.target_id == target_id
        safety_checkpoint = self.run(self.service.get(self.session, operation.before_id))
        assert safety_checkpoint.kind is CheckpointKind.SAFETY
        self.checkpoint(safety_checkpoint)
        safety = self.checkpoints[safety_checkpoint.id].files
        if restart:
            self.run(self.service.close())
            self.service = self.new_service()
            self.run(self.service.open())
            recovered = self.service.recovered
        else:
            # The next checkpoint operation finishes it first.
            self.run(self.service.changes_since_position(self.session))
        outcome = self.restore(safety, self.checkpoints[target_id].files, set())
        if restart:
            assert recovered is not None
            assert (set(recovered.written), set(recovered.deleted)) == (
                outcome.written,
                outcome.deleted,
            )
        branch = self.branches[self.current]
        branch.position = target_id
        self.undone.clear()
        self.done.append(
            ModelOperation(
                RevertMode.CODE,
                self.current,
                target_id,
                safety_checkpoint.id,
                head_before,
                branch.head,
                self.checkpoints[target_id].files,
                outcome.surfaced,
                outcome.created,
                disk_before,
                dict(self.disk),
            )
        )

    def reverted(
        self, result: OperationResult, target_id: str, mode: RevertMode, disk_before: Files
    ) -> None:
        """The model's side of a revert the service has done."""
        target = self.checkpoints[target_id]
        branch = self.branches[self.current]
        head_before = branch.head
        safety = self.safety(result)
        outcome = RestoreOutcome()
        if mode.code:
            outcome = self.restore(safety, target.files, set())
            self.check_restored(result.restored, outcome)
            branch.position = target_id
        if mode.conversation:
            branch.head = target.message
        self.undone.clear()
        self.done.append(
            ModelOperation(
                mode,
                self.current,
                target_id,
                result.safety.id if result.safety else "",
                head_before,
                branch.head,
                target.files if mode.code else safety,
                outcome.surfaced,
                outcome.created,
                disk_before,
                dict(self.disk),
            )
        )

    @rule()
    def undo(self) -> None:
        if not self.done or self.done[-1].branch != self.current:
            try:
                self.run(self.service.undo(self.session))
            except CheckpointError:
                event("undo refused")
                return
            raise AssertionError("undo must refuse: nothing to undo on this branch")
        operation = self.done.pop()
        branch = self.branches[self.current]
        result = self.run(self.service.undo(self.session))
        safety = self.safety(result)
        if operation.mode.code:
            before = self.checkpoints[operation.before].files
            outcome = self.restore(safety, before, operation.surfaced, operation.created)
            self.check_restored(result.restored, outcome)
            branch.position = operation.before
        if operation.mode.conversation:
            branch.head = operation.before_head
        if operation.exact:
            event("undo checked for an exact return")
            missed = differences(self.disk, operation.disk_before)
            assert not missed, f"undo must give back the exact files: {missed}"
            assert branch.head == operation.before_head
        self.undone.append(operation)

    @rule()
    def redo(self) -> None:
        if not self.undone or self.undone[-1].branch != self.current:
            try:
                self.run(self.service.redo(self.session))
            except CheckpointError:
                return
            raise AssertionError("redo must refuse: nothing to redo on this branch")
        operation = self.undone.pop()
        branch = self.branches[self.current]
        result = self.run(self.service.redo(self.session))
        safety = self.safety(result)
        if operation.mode.code:
            outcome = self.restore(safety, operation.after_files, set())
            self.check_restored(result.restored, outcome)
            branch.position = operation.target
            operation.surfaced, operation.created = outcome.surfaced, outcome.created
        if operation.mode.conversation:
            branch.head = operation.after_head
        if operation.exact:
            missed = differences(self.disk, operation.disk_after)
            assert not missed, f"redo must re-apply exactly: {missed}"
        self.done.append(operation)

    @rule(data=st.data())
    def branch_from_checkpoint(self, data: st.DataObject) -> None:
        target_id = self.pick(data, list(self.checkpoints))
        assert target_id is not None
        self.branch_at(target_id)

    def branch_at(self, target_id: str) -> str:
        target = self.checkpoints[target_id]
        self.branch_count += 1
        name = f"try-{self.branch_count}"
        result = self.run(self.service.branch_from(self.session, target_id, name))
        safety = self.safety(result)
        self.check_restored(result.restored, self.restore(safety, target.files, set()))
        self.branches[name] = ModelBranch(target.message, target_id)
        self.current = name
        self.changed_by_hand()
        return name

    @rule(data=st.data())
    def switch_branch(self, data: st.DataObject) -> None:
        name = self.pick(data, [b for b in self.branches if b != self.current])
        if name is not None:
            self.switch_to(name)

    def switch_to(self, name: str) -> None:
        result = self.run(self.service.switch(self.session, name))
        safety = self.safety(result)
        position = self.branches[name].position
        assert position is not None
        target = self.checkpoints[position].files
        self.check_restored(result.restored, self.restore(safety, target, set()))
        self.current = name
        self.changed_by_hand()

    @rule(data=st.data(), whole=st.booleans(), then=FOLLOW_UPS)
    def merge_branch(self, data: st.DataObject, whole: bool, then: str) -> None:
        source = self.pick(data, [b for b in self.branches if b != self.current])
        if source is not None:
            self.merge_from(source, data, whole, then)

    @rule(
        data=st.data(),
        path=st.sampled_from(["main.py", "src/app.py", "docs/readme.md"]),
        ours=TEXT,
        theirs=TEXT,
        then=FOLLOW_UPS,
    )
    def merge_after_both_sides_changed(
        self, data: st.DataObject, path: str, ours: str, theirs: str, then: str
    ) -> None:
        """Branch here, change ``path`` on the new branch, change it differently back here,
        and merge: a conflict (unless the changes agree), whatever else the tree holds."""
        if not self.free(path):
            return
        self.manual_checkpoint()
        here = self.current
        there = self.branch_at(self.branches[here].position or "")
        self.write(path, Entry("file", f"theirs {theirs}".encode()))
        self.manual_checkpoint()
        self.switch_to(here)
        if self.free(path):
            self.write(path, Entry("file", f"ours {ours}".encode()))
        self.merge_from(there, data, True, then)

    def merge_from(self, source: str, data: st.DataObject, whole: bool, then: str) -> None:
        theirs_id = self.branches[source].position
        assert theirs_id is not None
        theirs = self.checkpoints[theirs_id].files
        ours = snapshot_of(self.disk)
        differing = [p for p in set(ours) | set(theirs) if ours.get(p) != theirs.get(p)]
        files = None
        if not whole and differing:
            files = data.draw(st.lists(st.sampled_from(sorted(differing)), min_size=1, unique=True))
        base = self.common_ancestor(self.branches[self.current].position, theirs_id)
        disk_before = dict(self.disk)
        head = self.branches[self.current].head

        result = self.run(self.service.merge(self.session, source, files))
        if result.changed:
            safety = self.safety(result)
            assert safety == ours
        before = self.branches[self.current].position
        if result.safety is not None:
            ours_tree = result.safety.tree
        elif result.changed:
            assert before is not None
            ours_tree = self.checkpoint_tree(before)
        else:
            ours_tree = self.run(self.service.working_tree(self.session))
        merged, conflicts = self.merged_files(
            base, ours_tree, self.checkpoint_tree(theirs_id), (self.current, source)
        )
        self.check_merge(self.checkpoints[base].files if base else {}, ours, theirs, merged)
        for path in set(base and self.checkpoints[base].files or {}) & set(ours) & set(theirs):
            if path not in PROTECTED and self.both_changed(path, base, ours, theirs):
                assert path in conflicts, f"{path!r} changed on both sides: a conflict"
        assert list(result.conflicts) == [c for c in conflicts if files is None or c in files]
        if result.conflicts:
            event("a merge with conflicts")
        target = dict(ours)
        for path in files or sorted(set(merged) | set(ours)):
            if path in merged:
                for other in [p for p in target if p.startswith(path + "/")]:
                    del target[other]
                parts = path.split("/")
                for depth in range(1, len(parts)):
                    target.pop("/".join(parts[:depth]), None)
                target[path] = merged[path]
            else:
                target.pop(path, None)
        if not result.changed:
            assert target == ours and not result.conflicts, "the merge had something to do"
            assert result.restored is None and result.safety is None
            event("a merge that changes nothing records nothing")
            self.follow_up(then)
            return
        assert target != ours or result.conflicts, "a merge that changes nothing records it"
        outcome = self.restore(safety, target, set())
        self.check_restored(result.restored, outcome)
        self.checkpoint(result.checkpoint)
        self.undone.clear()
        assert before is not None
        self.done.append(
            ModelOperation(
                RevertMode.CODE,
                self.current,
                result.checkpoint.id,
                before,
                head,
                head,
                target,
                outcome.surfaced,
                outcome.created,
                disk_before,
                dict(self.disk),
            )
        )
        self.follow_up(then)

    def follow_up(self, then: str) -> None:
        """Undo and redo at once, while nothing else has changed: both must be exact."""
        for step in then.split():
            if step == "undo":
                self.undo()
            else:
                self.redo()

    def checkpoint_tree(self, checkpoint_id: str) -> str:
        return self.run(self.service.get(self.session, checkpoint_id)).tree

    def common_ancestor(self, one: str | None, other: str) -> str | None:
        seen: set[str] = set()
        walk = one
        while walk is not None:
            seen.add(walk)
            walk = self.checkpoints[walk].parent
        found: str | None = other
        while found is not None and found not in seen:
            found = self.checkpoints[found].parent
        return found

    def merged_files(
        self, base: str | None, ours_tree: str, theirs_tree: str, labels: tuple[str, str]
    ) -> tuple[Files, tuple[str, ...]]:
        """git's own three-way merge of the trees (the model checks it only where it can)."""
        base_tree = self.checkpoint_tree(base) if base else EMPTY_TREE
        shadow = self.service.shadow
        outcome = shadow.merge(base_tree, ours_tree, theirs_tree, labels)
        known = {e.sha: e for c in self.checkpoints.values() for e in c.files.values()}
        files: Files = {}
        for path, entry in shadow.tree_entries(outcome.tree).items():
            if entry.sha in known and known[entry.sha].mode == entry.mode:
                files[path] = known[entry.sha]
            else:
                content = shadow.blob(entry.sha)
                kind = "link" if entry.mode == "120000" else "file"
                files[path] = Entry(kind, content, entry.mode == "100755")
        return files, outcome.conflicts

    def both_changed(self, path: str, base: str | None, ours: Files, theirs: Files) -> bool:
        b = self.checkpoints[base].files[path] if base else None
        o, t = ours[path], theirs[path]
        if b is None or b in (o, t) or o == t:
            return False
        return not (o.kind == t.kind == b.kind == "file") or (
            o.data != b.data and t.data != b.data and o.data != t.data
        )

    def check_merge(self, base: Files, ours: Files, theirs: Files, merged: Files) -> None:
        """Where only one side changed a file (its content or its exec bit), the merge takes
        that side's change."""
        for path in set(base) & set(ours) & set(theirs):
            if path in PROTECTED:
                continue
            b, o, t = base[path], ours[path], theirs[path]
            if o == t or t == b:
                assert merged.get(path) == o, f"{path!r}: ours must be kept"
            elif o == b:
                assert merged.get(path) == t, f"{path!r}: theirs must be taken"
            elif o.kind == t.kind == b.kind == "file" and (o.data == b.data or t.data == b.data):
                data = t.data if o.data == b.data else o.data
                executable = o.executable if o.executable != b.executable else t.executable
                assert merged.get(path) == Entry("file", data, executable), path

    # -- invariants ----------------------------------------------------------------------------

    @invariant()
    def project_matches_the_model(self) -> None:
        on_disk = scan(self.root)
        assert on_disk == self.disk, f"project != model: {differences(on_disk, self.disk)}"

    @invariant()
    def every_git_folder_is_untouched(self) -> None:
        for path, expected in self.git_dirs.items():
            assert digest(self.root / path) == expected, f"{path} changed"

    @invariant()
    def no_restore_is_left_half_done(self) -> None:
        assert not self.service.shadow.journal.pending
        assert not self.service.shadow.git_dir.resolve().is_relative_to(self.root.resolve())

    @invariant()
    def each_branch_is_the_path_to_its_head(self) -> None:
        branches = self.run(self.service.branches(self.session))
        assert {b.name for b in branches} == set(self.branches)
        assert next(b.name for b in branches if b.current) == self.current
        for branch in branches:
            model = self.branches[branch.name]
            assert (branch.head_message_id, branch.position_id) == (model.head, model.position)
            path = self.run(self.store.branch_path(self.session, branch.name))
            assert [message.id for message in path] == self.path_to(model.head)


# A local ./test.sh explores new random sequences every run; CI (.ci/run sets PENGUIN_CI=1)
# replays a fixed set, so a landing never hangs on a sequence nobody has seen yet.
CheckpointMachine.TestCase.settings = settings(
    derandomize=os.environ.get("PENGUIN_CI") == "1",
    max_examples=int(os.environ.get("PENGUIN_MACHINE_EXAMPLES", "25")),
    stateful_step_count=int(os.environ.get("PENGUIN_MACHINE_STEPS", "30")),
    deadline=None,
    print_blob=True,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
)
TestCheckpointMachine = CheckpointMachine.TestCase


# -- regressions the machine found, kept as plain tests ----------------------------------------


@dataclass
class Workbench:
    """A project with its own git, and an open checkpoint service on one session."""

    root: Path
    store: Store
    service: CheckpointService
    session: str

    def write(self, path: str, text: str) -> None:
        (self.root / path).parent.mkdir(parents=True, exist_ok=True)
        (self.root / path).write_text(text)

    async def checkpoint(self, label: str) -> Checkpoint:
        return await self.service.create(self.session, CheckpointKind.MANUAL, label)


@pytest.fixture
async def bench(tmp_path: Path) -> AsyncIterator[Workbench]:
    """Closed whatever the test does: an open store's thread would keep pytest from exiting."""
    root = tmp_path / "project"
    root.mkdir()
    (root / ".gitignore").write_text("*.log\n")
    (root / "main.py").write_text("main")
    git(root, "init", "-q")
    commit_all(root)
    home = tmp_path / "data"
    store = await Store.open(home / "penguin.db")
    service = CheckpointService(
        store,
        EventBus(sink=store),
        CheckpointSettings(max_file_mb=CAP / (1024 * 1024)),
        await store.ensure_project(root),
        DataPaths(root=home, config_dir=home),
    )
    try:
        await service.open()
        session = (await store.create_session(service.project.id, None)).id
        yield Workbench(root, store, service, session)
    finally:
        await service.close()
        await store.close()


async def test_undo_keeps_an_ignored_file_that_the_revert_made_visible(bench: Workbench) -> None:
    before_tmp_rule = await bench.checkpoint("no *.tmp rule yet")
    bench.write(".gitignore", "*.log\n*.tmp\n")
    bench.write("notes.tmp", "the user's ignored notes")

    await bench.service.revert(bench.session, before_tmp_rule.id, RevertMode.CODE)
    assert (bench.root / "notes.tmp").read_text() == "the user's ignored notes"
    await bench.service.undo(bench.session)

    assert (bench.root / "notes.tmp").read_text() == "the user's ignored notes"
    assert (bench.root / ".gitignore").read_text() == "*.log\n*.tmp\n"


async def test_undo_keeps_an_ignored_file_the_revert_kept(bench: Workbench) -> None:
    bench.write("notes.tmp", "tracked back then")
    with_notes = await bench.checkpoint("notes tracked")
    bench.write(".gitignore", "*.log\n*.tmp\n")
    bench.write("notes.tmp", "now ignored, and the user's")

    result = await bench.service.revert(bench.session, with_notes.id, RevertMode.CODE)
    assert result.restored is not None and result.restored.kept == ("notes.tmp",)
    await bench.service.undo(bench.session)

    assert (bench.root / "notes.tmp").read_text() == "now ignored, and the user's"


async def test_undo_of_a_merge_removes_the_files_it_brought_even_if_now_ignored(
    bench: Workbench,
) -> None:
    start = await bench.checkpoint("start")
    await bench.service.branch_from(bench.session, start.id, "other")
    bench.write("build/out.js", "built on the other branch")
    await bench.checkpoint("other work")
    await bench.service.switch(bench.session, "main")
    bench.write(".gitignore", "*.log\nbuild/\n")

    await bench.service.merge(bench.session, "other")
    assert (bench.root / "build" / "out.js").exists()
    await bench.service.undo(bench.session)

    assert not (bench.root / "build").exists()
    await bench.service.redo(bench.session)
    assert (bench.root / "build" / "out.js").read_text() == "built on the other branch"


async def test_redo_of_a_merge_keeps_a_file_the_merged_gitignore_hides(bench: Workbench) -> None:
    bench.write("build/gen.js", "generated, tracked while build/ was not ignored")
    start = await bench.checkpoint("start")
    await bench.service.branch_from(bench.session, start.id, "other")
    bench.write(".gitignore", "*.log\nbuild/\n")
    await bench.checkpoint("ignore build/")
    await bench.service.switch(bench.session, "main")

    await bench.service.merge(bench.session, "other", [".gitignore"])
    await bench.service.undo(bench.session)
    await bench.service.redo(bench.session)

    assert (bench.root / ".gitignore").read_text() == "*.log\nbuild/\n"
    assert (bench.root / "build" / "gen.js").exists(), "redo must not delete what merge kept"


async def test_merge_conflicts_name_the_branches_and_merge_the_same_every_time(
    bench: Workbench,
) -> None:
    bench.write("thing", "a file")
    start = await bench.checkpoint("start")
    await bench.service.branch_from(bench.session, start.id, "other")
    (bench.root / "thing").unlink()
    bench.write("thing/inside.txt", "now a folder")
    bench.write("main.py", "theirs")
    await bench.checkpoint("other work")
    await bench.service.switch(bench.session, "main")
    bench.write("thing", "changed here")
    bench.write("main.py", "ours")

    first = await bench.service.merge(bench.session, "other")
    merged = scan(bench.root)
    await bench.service.undo(bench.session)
    await bench.service.redo(bench.session)

    assert "main.py" in first.conflicts
    text = (bench.root / "main.py").read_text()
    assert "<<<<<<< main" in text and ">>>>>>> other" in text
    assert scan(bench.root) == merged
    assert not any("~" in path and len(path) > 30 for path in merged), "no commit ids in names"


async def test_revert_across_a_file_that_became_a_folder(bench: Workbench) -> None:
    bench.write("thing", "a file")
    as_file = await bench.checkpoint("file")
    (bench.root / "thing").unlink()
    bench.write("thing/inside.txt", "a folder")
    as_folder = await bench.checkpoint("folder")

    await bench.service.revert(bench.session, as_file.id, RevertMode.CODE)
    assert (bench.root / "thing").read_text() == "a file"
    await bench.service.revert(bench.session, as_folder.id, RevertMode.CODE)
    assert (bench.root / "thing" / "inside.txt").read_text() == "a folder"
    await bench.service.undo(bench.session)
    assert (bench.root / "thing").read_text() == "a file"
