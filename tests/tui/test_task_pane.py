"""The task pane from the keyboard: every key of the pane, through the real store and the
real engine (the scripted model over HTTP), and the tree kept in place as tasks change."""

from __future__ import annotations

import asyncio
import subprocess
import sys
from pathlib import Path

from textual.binding import Binding
from textual.pilot import Pilot
from textual.widgets import Input, KeyPanel, TextArea

from penguin_tui.app.app import PenguinApp
from penguin_tui.app.commands import WORKBENCH_COMMANDS
from penguin_tui.app.screens.ask_text import AskText
from penguin_tui.app.screens.task_details import TaskDetails
from penguin_tui.app.screens.task_form import TaskForm
from penguin_tui.app.widgets.chat import ChatView, UserMessage
from penguin_tui.app.widgets.task_tree import TaskTree
from penguin_tui.checkpoints.model import CheckpointKind, RevertMode
from penguin_tui.tasks.model import Actor, Priority, TaskStatus
from penguin_tui.tasks.service import TaskService
from penguin_tui.testing import ServerThread, run_in_thread
from tests.conftest import script
from tests.tui.helpers import (
    make_app,
    notifications,
    screen_text,
    send,
    type_text,
    wait_for,
    wait_ready,
    wait_reply_done,
)
from tests.tui.test_keys_and_palette import assert_in_help, run_from_palette

AGENT_PLANS = """
model = "m1"
rate = 0
[[turns]]
text = "Let me plan this."
[[turns.tool_calls]]
name = "task_create"
arguments = '{"title": "Agent step", "parent": "T1"}'
[[turns]]
text = "Planned."
"""


def tasks_of(app: PenguinApp) -> TaskService:
    assert app.runtime is not None and app.runtime.tasks is not None
    return app.runtime.tasks


async def open_pane(pilot: Pilot[int], *titles: str) -> tuple[PenguinApp, TaskTree]:
    """The workbench with ``titles`` added as the user's tasks, the pane focused (f8)."""
    app = await wait_ready(pilot)
    service = tasks_of(app)
    for title in titles:
        await service.add(title)
    pane = app.workbench.query_one(TaskTree)
    await wait_for(pilot, lambda: len(pane.nodes) == len(titles), what="the seeded tasks")
    await pilot.press("f8")
    assert app.focused is pane
    return app, pane


def row(pane: TaskTree, task_id: str) -> str:
    """The text of a task's row."""
    return str(pane.nodes[task_id].label)


async def select(pilot: Pilot[int], pane: TaskTree, task_id: str) -> None:
    pane.move_cursor(pane.nodes[task_id])
    await pilot.pause()
    assert pane.selected_id == task_id


async def answer(pilot: Pilot[int], text: str) -> None:
    """Answer the one-line question that the last key opened."""
    await wait_for(pilot, lambda: isinstance(pilot.app.screen, AskText), what="the question")
    field = pilot.app.screen.query_one(Input)
    field.value = ""
    await type_text(pilot, text)
    await pilot.press("enter")


async def test_a_adds_a_task_and_shift_a_a_subtask(server: ServerThread, project: Path) -> None:
    app = make_app(project, server.base_url)
    async with app.run_test(size=(120, 36)) as pilot:
        app, pane = await open_pane(pilot)
        assert pane.border_title == "Tasks · none yet"
        await pilot.press("a")
        await answer(pilot, "write the parser")
        await wait_for(pilot, lambda: "T1" in pane.nodes, what="T1 in the pane")
        assert tasks_of(app).get("T1").created_by is Actor.USER
        assert pane.border_title == "Tasks 0/1"

        await select(pilot, pane, "T1")
        await pilot.press("A")
        await answer(pilot, "lex numbers")
        await wait_for(pilot, lambda: "T2" in pane.nodes, what="T2 in the pane")
        assert pane.nodes["T2"].parent is pane.nodes["T1"]
        assert tasks_of(app).get("T2").parent == "T1"
        assert "0/1 ▱▱▱▱▱" in row(pane, "T1")


