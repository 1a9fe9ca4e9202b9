"""A task's details from the task pane: its fields, its work (branch, checkpoints, spend) and
its history; b opens the checkpoint browser on its last checkpoint and d the diff viewer on
its work, through the real store, real checkpoints on a real branch and real git."""

from __future__ import annotations

import dataclasses
from pathlib import Path

from textual.pilot import Pilot

from penguin_tui.app.app import PenguinApp
from penguin_tui.app.screens.task_details import TaskDetails, details_body
from penguin_tui.app.widgets.checkpoints import CheckpointBrowser
from penguin_tui.app.widgets.diff_pane import DiffPane
from penguin_tui.app.widgets.task_rows import TaskColours
from penguin_tui.app.widgets.task_tree import TaskTree
from penguin_tui.checkpoints.model import Checkpoint, CheckpointKind
from penguin_tui.tasks.model import (
    Actor,
    Criterion,
    Priority,
    Task,
    TaskChange,
    TaskEdit,
    TaskStatus,
)
from penguin_tui.testing import ServerThread
from tests.tui.helpers import make_app, notifications, screen_text, wait_for
from tests.tui.test_task_pane import open_pane, select, tasks_of

WORDS = "def parse(text):\n    return text.split()\n"
HIGH = Priority.HIGH
NUMBERS = "def parse(text):\n    return [int(word) for word in text.split()]\n"


@dataclasses.dataclass(frozen=True)
class Work:
    """T1's work: the checkpoint its branch forked from, and its two checkpoints."""

    fork: Checkpoint
    first: Checkpoint
    last: Checkpoint


async def work_on_its_branch(pilot: Pilot[int], app: PenguinApp, project: Path) -> Work:
    """T1's work as run mode leaves it: a branch task/T1 forked from main with two
    checkpoints that write parser.py, back on main, the branch and checkpoints recorded."""
    assert app.runtime is not None and app.runtime.checkpoints is not None
    assert app.runtime.engine.session is not None
    checkpoints, session = app.runtime.checkpoints, app.runtime.engine.session.id
    fork = await checkpoints.create(session, CheckpointKind.MANUAL, "before T1")
    await checkpoints.branch_from(session, fork.id, "task/T1")
    (project / "parser.py").write_text(WORDS)
    first = await checkpoints.create(session, CheckpointKind.MANUAL, "T1 splits words")
    (project / "parser.py").write_text(NUMBERS)
    last = await checkpoints.create(session, CheckpointKind.MANUAL, "T1 reads numbers")
    await checkpoints.switch(session, "main")
    service = tasks_of(app)
    done = dataclasses.replace(
        service.get("T1"),
        branch="task/T1",
        checkpoints=(first.id, last.id),
        input_tokens=12_000,
        output_tokens=3_400,
        cost_usd=None,
        time_s=95,
    )
    await service.record_work("T1", done)
    browser = app.workbench.query_one(CheckpointBrowser)
    await wait_for(
        pilot,
        lambda: last.id in browser.checkpoints and browser.current_branch == "main",
        what="the task's branch in the browser",
    )
    return Work(fork, first, last)


async def open_details(pilot: Pilot[int], app: PenguinApp, pane: TaskTree, task_id: str) -> str:
    """enter on ``task_id`` in the pane: the details screen, as the terminal shows it."""
    await pilot.press("f8")
    await select(pilot, pane, task_id)
    await pilot.press("enter")
    await wait_for(pilot, lambda: isinstance(app.screen, TaskDetails), what="the details")
    await pilot.pause()
    return screen_text(app)


async def test_enter_shows_the_tasks_fields_work_and_history(
    server: ServerThread, project: Path
) -> None:
    app = make_app(project, server.base_url)
    async with app.run_test(size=(120, 36)) as pilot:
        app, pane = await open_pane(pilot, "parser", "docs")
        service = tasks_of(app)
        criteria = (Criterion("splits words", True), Criterion("reads numbers"))
        await service.edit("T1", TaskEdit(check="pytest -q", criteria=criteria, priority=HIGH))
        await service.edit("T2", TaskEdit(add_after=("T1",)))
        work = await work_on_its_branch(pilot, app, project)

        shown = await open_details(pilot, app, pane, "T1")
        assert "T1 parser" in shown
        assert "○ todo · high priority · ready · made by the user" in shown
        assert "Check       pytest -q  (trusted)" in shown
        assert "☑ splits words" in shown and "☐ reads numbers" in shown
        assert "15,400 tokens (12,000 in) · n/a · 1m 35s" in shown
        assert "Branch      task/T1" in shown
        assert f"{work.first.id[:8]} (task/T1) 'T1 splits words'" in shown
        assert f"{work.last.id[:8]} (task/T1) 'T1 reads numbers'" in shown
        assert "user  created" in shown and "user  priority medium → high" in shown
        assert "b Checkpoint browser" in shown and "d Diff of its work" in shown
        await pilot.press("escape")
        await wait_for(pilot, lambda: not isinstance(app.screen, TaskDetails), what="closed")

        shown = await open_details(pilot, app, pane, "T2")
        assert "Waits       after T1 (todo)" in shown


