"""Run mode in the workbench, on the demo project with the scripted demo model over real HTTP:
r in the task pane carries out the ready tasks (each on its own branch, shown in the browser),
the pane follows each task, Esc stops the run after the call in flight and r goes on, and a
prompt waits while the run works."""

from __future__ import annotations

from pathlib import Path

import pytest

from penguin_tui.app.app import PenguinApp
from penguin_tui.app.launch import DEMO_TASKS, make_demo_project
from penguin_tui.app.widgets.checkpoints import CheckpointBrowser
from penguin_tui.app.widgets.task_tree import TaskTree
from penguin_tui.config import data_paths
from penguin_tui.tasks.model import TaskStatus
from tests.tui.helpers import notifications, wait_for, wait_ready
from tests.tui.test_checkpoint_browser import rows
from tests.tui.test_demo_tasks import demo_app


@pytest.fixture(autouse=True)
def full_permissions(penguin_home: Path) -> None:
    """The run goes on without questions (the demo's writes and checks are asked otherwise)."""
    with (penguin_home / "config.toml").open("a", encoding="utf-8") as config:
        config.write('\n[permissions]\nmode = "full"\n')


def statuses(app: PenguinApp) -> dict[str, TaskStatus]:
    assert app.runtime is not None and app.runtime.tasks is not None
    return {t.id: t.status for t in app.runtime.tasks.tasks.values()}


async def test_r_carries_out_the_ready_tasks_each_on_a_branch_the_browser_shows() -> None:
    app = demo_app(make_demo_project(data_paths().demo_projects))
    async with app.run_test(size=(160, 48)) as pilot:
        await wait_ready(pilot)
        await pilot.press("f8")
        await pilot.press("r")
        pane = app.workbench.query_one(TaskTree)
        await wait_for(pilot, lambda: pane.working_on == "T2", what="T2 marked at work")
        await wait_for(pilot, lambda: not app.run_mode.running, within=90, what="the run's end")
        assert statuses(app) == {
            "T1": TaskStatus.TODO,
            "T2": TaskStatus.DONE,
            "T3": TaskStatus.FAILED,
            "T4": TaskStatus.DONE,
            "T5": TaskStatus.TODO,
        }
        assert pane.working_on is None
        assert "tok" in str(pane.nodes["T2"].label)  # its cost is on its row
        said = notifications(app)
        assert any(line.startswith("T3 failed: ") for line in said), said
        assert any("run mode stopped (nothing ready)" in line for line in said), said
        browser = app.workbench.query_one(CheckpointBrowser)
        await wait_for(
            pilot,
            lambda: all(any(f"task/T{n}" in row for row in rows(browser)) for n in (2, 3, 4)),
            what="the task branches in the browser",
        )
        # The project is back on the run's branch: the chat shows its (empty) conversation,
        # and T4's conversation is on its own branch.
        assert app.runtime is not None and app.runtime.engine.session is not None
        store = app.runtime.store
        session_id = app.runtime.engine.session.id
        assert await store.current_branch(session_id) == "main"
        (first, *_) = await store.branch_path(session_id, "task/T4")
        assert first.content.startswith("Task T4: Say hello to everyone in a list")


async def test_esc_stops_the_run_after_the_call_in_flight_and_r_goes_on() -> None:
    app = demo_app(make_demo_project(data_paths().demo_projects))
    async with app.run_test(size=(160, 48)) as pilot:
        await wait_ready(pilot)
        await pilot.press("f8")
        await pilot.press("r")
        pane = app.workbench.query_one(TaskTree)
        await wait_for(pilot, lambda: pane.working_on == "T2", what="T2 at work")
        await pilot.press("escape")
        assert any("stops after the model call in flight" in n for n in notifications(app))
        await wait_for(pilot, lambda: not app.run_mode.running, within=60, what="the stop")
        # Stopped before the next task (T2 itself may have finished with the call in flight).
        assert statuses(app)["T4"] is TaskStatus.TODO
        assert statuses(app)["T3"] in (TaskStatus.TODO, TaskStatus.DOING)
        assert any("run mode stopped (interrupted)" in n for n in notifications(app))
        await pilot.press("f8")
        await pilot.press("r")
        await wait_for(pilot, lambda: app.run_mode.running, what="the run again")
        await wait_for(pilot, lambda: not app.run_mode.running, within=90, what="the run's end")
        assert statuses(app)["T2"] is TaskStatus.DONE
        assert statuses(app)["T4"] is TaskStatus.DONE


async def test_a_prompt_a_task_turn_and_an_undo_wait_while_run_mode_works() -> None:
    project = make_demo_project(data_paths().demo_projects)
    plan = project / DEMO_TASKS  # T2's check takes its time: the run is still at work below
    plan.write_text(plan.read_text().replace("python3 -m unittest -q test_stats", "sleep 60"))
    app = demo_app(project)
    async with app.run_test(size=(160, 48)) as pilot:
        await wait_ready(pilot)
        await pilot.press("f8")
        await pilot.press("r")
        await wait_for(pilot, lambda: app.run_mode.running, what="the run")
        await pilot.press("f2")
        await pilot.press("h", "i", "enter")
        assert any("run mode is working on the tasks" in n for n in notifications(app))
        # Neither a turn on a task nor a checkpoint operation cuts in while it works.
        app.clear_notifications()
        await pilot.press("f8", "w")
        await wait_for(
            pilot,
            lambda: any("run mode is working" in n for n in notifications(app)),
            what="the task turn refused",
        )
        await pilot.press("f6", "u")
        await wait_for(
            pilot,
            lambda: any(n.startswith("undo: run mode is working") for n in notifications(app)),
            what="the undo refused",
        )
        app.clear_notifications()
        await pilot.press("ctrl+n")
        assert any("run mode is working" in n for n in notifications(app))
        await pilot.press("escape", "escape")
        await wait_for(pilot, lambda: not app.run_mode.running, within=60, what="the stop")


async def test_while_a_task_turn_is_at_work_an_undo_names_run_mode_and_its_stop_key(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # During a task's turn the agent is busy too; the refusal names what Esc stops: the run.
    from penguin_tui.engine.chat import ChatEngine

    project = make_demo_project(data_paths().demo_projects)
    plan = project / DEMO_TASKS
    plan.write_text(plan.read_text().replace("python3 -m unittest -q test_stats", "sleep 60"))
    app = demo_app(project)
    async with app.run_test(size=(160, 48)) as pilot:
        await wait_ready(pilot)
        await pilot.press("f8", "r")
        await wait_for(pilot, lambda: app.run_mode.running, what="the run")
        monkeypatch.setattr(ChatEngine, "busy", property(lambda _: True))  # a turn at work
        app.clear_notifications()
        await pilot.press("f6", "u")
        await wait_for(
            pilot,
            lambda: any(n.startswith("undo: run mode is working") for n in notifications(app)),
            what="the undo refused",
        )
        assert not any("the agent is working" in n for n in notifications(app))
        monkeypatch.undo()
        await pilot.press("escape", "escape")
        await wait_for(pilot, lambda: not app.run_mode.running, within=60, what="the stop")
