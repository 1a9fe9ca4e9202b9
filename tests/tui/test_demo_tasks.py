"""The demo's task plan: `penguin-tui --demo` seeds it from the file its project ships with, and
the task pane shows it; a second start of the same project does not add it again."""

from __future__ import annotations

from pathlib import Path

import penguin_tui.testing
from penguin_tui.app.app import LaunchOptions, PenguinApp
from penguin_tui.app.launch import DEMO_NOTICE, make_demo_project
from penguin_tui.app.widgets.task_tree import TaskTree
from penguin_tui.config import data_paths
from tests.tui.helpers import wait_for, wait_ready

DEMO_SCRIPT = Path(penguin_tui.testing.__file__).parent / "scripts" / "demo.toml"


def demo_app(project: Path) -> PenguinApp:
    return PenguinApp(
        LaunchOptions(
            directory=project,
            continue_latest=False,
            demo_notice=DEMO_NOTICE,
            demo_script=DEMO_SCRIPT,
        )
    )


async def test_the_demo_shows_its_task_plan_and_seeds_it_once() -> None:
    project = make_demo_project(data_paths().demo_projects)
    app = demo_app(project)
    async with app.run_test(size=(160, 48)) as pilot:
        await wait_ready(pilot)
        assert app.runtime is not None and app.runtime.tasks is not None
        plan = app.runtime.tasks.tasks
        assert [(t.id, t.title, t.parent) for t in plan.values()] == [
            ("T1", "Statistics helpers", None),
            ("T2", "Add mean() with a test", "T1"),
            ("T3", "Add median() with a test", "T1"),
            ("T4", "Say hello to everyone in a list", None),
            ("T5", "Document stats.py in the README", None),
        ]
        assert plan["T3"].after == ("T2",)
        pane = app.workbench.query_one(TaskTree)
        await wait_for(pilot, lambda: set(pane.nodes) == set(plan), what="the pane's rows")
        assert "Add median() with a test" in str(pane.nodes["T3"].label)
    again = demo_app(project)
    async with again.run_test(size=(160, 48)) as pilot:
        await wait_ready(pilot)
        assert again.runtime is not None and again.runtime.tasks is not None
        assert len(again.runtime.tasks.tasks) == 5
