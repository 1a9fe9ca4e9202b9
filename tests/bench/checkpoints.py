"""Checkpoints: snapshots, reverts and a 1,000-hunk comparison against raw git, on two trees,
and the command line's ``checkpoints create`` on the copy of site-packages.

For each tree (the generated one and a copy of site-packages, both in a temporary folder) one
fresh interpreter (``checkpoint_worker``) runs every measurement, subjects interleaved; this
module builds the trees, runs the workers and the command-line benchmark (``checkpoint_cli``)
and turns their figures into the report.
"""

from __future__ import annotations

import math
import subprocess
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path

from tests.bench import checkpoint_cli, snapshot
from tests.bench.checkpoint_result import CheckpointResult
from tests.bench.checkpoint_worker import CHANGED_FILES, HUNK_FILES, HUNKS_PER_FILE, Spec
from tests.bench.results import CHECKPOINTS, NA, Section, Target, over, times
from tests.bench.stats import median, p90, ratio
from tests.bench.trees import TreeInfo, copy_site_packages, generate, pick_edits

TREES = ("generated", "site-packages")
SNAPSHOT_CAP = 5 * 1024 * 1024  # CheckpointSettings.max_file_mb's default
INCREMENTAL_RATIO = 1.5
INCREMENTAL_S = 0.150
RESTORE_S = 0.150
FIRST_RATIO = 1.3
PROGRESS_AFTER_S = 1.0
DIFF_S = 0.250
WORKER_TIMEOUT_S = 3600


def target_names(tree: str) -> list[str]:
    return [
        f"{tree}: checkpoint after {CHANGED_FILES} changed files (ShadowRepo.snapshot)",
        f"{tree}: checkpoint after {CHANGED_FILES} changed files (whole service)",
        f"{tree}: revert of the {CHANGED_FILES} files (ShadowRepo.restore)",
        f"{tree}: revert of the {CHANGED_FILES} files (whole service, with safety checkpoint)",
        f"{tree}: first checkpoint vs raw git",
        f"{tree}: first checkpoint over 1 s shows progress",
        f"{tree}: 1,000-hunk comparison on screen",
        f"{tree}: 1,000-hunk comparison scrolled to the last hunk (`end`)",
    ]


TARGET_NAMES = [
    *(name for tree in TREES for name in target_names(tree)),
    *checkpoint_cli.TARGET_NAMES,
]
CLI_TREE = "site-packages"


def duration(seconds: float) -> str:
    if math.isnan(seconds):
        return NA
    return f"{seconds:.2f} s" if seconds >= 1 else f"{seconds * 1000:,.0f} ms"


def build_tree(name: str, root: Path) -> TreeInfo:
    root.mkdir(parents=True)
    if name == "generated":
        return generate(root)
    return copy_site_packages(root, SNAPSHOT_CAP)


def run_worker(spec: Spec, folder: Path) -> CheckpointResult:
    spec_file = folder / "spec.json"
    spec.save(spec_file)
    done = subprocess.run(
        [sys.executable, "-m", "tests.bench.checkpoint_worker", str(spec_file)],
        cwd=snapshot.child_cwd(),
        capture_output=True,
        text=True,
        timeout=WORKER_TIMEOUT_S,
        check=False,
    )
    if done.returncode != 0:
        lines = [line for line in done.stderr.strip().splitlines() if line.strip()]
        raise RuntimeError(f"checkpoint worker exited {done.returncode}: {lines[-1:]}")
    return CheckpointResult.from_output(done.stdout)


def run(
    first_runs: int, runs: int, diff_runs: int, progress: Callable[[str], None]
) -> list[Section]:
    measured: list[tuple[TreeInfo, CheckpointResult]] = []
    command_line: list[Section] = []
    with tempfile.TemporaryDirectory(prefix="penguin-bench-checkpoints-") as tmp:
        for name in TREES:
            folder = Path(tmp) / name
            progress(f"  {name}: building the tree")
            tree = build_tree(name, folder / "tree")
            progress(
                f"  {name}: {tree.files:,} files, {tree.bytes / 1e6:,.0f} MB; measuring "
                f"({first_runs} first checkpoints, {runs} runs, {diff_runs} comparisons)"
            )
            spec = Spec(tree, folder / "work", first_runs, runs, diff_runs)
            measured.append((tree, run_worker(spec, folder)))
            if name == CLI_TREE:
                command_line.append(_command_line(tree, folder / "cli", first_runs, runs, progress))
    return [
        _operations(measured, first_runs, runs),
        *command_line,
        _comparison(measured, diff_runs),
    ]


