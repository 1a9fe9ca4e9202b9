"""The command users and scripts call: ``penguin-tui checkpoints create -C DIR --json``.

The installed console script runs as a subprocess on a copy of site-packages, interleaved with
raw git doing the same work (``git add -A`` then ``git write-tree``, each a subprocess, on a
bare repository of its own) and with ``penguin-tui --version`` (the interpreter's start and the
CLI's entry, which the target nets out). Two measurements:

- the first checkpoint: a fresh data directory (``PENGUIN_HOME``) and a fresh raw repository
  each repetition, an ``os.sync()`` before each subject;
- a checkpoint after ten changed files, in the last first checkpoint's data directory, after one
  discarded warm-up.

Every repetition checks that the command's tree (from ``--json``) is raw git's. The git commands
the command runs are logged by a ``git`` first on ``PATH`` that writes down its arguments, then
runs the real git: in every first-checkpoint run (about 1 ms a call, against seconds) and in one
extra, untimed checkpoint after the edits.
"""

from __future__ import annotations

import json
import math
import os
import shutil
import subprocess
import sys
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from tests.bench import snapshot
from tests.bench.rawgit import RawGit
from tests.bench.results import CHECKPOINTS, NA, Section, Target, over, times
from tests.bench.stats import median, p90, ratio
from tests.bench.trees import LineEdits, TreeInfo

FIRST_RATIO = 1.3
INCREMENTAL_RATIO = 2.0
COMMAND_TIMEOUT_S = 1800
TARGET_NAMES = [
    "site-packages: `penguin-tui checkpoints create`, first checkpoint, net of --version, "
    "vs raw git",
    "site-packages: `penguin-tui checkpoints create` after 10 changed files, net of "
    "--version, vs raw git",
]
# Options git takes before its command, with the value that follows them.
_GIT_OPTIONS_WITH_VALUE = {"-c", "-C"}


def penguin_command() -> str:
    """The installed console script of the environment running the benchmarks."""
    return str(Path(sys.executable).with_name("penguin-tui"))


@dataclass
class CliResult:
    """Seconds per repetition (``first/cli``, ``first/raw``, ``first/version``, the same for
    ``incremental/``), the snapshot's own time as the command reported it, the git commands
    the command ran, and the failed checks."""

    timings: dict[str, list[float]] = field(default_factory=dict)
    git_commands: dict[str, list[str]] = field(default_factory=dict)
    errors: list[str] = field(default_factory=list)

    def add(self, name: str, seconds: float) -> None:
        self.timings.setdefault(name, []).append(seconds)

    def med(self, name: str) -> float:
        return median(self.timings.get(name, []))

    def p90(self, name: str) -> float:
        return p90(self.timings.get(name, []))


def git_command_of(argv: list[str]) -> str:
    """The git command in a logged argument list (``update-index`` in ``--git-dir=X -c k=v
    update-index --add ...``)."""
    skip = False
    for arg in argv:
        if skip:
            skip = False
        elif arg in _GIT_OPTIONS_WITH_VALUE:
            skip = True
        elif not arg.startswith("-"):
            return arg
    return "?"


class GitSpy:
    """A folder holding a ``git`` that writes down its arguments (a file a call, named by its
    process id, so that two gits running side by side never mix their lines) and then runs
    the real git."""

    def __init__(self, folder: Path) -> None:
        real_git = shutil.which("git")
        if real_git is None:
            raise RuntimeError("git is not installed")
        folder.mkdir(parents=True, exist_ok=True)
        self.folder = folder
        self.calls = folder / "calls"
        self.calls.mkdir(exist_ok=True)
        script = folder / "git"
        script.write_text(
            f"#!/bin/sh\nprintf '%s\\0' \"$@\" > '{self.calls}'/$$\nexec {real_git} \"$@\"\n",
            encoding="utf-8",
        )
        script.chmod(0o755)

    def take(self) -> list[str]:
        """The git commands logged since the last call, in the order they started; the log
        starts again."""
        logged = sorted(self.calls.iterdir(), key=lambda path: path.stat().st_mtime_ns)
        commands = []
        for path in logged:
            argv = path.read_bytes().decode("utf-8", "replace").split("\0")[:-1]
            commands.append(git_command_of(argv))
            path.unlink()
        return commands

    def path(self) -> str:
        return f"{self.folder}{os.pathsep}{os.environ.get('PATH', '')}"