async def test_e_edits_a_task_in_a_form(server: ServerThread, project: Path) -> None:
    app = make_app(project, server.base_url)
    async with app.run_test(size=(120, 36)) as pilot:
        app, pane = await open_pane(pilot, "parser", "docs")
        await select(pilot, pane, "T2")
        await pilot.press("e")
        await wait_for(pilot, lambda: isinstance(app.screen, TaskForm), what="the form")
        form = app.screen
        form.query_one("#title", Input).value = "write the docs"
        form.query_one("#description", TextArea).text = "For users."
        form.query_one("#criteria", TextArea).text = "a page per command\nexamples run"
        form.query_one("#after", Input).value = "t1"
        form.query_one("#check", Input).value = "make docs"
        await pilot.press("ctrl+s")
        service = tasks_of(app)
        await wait_for(pilot, lambda: service.get("T2").title == "write the docs", what="edit")
        task = service.get("T2")
        assert task.description == "For users."
        assert [c.text for c in task.criteria] == ["a page per command", "examples run"]
        assert task.after == ("T1",) and task.check == "make docs" and task.check_trusted
        history = await service.history("T2")
        assert history[-1].actor is Actor.USER
        assert "after T1 (todo)" in row(pane, "T2")


async def test_s_steps_the_status_d_marks_done_x_cancels_and_reopens(
    server: ServerThread, project: Path
) -> None:
    app = make_app(project, server.base_url)
    async with app.run_test(size=(120, 36)) as pilot:
        app, pane = await open_pane(pilot, "parser", "docs")
        service = tasks_of(app)
        await select(pilot, pane, "T1")
        await pilot.press("s")
        await wait_for(pilot, lambda: service.get("T1").status is TaskStatus.DOING)
        assert row(pane, "T1").startswith("◐ T1")
        await pilot.press("d")
        await wait_for(pilot, lambda: service.get("T1").status is TaskStatus.DONE)
        assert pane.border_title == "Tasks 1/2"

        await select(pilot, pane, "T2")
        await pilot.press("x")
        await wait_for(pilot, lambda: service.get("T2").status is TaskStatus.CANCELLED)
        assert row(pane, "T2").startswith("– T2")
        await pilot.press("x")
        await wait_for(pilot, lambda: service.get("T2").status is TaskStatus.TODO)


async def test_plus_and_minus_add_and_remove_a_dependency_and_a_cycle_is_refused(
    server: ServerThread, project: Path
) -> None:
    app = make_app(project, server.base_url)
    async with app.run_test(size=(120, 36)) as pilot:
        app, pane = await open_pane(pilot, "parser", "docs")
        service = tasks_of(app)
        await select(pilot, pane, "T2")
        await pilot.press("plus")
        await answer(pilot, "T1")
        await wait_for(pilot, lambda: service.get("T2").after == ("T1",), what="T2 after T1")
        assert "after T1 (todo)" in row(pane, "T2")
        assert "ready" in row(pane, "T1")

        await select(pilot, pane, "T1")
        await pilot.press("plus")
        await answer(pilot, "T2")
        await wait_for(pilot, lambda: any("cycle" in n for n in notifications(app)))
        assert "that would make a cycle: T1 → T2 → T1" in notifications(app)
        assert service.get("T1").after == ()

        await select(pilot, pane, "T2")
        await pilot.press("minus")
        await answer(pilot, "T1")
        await wait_for(pilot, lambda: service.get("T2").after == (), what="T2 freed")
        assert "ready" in row(pane, "T2")


async def test_h_hides_done_tasks_and_slash_searches(server: ServerThread, project: Path) -> None:
    app = make_app(project, server.base_url)
    async with app.run_test(size=(120, 36)) as pilot:
        app, pane = await open_pane(pilot, "parser", "docs", "parser tests")
        await tasks_of(app).set_status("T1", TaskStatus.DONE)
        await pilot.press("h")
        await wait_for(pilot, lambda: "T1" not in pane.nodes, what="T1 hidden")
        assert set(pane.nodes) == {"T2", "T3"}
        assert pane.border_subtitle == "done hidden"
        await pilot.press("h")
        assert set(pane.nodes) == {"T1", "T2", "T3"}

        await pilot.press("slash")
        await answer(pilot, "parser")
        await wait_for(pilot, lambda: set(pane.nodes) == {"T1", "T3"}, what="the search")
        await pilot.press("slash")
        await answer(pilot, "")
        await wait_for(pilot, lambda: len(pane.nodes) == 3, what="all again")