def run_command_line(first_runs: int, runs: int, progress: Callable[[str], None]) -> Section:
    """Only the command-line benchmark, on a fresh copy of site-packages."""
    with tempfile.TemporaryDirectory(prefix="penguin-bench-checkpoint-cli-") as tmp:
        progress(f"  {CLI_TREE}: building the tree")
        tree = build_tree(CLI_TREE, Path(tmp) / "tree")
        return _command_line(tree, Path(tmp) / "cli", first_runs, runs, progress)


def _command_line(
    tree: TreeInfo, work: Path, first_runs: int, runs: int, progress: Callable[[str], None]
) -> Section:
    progress(
        f"  {tree.name}: `penguin-tui checkpoints create` ({first_runs} first checkpoints, "
        f"{runs} runs after {CHANGED_FILES} changed files)"
    )
    edits = pick_edits(tree, CHANGED_FILES, 1)
    result = checkpoint_cli.measure(tree, work, edits, first_runs, runs)
    return checkpoint_cli.section(tree, result, first_runs, runs)


# -- the report -------------------------------------------------------------------------------

_AFTER = f"after {CHANGED_FILES} changed files"
_REVERT = f"revert of the {CHANGED_FILES} files"
ROWS = (
    # (label, penguin-tui timing, raw git timing)
    ("first checkpoint: `ShadowRepo.snapshot`", "first/shadow", "first/raw"),
    ("first checkpoint: `CheckpointService.create`", "first/service", "first/raw"),
    (f"{_AFTER}: `ShadowRepo.snapshot`", "incremental/shadow", "incremental/raw"),
    (f"{_AFTER}: `CheckpointService.create`", "incremental/service", "incremental/raw"),
    (f"{_REVERT}: `ShadowRepo.restore`", "restore/shadow", "restore/raw"),
    (f"{_REVERT}: `CheckpointService.revert` (code)", "restore/service", "restore/raw"),
)
RAW_LABELS = {
    "first/raw": "`add -A` + `write-tree`, empty repo",
    "incremental/raw": "`add -A` + `write-tree`",
    "restore/raw": "`read-tree -u --reset`",
}


def _med(result: CheckpointResult, name: str) -> float:
    return median(result.timings.get(name, []))


def _p90(result: CheckpointResult, name: str) -> float:
    return p90(result.timings.get(name, []))


def _describe_tree(tree: TreeInfo) -> str:
    skipped = f"; {len(tree.over_cap)} files over 5 MiB, skipped by the snapshot and put in " \
        "raw git's `info/exclude`" if tree.over_cap else ""  # fmt: skip
    return f"{tree.name}: {tree.files:,} files, {tree.bytes / 1e6:,.0f} MB{skipped}"


def _operations(
    measured: list[tuple[TreeInfo, CheckpointResult]], first_runs: int, runs: int
) -> Section:
    section = Section(
        title=f"Checkpoints against raw git on the same tree (median of {runs}; first "
        f"checkpoints: median of {first_runs}; interleaved)",
        group=CHECKPOINTS,
        headers=[
            "tree",
            "operation",
            "penguin-tui median",
            "p90",
            "raw git",
            "median",
            "p90",
            "ratio of medians",
        ],
    )
    for tree, result in measured:
        for label, ours, raw in ROWS:
            section.rows.append(
                [
                    tree.name,
                    label,
                    duration(_med(result, ours)),
                    duration(_p90(result, ours)),
                    RAW_LABELS[raw],
                    duration(_med(result, raw)),
                    duration(_p90(result, raw)),
                    times(ratio(_med(result, ours), _med(result, raw))),
                ]
            )
        section.targets += _operation_targets(tree.name, result)
        section.notes.append(_describe_tree(tree))
        facts = result.facts
        section.notes.append(
            f"{tree.name}, first checkpoint: the progress callback was called "
            f"{facts.get('first_progress_calls', 0)} time(s) "
            f"({facts.get('first_progress_text', '')!r}); the service published "
            f"{facts.get('first_progress_events', 0)} `SnapshotProgress` event(s)."
        )
        for name, text in result.breakdown.items():
            section.notes.append(f"{tree.name}, `{name}`, per git command (medians): {text}")
        section.notes += [f"{tree.name}: check failed: {error}" for error in result.errors]
    return section


