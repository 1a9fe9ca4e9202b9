"""Checkpoint operations on one tree, each against raw git doing the same work, interleaved.

Three subjects look at the same work tree, each with its own bare repository: the shadow
repository driven directly (``ShadowRepo``), the whole checkpoint service (``CheckpointService``
with its store and bus, as the app uses it) and raw git (``rawgit.RawGit``). Every repetition
runs all of them, in an order that rotates, on the same edit. Timings are in seconds; names are
``<operation>/<subject>``.
"""

from __future__ import annotations

import asyncio
import os
import shutil
import time
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import TypeVar

from penguin_tui.bus import EventBus, SnapshotProgress
from penguin_tui.checkpoints.model import Checkpoint, CheckpointKind, RevertMode
from penguin_tui.checkpoints.service import CheckpointService
from penguin_tui.checkpoints.shadow import ShadowRepo
from penguin_tui.config.paths import DataPaths
from penguin_tui.config.settings import CheckpointSettings
from penguin_tui.store import Store
from tests.bench import git_trace
from tests.bench.checkpoint_result import CheckpointResult
from tests.bench.diff_screen import bare_first_frame, diff_on_screen
from tests.bench.rawgit import RawGit
from tests.bench.trees import LineEdits, TreeInfo

SUBJECTS = ("shadow", "service", "raw")
T = TypeVar("T")


def rotated(items: Sequence[str], turn: int) -> list[str]:
    """``items`` starting at a different one each turn, so no subject always goes first."""
    shift = turn % len(items)
    return [*items[shift:], *items[:shift]]


@dataclass
class ServiceHandle:
    """A checkpoint service on its own data root, with one session to checkpoint in."""

    service: CheckpointService
    store: Store
    bus: EventBus
    session_id: str

    async def close(self) -> None:
        await self.service.close()
        await self.store.close()


async def open_service(home: Path, project: Path) -> ServiceHandle:
    paths = DataPaths(root=home, config_dir=home)
    store = await Store.open(paths.database)
    bus = EventBus(sink=store, first_seq=await store.max_event_seq() + 1)
    record = await store.ensure_project(project)
    session = await store.create_session(record.id, "bench")
    service = CheckpointService(store, bus, CheckpointSettings(), record, paths)
    await service.open()
    return ServiceHandle(service, store, bus, session.id)


async def take_checkpoint(handle: ServiceHandle) -> Checkpoint:
    """A checkpoint of the whole project, as the app takes one."""
    return await handle.service.create(handle.session_id, CheckpointKind.MANUAL)


async def revert_to(handle: ServiceHandle, target: Checkpoint) -> object:
    """The code (not the conversation) back to ``target``, as the revert command does it."""
    return await handle.service.revert(handle.session_id, target.id, RevertMode.CODE)


@dataclass
class Repos:
    """The three subjects' repositories on one tree, and the tree they all hold at the start."""

    shadow: ShadowRepo
    raw: RawGit
    service: ServiceHandle
    base_tree: str
    base_checkpoint: Checkpoint


