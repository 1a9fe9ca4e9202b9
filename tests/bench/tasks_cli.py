"""``penguin-tui tasks list --json`` on a plan of 2,000 tasks, against importing litellm.

The plan is imported once (``tasks import`` of a generated JSON list: parents with subtasks,
chains of dependencies, every status), then the installed command lists it, interleaved with
the baseline ``python -c "import litellm"``. A plan of 20 tasks is listed too, to show how the
command grows with the plan.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from tests.bench.results import Section, Target, ms
from tests.bench.stats import median, p90, ratio

GOAL = 0.1  # `tasks list --json` on 2,000 tasks, as a ratio to importing litellm
STATUSES = ("todo", "doing", "done", "blocked", "todo", "cancelled", "review", "failed")


def plan(count: int) -> list[dict[str, object]]:
    """A plan of ``count`` tasks: every tenth a parent of the nine after it, each subtask
    after the one before it, statuses and priorities in turn."""
    tasks: list[dict[str, object]] = []
    for number in range(1, count + 1):
        parent = None if number % 10 == 1 else f"T{number - (number - 1) % 10}"
        after = [f"T{number - 1}"] if parent and number % 10 != 2 else []
        tasks.append(
            {
                "id": f"T{number}",
                "title": f"Task number {number}: do the thing it says",
                "description": "Some words about it. " * 3,
                "status": "todo" if parent is None else STATUSES[number % len(STATUSES)],
                "priority": ("high", "medium", "low")[number % 3],
                "parent": parent,
                "after": after,
                "criteria": [{"text": "it works", "done": False}],
            }
        )
    return tasks


def _penguin() -> str:
    return str(Path(sys.executable).with_name("penguin-tui"))


def _timed(argv: list[str], env: dict[str, str]) -> float:
    started = time.perf_counter()
    result = subprocess.run(argv, env=env, capture_output=True, text=True, timeout=120)
    elapsed = time.perf_counter() - started
    if result.returncode != 0:
        raise RuntimeError(f"{' '.join(argv[1:])}: exit {result.returncode}: {result.stderr}")
    return elapsed


def measure(repetitions: int, progress: Callable[[str], None]) -> dict[str, list[float]]:
    with tempfile.TemporaryDirectory(prefix="penguin-bench-tasks-") as tmp:
        root = Path(tmp)
        env = {k: v for k, v in os.environ.items() if not k.startswith("PENGUIN_")}
        env["PENGUIN_HOME"] = str(root / "home")
        env["LITELLM_LOCAL_MODEL_COST_MAP"] = "True"
        commands: dict[str, list[str]] = {
            'python -c "import litellm"': [sys.executable, "-c", "import litellm"]
        }
        for count in (20, 2000):
            project = root / f"project-{count}"
            project.mkdir()
            file = root / f"plan-{count}.json"
            file.write_text(json.dumps(plan(count)), encoding="utf-8")
            _timed([_penguin(), "tasks", "import", str(file), "-C", str(project)], env)
            commands[f"tasks list --json, {count:,} tasks"] = [
                _penguin(),
                "tasks",
                "list",
                "--all",
                "--json",
                "-C",
                str(project),
            ]
        times: dict[str, list[float]] = {name: [] for name in commands}
        for index in range(repetitions + 1):
            for name, argv in commands.items():
                seconds = _timed(argv, env)
                if index:
                    times[name].append(seconds)
            progress(f"  tasks list {index}/{repetitions} done")
    return times


def run(repetitions: int, progress: Callable[[str], None]) -> Section:
    times = measure(repetitions, progress)
    names = list(times)
    base = median(times[names[0]])
    section = Section(
        title=f"`penguin-tui tasks list --json` against importing litellm ({repetitions} runs "
        "each, interleaved)",
        headers=["command", "median", "p90", "ratio to the import"],
    )
    for name in names:
        section.rows.append(
            [
                name,
                ms(median(times[name])),
                ms(p90(times[name])),
                f"{ratio(median(times[name]), base):.2f}x",
            ]
        )
    share = ratio(median(times[names[-1]]), base)
    section.targets.append(
        Target(
            "tasks list --json on 2,000 tasks vs importing litellm",
            f"{share:.2f}x",
            f"≤ {GOAL:g}x",
            share <= GOAL,
            "" if share <= GOAL else f"{share / GOAL - 1:.0%} over the limit",
        )
    )
    section.notes.append(
        "The installed console script with a fresh PENGUIN_HOME; `--all`, so every task is "
        "printed. The plan: 200 parents of nine subtasks each, chained by dependencies."
    )
    return section


if __name__ == "__main__":
    print(run(int(sys.argv[1]) if len(sys.argv) > 1 else 5, print))