async def test_enter_shows_the_task_with_its_history(server: ServerThread, project: Path) -> None:
    app = make_app(project, server.base_url)
    async with app.run_test(size=(120, 36)) as pilot:
        app, pane = await open_pane(pilot, "parser")
        await tasks_of(app).set_status("T1", TaskStatus.DOING)
        await select(pilot, pane, "T1")
        await pilot.press("enter")
        await wait_for(pilot, lambda: isinstance(app.screen, TaskDetails), what="the details")
        await pilot.pause()
        shown = screen_text(app)
        assert "T1 parser" in shown and "user  created" in shown
        assert "user  status todo → doing" in shown


async def test_w_works_on_the_task_in_a_turn(server: ServerThread, project: Path) -> None:
    app = make_app(project, server.base_url)
    async with app.run_test(size=(120, 36)) as pilot:
        app, pane = await open_pane(pilot)
        await tasks_of(app).add("greet the user", description="Say hello.", criteria=["one line"])
        await wait_for(pilot, lambda: "T1" in pane.nodes)
        await select(pilot, pane, "T1")
        await pilot.press("w")
        reply = await wait_reply_done(pilot)
        assert reply.text == "Hello **there**, this is the scripted reply."
        chat = app.workbench.query_one(ChatView)
        prompts = [m.text for m in chat.query(UserMessage)]
        assert prompts == [
            "Work on task T1: greet the user\n\nSay hello.\n\nDone when:\n- one line"
        ]
        assert pane.working_on == "T1"
        assert row(pane, "T1").startswith("▶ ○ T1")


async def test_an_agents_new_task_is_added_in_place(project: Path) -> None:
    """The agent's task_create reaches the pane as one new node: the other nodes are the
    same objects before and after (no rebuild), and the parent's progress is redrawn."""
    with run_in_thread(script(AGENT_PLANS)) as planner:
        app = make_app(project, planner.base_url)
        async with app.run_test(size=(120, 36)) as pilot:
            app, pane = await open_pane(pilot, "parser", "docs")
            await tasks_of(app).add("lex", parent="T1", priority=Priority.HIGH)
            await wait_for(pilot, lambda: "T3" in pane.nodes)
            before = dict(pane.nodes)
            await send(pilot, "plan it")
            await wait_for(pilot, lambda: "T4" in pane.nodes, what="the agent's task")
            assert all(pane.nodes[k] is node for k, node in before.items())
            assert pane.nodes["T4"].parent is pane.nodes["T1"]
            assert "0/2" in row(pane, "T1")
            assert tasks_of(app).get("T4").created_by is Actor.AGENT


async def test_f8_opens_the_pane_over_the_chat_below_80_columns(
    server: ServerThread, project: Path
) -> None:
    app = make_app(project, server.base_url)
    async with app.run_test(size=(60, 20)) as pilot:
        await wait_ready(pilot)
        pane = app.workbench.query_one(TaskTree)
        assert pane.region.width == 0
        await pilot.press("f8")
        assert app.focused is pane and pane.region.width == 60
        await pilot.press("escape")
        assert pane.region.width == 0


async def test_f5_maximises_the_pane(server: ServerThread, project: Path) -> None:
    app = make_app(project, server.base_url)
    async with app.run_test(size=(120, 36)) as pilot:
        app, pane = await open_pane(pilot, "parser")
        await pilot.press("f5")
        assert app.workbench.maximized is pane and pane.region.width == 120
        await pilot.press("f5")
        assert app.workbench.maximized is None


def test_every_key_of_the_pane_has_an_id_and_a_palette_command() -> None:
    palette = {b for command in WORKBENCH_COMMANDS for b in command.bindings}
    for binding in TaskTree.BINDINGS:
        assert isinstance(binding, Binding) and binding.id and binding.id.startswith("tasks.")
        if binding.id not in TaskTree.CURSOR_MOVES:
            assert binding.id in palette, binding.id


async def test_f1_lists_the_panes_keys_and_the_palette_runs_them(
    server: ServerThread, project: Path
) -> None:
    app = make_app(project, server.base_url)
    async with app.run_test(size=(160, 48)) as pilot:
        app, pane = await open_pane(pilot, "parser")
        await pilot.press("f1")
        await wait_for(pilot, lambda: bool(app.screen.query(KeyPanel)), what="the keys panel")
        assert_in_help(app, TaskTree)
        await pilot.press("f1", "f2")
        await run_from_palette(pilot, "Task: add")
        await answer(pilot, "from the palette")
        await wait_for(pilot, lambda: "T2" in pane.nodes, what="the task added")
        assert app.focused is pane


