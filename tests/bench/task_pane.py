"""The task pane with 2,000 tasks against the pane with 20, in one run.

A small headless Textual app (160x48) holds the workbench's ``TaskTree``. Measured:

- **build**: ``show_tasks`` of the whole plan until the rows are painted (the pane at start,
  after a revert, after a filter changes);
- **change**: one task's event handled (``place``: its row and the rows whose figures it moves
  drawn again), for a leaf deep in the plan, with the number of rows built checked to stay
  the same (no rebuild).

Both plans are the same shape as the ``tasks`` benchmark's (parents of nine chained subtasks).
"""

from __future__ import annotations

import asyncio
import dataclasses
import sys
import time
from collections.abc import Callable

from textual.app import App, ComposeResult

from penguin_tui.app.widgets.task_tree import TaskTree
from penguin_tui.tasks.model import Priority, Task, TaskStatus
from tests.bench.results import Section, Target, ms
from tests.bench.stats import median, ratio
from tests.bench.tasks_cli import plan as plan_json

BUILD_GOAL = 2.0  # the pane with 2,000 tasks built within 2x of the pane with 20
CHANGE_GOAL = 2.0  # a task's change handled within 2x, whatever the plan's size


def tasks_of(count: int) -> dict[str, Task]:
    tasks: dict[str, Task] = {}
    for item in plan_json(count):
        task = Task(
            id=str(item["id"]),
            title=str(item["title"]),
            status=TaskStatus(str(item["status"])),
            priority=Priority(str(item["priority"])),
            parent=item["parent"] if isinstance(item["parent"], str) else None,
            after=tuple(str(a) for a in item["after"]),  # type: ignore[attr-defined]
        )
        tasks[task.id] = task
    return tasks


class PaneApp(App[None]):
    """Just the task pane, as wide as the workbench's side column at 160 columns."""

    CSS = "TaskTree { width: 60; }"

    def compose(self) -> ComposeResult:
        yield TaskTree(id="tasks")


async def measure_one(count: int, repetitions: int) -> tuple[list[float], list[float]]:
    plan = tasks_of(count)
    app = PaneApp()
    builds: list[float] = []
    changes: list[float] = []
    async with app.run_test(size=(160, 48)) as pilot:
        pane = app.query_one(TaskTree)
        for _ in range(repetitions):
            started = time.perf_counter()
            pane.show_tasks(plan)
            await pilot.pause()
            builds.append(time.perf_counter() - started)
        leaf = f"T{count - 1}"  # the last parent's eighth subtask
        rows = len(pane.nodes)
        for index in range(repetitions * 5):
            status = TaskStatus.DONE if index % 2 else TaskStatus.DOING
            plan = {**plan, leaf: dataclasses.replace(plan[leaf], status=status)}
            started = time.perf_counter()
            pane.place(leaf, plan)
            changes.append(time.perf_counter() - started)
        if len(pane.nodes) != rows:
            raise RuntimeError(f"a change rebuilt the pane: {rows} rows, then {len(pane.nodes)}")
    return builds, changes


def run(repetitions: int, progress: Callable[[str], None]) -> Section:
    results: dict[int, tuple[list[float], list[float]]] = {}
    for _ in range(2):  # interleaved: 20, 2,000, 20, 2,000
        for count in (20, 2000):
            builds, changes = asyncio.run(measure_one(count, repetitions))
            old = results.get(count, ([], []))
            results[count] = (old[0] + builds, old[1] + changes)
            progress(f"  task pane with {count:,} tasks measured")
    section = Section(
        title="The task pane: 2,000 tasks against 20 (headless 160x48, interleaved)",
        headers=["plan", "build median", "change median", "build ratio", "change ratio"],
    )
    small_build, small_change = median(results[20][0]), median(results[20][1])
    for count, (builds, changes) in results.items():
        section.rows.append(
            [
                f"{count:,} tasks",
                ms(median(builds)),
                f"{median(changes) * 1000:.2f} ms",
                f"{ratio(median(builds), small_build):.2f}x",
                f"{ratio(median(changes), small_change):.2f}x",
            ]
        )
    for what, measured, goal in (
        ("build", ratio(median(results[2000][0]), small_build), BUILD_GOAL),
        ("change", ratio(median(results[2000][1]), small_change), CHANGE_GOAL),
    ):
        section.targets.append(
            Target(
                f"task pane {what}: 2,000 tasks vs 20",
                f"{measured:.2f}x",
                f"≤ {goal:g}x",
                measured <= goal,
                "" if measured <= goal else f"{measured / goal - 1:.0%} over the limit",
            )
        )
    section.notes.append(
        "A change is one task's status flipped, handled as its event is (`place`), with no "
        "rebuild (the rows are counted before and after)."
    )
    return section


if __name__ == "__main__":
    print(run(int(sys.argv[1]) if len(sys.argv) > 1 else 5, print))
