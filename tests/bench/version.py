"""``penguin-tui --version``: wall time of the console script against ``python -c pass``."""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

from tests.bench.results import Section, Target, ms, over
from tests.bench.stats import median, p90, ratio

VERSION_GOAL_S = 0.150


def _wall(argv: list[str]) -> float:
    started = time.perf_counter()
    subprocess.run(argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=True)
    return time.perf_counter() - started


def run(repetitions: int) -> Section:
    script = str(Path(sys.executable).with_name("penguin-tui"))
    version_argv = [script, "--version"]
    baseline_argv = [sys.executable, "-c", "pass"]
    _wall(version_argv)  # warm the page cache and the bytecode cache
    _wall(baseline_argv)
    version: list[float] = []
    baseline: list[float] = []
    for _ in range(repetitions):
        version.append(_wall(version_argv))
        baseline.append(_wall(baseline_argv))
    section = Section(
        title=f"`penguin-tui --version` ({repetitions} runs each, interleaved)",
        headers=["command", "median", "p90"],
    )
    section.rows.append(["python -c pass", ms(median(baseline)), ms(p90(baseline))])
    section.rows.append(["penguin-tui --version", ms(median(version)), ms(p90(version))])
    section.rows.append(
        ["ratio of medians", f"{ratio(median(version), median(baseline)):.2f}x", ""]
    )
    section.targets.append(
        Target(
            "`penguin-tui --version` median wall time",
            ms(median(version)),
            f"< {VERSION_GOAL_S * 1000:.0f} ms",
            median(version) < VERSION_GOAL_S,
            over(median(version), VERSION_GOAL_S),
        )
    )
    return section