def _within(value: float, limit: float) -> bool:
    return not math.isnan(value) and value <= limit


def _operation_targets(tree: str, result: CheckpointResult) -> list[Target]:
    names = target_names(tree)
    targets: list[Target] = []
    raw = _med(result, "incremental/raw")
    for name, key in zip(names[:2], ("incremental/shadow", "incremental/service"), strict=True):
        value = _med(result, key)
        factor = ratio(value, raw)
        misses = []
        if not _within(factor, INCREMENTAL_RATIO):
            misses.append(over(factor, INCREMENTAL_RATIO) + f" ({INCREMENTAL_RATIO}x)")
        if not value < INCREMENTAL_S:
            misses.append(over(value, INCREMENTAL_S) + " (150 ms)")
        targets.append(
            Target(
                name,
                f"{duration(value)}, {times(factor)} raw git ({duration(raw)})",
                f"<= {INCREMENTAL_RATIO}x raw git and < 150 ms",
                not misses,
                "; ".join(misses),
            )
        )
    raw = _med(result, "restore/raw")
    for name, key in zip(names[2:4], ("restore/shadow", "restore/service"), strict=True):
        value = _med(result, key)
        targets.append(
            Target(
                name,
                f"{duration(value)} (raw `read-tree -u --reset` {duration(raw)})",
                "< 150 ms",
                value < RESTORE_S,
                over(value, RESTORE_S),
            )
        )
    first, raw = _med(result, "first/shadow"), _med(result, "first/raw")
    factor = ratio(first, raw)
    targets.append(
        Target(
            names[4],
            f"{times(factor)} ({duration(first)} vs {duration(raw)})",
            f"<= {FIRST_RATIO}x",
            _within(factor, FIRST_RATIO),
            over(factor, FIRST_RATIO),
        )
    )
    calls = int(result.facts.get("first_progress_calls", 0))
    events = int(result.facts.get("first_progress_events", 0))
    needed = not first <= PROGRESS_AFTER_S
    targets.append(
        Target(
            names[5],
            f"{duration(first)}; progress: {calls} callback call(s), {events} event(s)",
            "progress shown when over 1 s",
            not needed or (calls > 0 and events > 0),
            "no progress reported",
        )
    )
    return targets


def _comparison(measured: list[tuple[TreeInfo, CheckpointResult]], runs: int) -> Section:
    section = Section(
        title=f"A comparison of {HUNK_FILES * HUNKS_PER_FILE:,} hunks on screen (headless "
        f"160x48, median of {runs}, interleaved)",
        group=CHECKPOINTS,
        headers=[
            "tree",
            "raw `git diff-tree -p`",
            "`ShadowRepo.patch`",
            "+ `parse_unified`",
            "+ mount `DiffView`",
            "+ first frame: on screen",
            "`end` to last hunk painted",
            "bare Textual app: first frame",
        ],
    )
    for tree, result in measured:
        name = tree.name
        shown, end = _med(result, "diff/shown"), _med(result, "diff/end")
        section.rows.append(
            [
                name,
                duration(_med(result, "diff/git")),
                duration(_med(result, "diff/patch")),
                duration(_med(result, "diff/parse")),
                duration(_med(result, "diff/mount")),
                duration(shown),
                duration(end),
                duration(_med(result, "diff/bare-app")),
            ]
        )
        names = target_names(name)
        section.targets += [
            Target(
                names[6],
                f"{duration(shown)} (p90 {duration(_p90(result, 'diff/shown'))})",
                "< 250 ms",
                shown < DIFF_S,
                over(shown, DIFF_S),
            ),
            Target(
                names[7],
                f"{duration(end)} (p90 {duration(_p90(result, 'diff/end'))})",
                "< 250 ms",
                end < DIFF_S,
                over(end, DIFF_S),
            ),
        ]
        facts = result.facts
        if "diff_hunks" in facts:
            section.notes.append(
                f"{name}: {facts['diff_hunks']:,} hunks in {HUNK_FILES} files, "
                f"{int(facts.get('diff_patch_bytes', 0)) / 1000:,.0f} kB of patch, "
                f"{facts.get('diff_rows', 0):,} rows in the diff body; the first (cold) run in "
                f"the worker took {duration(float(facts.get('diff_cold_shown_s', math.nan)))} "
                f"to the screen; `end` reached the last hunk within "
                f"{facts.get('diff_end_frames', 0)} frame(s)."
            )
    return section