class TreeBench:
    """All measurements of one tree; results go into ``result``."""

    def __init__(self, tree: TreeInfo, work: Path, result: CheckpointResult) -> None:
        self.tree = tree
        self.work = work
        self.result = result
        self._traces: dict[str, list[dict[str, tuple[float, int]]]] = {}

    def _check(self, ok: bool, what: str) -> None:
        if not ok and what not in self.result.errors:
            self.result.errors.append(what)

    def _timed_sync(self, name: str, call: Callable[[], T]) -> T:
        with git_trace.traced() as calls:
            started = time.perf_counter()
            value = call()
            elapsed = time.perf_counter() - started
        self._record(name, elapsed, calls)
        return value

    async def _timed(self, name: str, call: Callable[[], Awaitable[T]]) -> T:
        with git_trace.traced() as calls:
            started = time.perf_counter()
            value = await call()
            elapsed = time.perf_counter() - started
        self._record(name, elapsed, calls)
        return value

    def _record(self, name: str, elapsed: float, calls: git_trace.Calls) -> None:
        self.result.add(name, elapsed)
        if calls:
            self._traces.setdefault(name, []).append(git_trace.by_command(calls, elapsed))

    def finish(self) -> None:
        for name, runs in self._traces.items():
            if not name.startswith("warm-up/"):
                self.result.breakdown[name] = git_trace.describe(runs)

    # -- 3. the first checkpoint -----------------------------------------------------------

    async def first_checkpoints(self, runs: int) -> Repos:
        """The whole tree into empty repositories; the last repetition's repositories stay
        for the other measurements."""
        kept: Repos | None = None
        for turn in range(runs):
            folder = self.work / f"first-{turn}"
            folder.mkdir()
            shadow = ShadowRepo(folder / "shadow.git", self.tree.root)
            shadow.open()
            raw = RawGit(folder / "raw.git", self.tree.root)
            raw.init(exclude=self.tree.over_cap)
            handle = await open_service(folder / "home", self.tree.root)
            trees: dict[str, str] = {}
            checkpoint: Checkpoint | None = None
            for subject in rotated(SUBJECTS, turn):
                # Each subject starts with nothing left to write back: the 250 to 500 MB of
                # objects the one before wrote must not slow down whoever comes next.
                os.sync()
                if subject == "shadow":
                    progress: list[str] = []
                    snap = self._timed_sync(
                        "first/shadow", partial(shadow.snapshot, progress.append)
                    )
                    trees["shadow"] = snap.tree
                    self.result.facts["first_progress_calls"] = len(progress)
                    self.result.facts["first_progress_text"] = progress[0] if progress else ""
                    self.result.facts["first_skipped"] = len(snap.skipped)
                elif subject == "raw":
                    trees["raw"] = self._timed_sync("first/raw", raw.add_and_write_tree)
                else:
                    events = handle.bus.subscribe()
                    created = await self._timed("first/service", partial(take_checkpoint, handle))
                    checkpoint = created
                    trees["service"] = created.tree
                    await asyncio.sleep(0)  # the progress event is published from a task
                    shown = 0
                    while (event := events.get_nowait()) is not None:
                        shown += isinstance(event, SnapshotProgress)
                    events.close()
                    self.result.facts["first_progress_events"] = shown
            self._check(len(set(trees.values())) == 1, f"first checkpoint trees differ: {trees}")
            assert checkpoint is not None
            if kept is not None:
                await kept.service.close()
                kept.shadow.close()
                shutil.rmtree(self.work / f"first-{turn - 1}", ignore_errors=True)
            kept = Repos(shadow, raw, handle, trees["shadow"], checkpoint)
        assert kept is not None
        return kept

    # -- 1. a checkpoint after ten changed files -------------------------------------------

    async def incremental(self, repos: Repos, edits: LineEdits, runs: int) -> None:
        """``runs`` repetitions after one discarded warm-up; each changes the same files again
        (new content every time) and checkpoints them with every subject."""
        for turn in range(runs + 1):
            name = "warm-up/" if turn == 0 else "incremental/"
            edits.apply(variant=1000 + turn)
            trees: dict[str, str] = {}
            for subject in rotated(SUBJECTS, turn):
                if subject == "shadow":
                    snap = self._timed_sync(name + "shadow", repos.shadow.snapshot)
                    trees[subject] = snap.tree
                elif subject == "raw":
                    trees[subject] = self._timed_sync(name + "raw", repos.raw.add_and_write_tree)
                else:
                    created = await self._timed(
                        name + "service", partial(take_checkpoint, repos.service)
                    )
                    trees[subject] = created.tree
            self._check(len(set(trees.values())) == 1, f"incremental trees differ: {trees}")
        edits.undo()
        self.result.timings.pop("warm-up/shadow", None)
        self.result.timings.pop("warm-up/raw", None)
        self.result.timings.pop("warm-up/service", None)

    # -- 2. reverting the ten files --------------------------------------------------------

    async def restores(self, repos: Repos, edits: LineEdits, runs: int) -> None:
        """Each subject in turn: the files changed and that subject's index brought up to
        date with them (not timed), then the timed revert to the starting tree."""
        for turn in range(runs):
            for subject in rotated(SUBJECTS, turn):
                edits.apply(variant=2000 + turn)
                if subject == "shadow":
                    current = repos.shadow.snapshot().tree
                    self._timed_sync(
                        "restore/shadow", partial(repos.shadow.restore, current, repos.base_tree)
                    )
                elif subject == "raw":
                    repos.raw.add_and_write_tree()
                    self._timed_sync(
                        "restore/raw", partial(repos.raw.read_tree_reset, repos.base_tree)
                    )
                else:
                    revert = partial(revert_to, repos.service, repos.base_checkpoint)
                    await self._timed("restore/service", revert)
                self._check(edits.is_undone(), f"the {subject} revert left the files changed")
        edits.undo()

    # -- 4. a comparison of 1,000 hunks on screen ------------------------------------------

    async def comparison(self, repos: Repos, hunks: LineEdits, runs: int) -> None:
        """The starting tree against one with ``hunks`` applied: raw ``git diff-tree -p``, the
        bare app's first frame and the diff pane, after one warm-up of each (the pane's first,
        cold run is kept as a fact)."""
        hunks.apply(variant=1)
        changed = repos.shadow.snapshot().tree
        hunks.undo()
        self._check(repos.shadow.snapshot().tree == repos.base_tree, "the hunk edits stayed")
        old, new = repos.base_tree, changed
        plain = RawGit(repos.shadow.git_dir, self.tree.root)  # plain git on the same objects
        self.result.facts["diff_patch_bytes"] = len(plain.diff_tree_patch(old, new))

        def patch() -> str:
            return repos.shadow.patch(old, new)

        cold = await diff_on_screen(patch)
        self.result.facts["diff_cold_shown_s"] = cold.shown_s
        self.result.facts["diff_hunks"] = cold.hunks
        self.result.facts["diff_rows"] = cold.rows
        self._check(cold.hunks == hunks.hunk_count, f"the diff has {cold.hunks} hunks")
        await bare_first_frame()
        end_frames: list[int] = []
        for turn in range(runs):
            for subject in rotated(("git", "bare", "pane"), turn):
                if subject == "git":
                    self._timed_sync("diff/git", partial(plain.diff_tree_patch, old, new))
                elif subject == "bare":
                    self.result.add("diff/bare-app", await bare_first_frame())
                else:
                    timing = await diff_on_screen(patch)
                    self.result.add("diff/patch", timing.patch_s)
                    self.result.add("diff/parse", timing.parse_s - timing.patch_s)
                    self.result.add("diff/mount", timing.mounted_s - timing.parse_s)
                    self.result.add("diff/paint", timing.shown_s - timing.mounted_s)
                    self.result.add("diff/shown", timing.shown_s)
                    self.result.add("diff/end", timing.end_s)
                    end_frames.append(timing.end_frames)
        self.result.facts["diff_end_frames"] = max(end_frames, default=0)