async def test_b_focuses_the_browser_on_the_tasks_last_checkpoint(
    server: ServerThread, project: Path
) -> None:
    """At 80×24, where the task pane and the browser take turns, with the task's branch
    folded: b unfolds it and puts the cursor on the task's last checkpoint."""
    app = make_app(project, server.base_url)
    async with app.run_test(size=(80, 24)) as pilot:
        app, pane = await open_pane(pilot, "parser")
        work = await work_on_its_branch(pilot, app, project)
        browser = app.workbench.query_one(CheckpointBrowser)
        branch_row = next(n for n in browser.root.children if n.data and n.data.branch == "task/T1")
        branch_row.collapse()
        await open_details(pilot, app, pane, "T1")
        await pilot.press("b")
        await wait_for(pilot, lambda: app.focused is browser, what="the browser focused")
        await wait_for(
            pilot,
            lambda: (
                browser.selected_checkpoint is not None
                and browser.selected_checkpoint.id == work.last.id
            ),
            what="the cursor on the task's last checkpoint",
        )
        assert browser.region.height > 0 and browser.region.width > 0
        assert "task/T1" not in browser.folded


async def test_d_opens_the_diff_of_the_tasks_work(server: ServerThread, project: Path) -> None:
    """From the checkpoint the task's branch forked at to its last checkpoint: parser.py as
    the task left it, with both sides' spend above."""
    app = make_app(project, server.base_url)
    async with app.run_test(size=(120, 36)) as pilot:
        app, pane = await open_pane(pilot, "parser")
        work = await work_on_its_branch(pilot, app, project)
        await open_details(pilot, app, pane, "T1")
        await pilot.press("d")
        diff = app.workbench.query_one(DiffPane)
        await wait_for(pilot, lambda: diff.is_open, what="the diff of the task's work")
        assert [f.path for f in diff.view.files] == ["parser.py"]
        assert diff.view.files[0].added == 2 and diff.view.files[0].removed == 0
        assert str(diff.border_title).startswith(f"T1's work: {work.fork.id[:8]}")
        assert work.last.id[:8] in str(diff.border_title)
        await wait_for(pilot, lambda: "[int(word) for word" in screen_text(app), what="hunk")


async def test_b_and_d_on_a_task_with_no_work_say_so(server: ServerThread, project: Path) -> None:
    app = make_app(project, server.base_url)
    async with app.run_test(size=(120, 36)) as pilot:
        app, pane = await open_pane(pilot, "parser")
        shown = await open_details(pilot, app, pane, "T1")
        assert "Branch      none yet" in shown and "Checkpoints none yet" in shown
        said = "T1 has no work to show yet: no branch, no checkpoints"
        await pilot.press("b")
        await wait_for(pilot, lambda: said in notifications(app), what="b saying so")
        await pilot.press("d")
        await wait_for(pilot, lambda: notifications(app).count(said) == 2, what="d saying so")
        assert isinstance(app.screen, TaskDetails)
        assert not app.workbench.query_one(DiffPane).is_open


def test_the_details_add_up_a_parents_subtree_and_name_checkpoints_of_another_session() -> None:
    """Pure text, no screen: a parent's spend is its subtree's; a checkpoint the session
    does not hold is named by its id; the history says how long ago, who and what."""
    plan = {
        "T1": Task("T1", "parser", branch="task/T1", checkpoints=("abcdef123456",)),
        "T2": Task("T2", "lexer", parent="T1", status=TaskStatus.DONE, input_tokens=10),
        "T3": Task("T3", "grammar", parent="T1", output_tokens=5, cost_usd=None, time_s=61),
    }
    history = [TaskChange("T1", Actor.AGENT, "status todo → doing", 100.0)]
    colours = TaskColours("green", "red", "yellow", "blue", "magenta", "dim")
    text = details_body(plan, plan["T1"], history, {}, colours, now=160.0).plain
    assert "Subtasks    1/2 done ▰▰▰▱▱" in text
    assert "15 tokens (10 in) · n/a · 1m 01s (with its subtasks)" in text
    assert "abcdef12 (not in this session)" in text
    assert "1m ago   agent status todo → doing" in text