class CliBench:
    """The command and its baselines on one tree; results go into ``result``."""

    def __init__(self, tree: TreeInfo, work: Path, result: CliResult) -> None:
        self.tree = tree
        self.work = work
        self.result = result
        self.spy = GitSpy(work / "spy")

    def _env(self, home: Path, spied: bool) -> dict[str, str]:
        env = dict(os.environ, PENGUIN_HOME=str(home))
        if spied:
            env["PATH"] = self.spy.path()
        return env

    def create(self, home: Path, kind: str, *, spied: bool = False) -> tuple[float, str]:
        """``penguin-tui checkpoints create -C TREE --json``: wall seconds and the tree; the
        snapshot's own time, as the command reports it, goes under ``KIND/snapshot``."""
        argv = [penguin_command(), "checkpoints", "create", "-C", str(self.tree.root), "--json"]
        started = time.perf_counter()
        done = subprocess.run(
            argv,
            cwd=snapshot.child_cwd(),
            env=self._env(home, spied),
            capture_output=True,
            text=True,
            timeout=COMMAND_TIMEOUT_S,
            check=False,
        )
        elapsed = time.perf_counter() - started
        if done.returncode != 0:
            lines = [line for line in done.stderr.splitlines() if line.strip()]
            raise RuntimeError(f"checkpoints create exited {done.returncode}: {lines[-1:]}")
        checkpoint = json.loads(done.stdout)
        self.result.add(f"{kind}/snapshot", float(checkpoint.get("snapshot_ms", math.nan)) / 1000)
        return elapsed, str(checkpoint["tree"])

    def version(self) -> float:
        started = time.perf_counter()
        subprocess.run(
            [penguin_command(), "--version"],
            cwd=snapshot.child_cwd(),
            capture_output=True,
            check=True,
        )
        return time.perf_counter() - started

    def _check(self, ok: bool, what: str) -> None:
        if not ok and what not in self.result.errors:
            self.result.errors.append(what)

    def first_checkpoints(self, runs: int) -> tuple[Path, RawGit]:
        """``runs`` first checkpoints, each into a new data directory and a new raw
        repository; the last ones stay for the checkpoints after edits."""
        kept: tuple[Path, RawGit] | None = None
        for turn in range(runs):
            folder = self.work / f"first-{turn}"
            home = folder / "home"
            raw = RawGit(folder / "raw.git", self.tree.root)
            raw.init(exclude=self.tree.over_cap)
            trees: dict[str, str] = {}
            for subject in rotated(("cli", "raw", "version"), turn):
                os.sync()  # nobody pays for writing back the objects the one before wrote
                if subject == "cli":
                    self.spy.take()
                    elapsed, trees["cli"] = self.create(home, "first", spied=True)
                    self.result.add("first/cli", elapsed)
                    self.result.git_commands["first"] = self.spy.take()
                elif subject == "raw":
                    started = time.perf_counter()
                    trees["raw"] = raw.add_and_write_tree()
                    self.result.add("first/raw", time.perf_counter() - started)
                else:
                    self.result.add("first/version", self.version())
            self._check(trees["cli"] == trees["raw"], f"first checkpoint trees differ: {trees}")
            if kept is not None:
                shutil.rmtree(kept[0].parent, ignore_errors=True)
            kept = (home, raw)
        assert kept is not None
        return kept

    def incremental(self, home: Path, raw: RawGit, edits: LineEdits, runs: int) -> None:
        """``runs`` repetitions after one discarded warm-up, each on new content of the same
        ten files; then one untimed, spied run for the git commands."""
        for turn in range(runs + 1):
            kind = "warm-up" if turn == 0 else "incremental"
            edits.apply(variant=3000 + turn)
            trees: dict[str, str] = {}
            timings: dict[str, float] = {}
            for subject in rotated(("cli", "raw", "version"), turn):
                if subject == "cli":
                    timings["cli"], trees["cli"] = self.create(home, kind)
                elif subject == "raw":
                    started = time.perf_counter()
                    trees["raw"] = raw.add_and_write_tree()
                    timings["raw"] = time.perf_counter() - started
                else:
                    timings["version"] = self.version()
            self._check(trees["cli"] == trees["raw"], f"incremental trees differ: {trees}")
            for subject, seconds in timings.items():
                self.result.add(f"{kind}/{subject}", seconds)
        edits.apply(variant=4000)
        self.spy.take()
        self.create(home, "spied", spied=True)
        self.result.git_commands["incremental"] = self.spy.take()
        edits.undo()