async def test_a_remapped_key_works_on_the_pane(
    server: ServerThread, project: Path, penguin_home: Path
) -> None:
    config = penguin_home / "config.toml"
    config.write_text(config.read_text() + '\n[ui.keys]\n"focus.tasks" = "f9"\n"tasks.add" = "n"\n')
    app = make_app(project, server.base_url)
    async with app.run_test(size=(120, 36)) as pilot:
        await wait_ready(pilot)
        pane = app.workbench.query_one(TaskTree)
        await pilot.press("f9")
        assert app.focused is pane
        await pilot.press("n")
        await answer(pilot, "remapped")
        await wait_for(pilot, lambda: "T1" in pane.nodes, what="the task added")


async def test_a_revert_of_the_tasks_puts_the_old_plan_in_the_pane(
    server: ServerThread, project: Path
) -> None:
    app = make_app(project, server.base_url)
    async with app.run_test(size=(120, 36)) as pilot:
        app, pane = await open_pane(pilot, "parser")
        assert app.runtime is not None and app.runtime.checkpoints is not None
        assert app.runtime.engine.session is not None
        checkpoints, session = app.runtime.checkpoints, app.runtime.engine.session.id
        kept = await checkpoints.create(session, CheckpointKind.MANUAL, "one task")
        await tasks_of(app).add("docs")
        await wait_for(pilot, lambda: "T2" in pane.nodes, what="T2")

        await checkpoints.revert(session, kept.id, RevertMode.TASKS)
        await wait_for(pilot, lambda: set(pane.nodes) == {"T1"}, what="the old plan")
        assert pane.border_title == "Tasks 0/1"
        await checkpoints.undo(session)
        await wait_for(pilot, lambda: set(pane.nodes) == {"T1", "T2"}, what="the plan back")


async def test_m_moves_a_task_under_another_and_back_to_the_top(
    server: ServerThread, project: Path
) -> None:
    app = make_app(project, server.base_url)
    async with app.run_test(size=(120, 36)) as pilot:
        app, pane = await open_pane(pilot, "parser", "lexer", "docs")
        service = tasks_of(app)
        untouched = pane.nodes["T3"]
        await select(pilot, pane, "T2")
        await pilot.press("m")
        await answer(pilot, "T1")
        await wait_for(pilot, lambda: service.get("T2").parent == "T1", what="the move")
        await wait_for(pilot, lambda: pane.nodes["T2"].parent is pane.nodes["T1"])
        assert "0/1" in row(pane, "T1") and pane.nodes["T3"] is untouched

        await select(pilot, pane, "T2")
        await pilot.press("m")
        await answer(pilot, "")
        await wait_for(pilot, lambda: service.get("T2").parent is None, what="back to the top")
        await wait_for(pilot, lambda: pane.nodes["T2"].parent is pane.root)
        assert "0/1" not in row(pane, "T1")
        assert [n.data for n in pane.root.children] == ["T1", "T2", "T3"]

        await select(pilot, pane, "T1")
        await pilot.press("m")
        await answer(pilot, "T1")
        await wait_for(pilot, lambda: "T1 cannot be its own subtask" in notifications(app))


async def test_tasks_added_from_the_command_line_show_when_the_pane_is_focused(
    server: ServerThread, project: Path
) -> None:
    """`penguin-tui tasks add` in another terminal, then f8: the new task is in the pane."""
    app = make_app(project, server.base_url)
    async with app.run_test(size=(160, 48)) as pilot:
        await wait_ready(pilot)
        pane = app.workbench.query_one(TaskTree)
        command = [sys.executable, "-m", "penguin_tui.cli", "tasks", "add", "From the shell"]
        added = await asyncio.to_thread(
            subprocess.run, [*command, "-C", str(project)], capture_output=True, text=True
        )
        assert (added.returncode, added.stdout) == (0, "T1\n"), added.stderr
        assert "T1" not in pane.nodes
        await pilot.press("f8")
        await wait_for(pilot, lambda: "T1" in pane.nodes, what="the task added outside")
        assert "From the shell" in row(pane, "T1")