def rotated(items: tuple[str, ...], turn: int) -> list[str]:
    shift = turn % len(items)
    return [*items[shift:], *items[:shift]]


def measure(tree: TreeInfo, work: Path, edits: LineEdits, first_runs: int, runs: int) -> CliResult:
    result = CliResult()
    bench = CliBench(tree, work, result)
    try:
        home, raw = bench.first_checkpoints(first_runs)
        bench.incremental(home, raw, edits, runs)
    except (RuntimeError, subprocess.SubprocessError, ValueError, KeyError) as error:
        edits.undo()
        result.errors.append(f"{type(error).__name__}: {error}")
    return result


# -- the report -------------------------------------------------------------------------------


def duration(seconds: float) -> str:
    if math.isnan(seconds):
        return NA
    return f"{seconds:.2f} s" if seconds >= 1 else f"{seconds * 1000:,.0f} ms"


def _calls(commands: list[str]) -> str:
    if not commands:
        return "none logged"
    counted = Counter(commands)
    named = ", ".join(f"{name} x{count}" if count > 1 else name for name, count in counted.items())
    return f"{len(commands)} git processes ({named})"


def section(tree: TreeInfo, result: CliResult, first_runs: int, runs: int) -> Section:
    """The table, the two targets and the notes."""
    out = Section(
        title=f"The command line: `penguin-tui checkpoints create` against raw git "
        f"({tree.name}; median of {runs}, first checkpoints: median of {first_runs}; "
        "interleaved)",
        group=CHECKPOINTS,
        headers=[
            "operation",
            "`checkpoints create`",
            "p90",
            "`--version`",
            "net of `--version`",
            "raw git",
            "p90",
            "ratio (net / raw)",
        ],
    )
    labels = {"first": "first checkpoint", "incremental": "after 10 changed files"}
    goals = {"first": FIRST_RATIO, "incremental": INCREMENTAL_RATIO}
    for index, (kind, label) in enumerate(labels.items()):
        cli, version = result.med(f"{kind}/cli"), result.med(f"{kind}/version")
        raw = result.med(f"{kind}/raw")
        net = cli - version
        factor = ratio(net, raw)
        out.rows.append(
            [
                label,
                duration(cli),
                duration(result.p90(f"{kind}/cli")),
                duration(version),
                duration(net),
                duration(raw),
                duration(result.p90(f"{kind}/raw")),
                times(factor),
            ]
        )
        goal = goals[kind]
        out.targets.append(
            Target(
                TARGET_NAMES[index],
                f"{times(factor)} ({duration(net)} net vs {duration(raw)})",
                f"<= {goal}x raw git",
                not math.isnan(factor) and factor <= goal,
                over(factor, goal),
            )
        )
        out.notes.append(f"{label}: the command ran {_calls(result.git_commands.get(kind, []))}")
    out.notes.append(
        "the snapshot's own time inside the command (its `snapshot_ms`, medians): first "
        f"checkpoint {duration(result.med('first/snapshot'))}, after 10 changed files "
        f"{duration(result.med('incremental/snapshot'))}"
    )
    out.notes += [f"check failed: {error}" for error in result.errors]
    return out
