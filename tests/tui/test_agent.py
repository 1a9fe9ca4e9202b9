"""The agent in the workbench: tool calls inline, approvals by key, Esc stops a shell command."""

from __future__ import annotations

import json
import time
from functools import partial
from pathlib import Path

from textual.widgets._collapsible import CollapsibleTitle

from penguin_tui.app.app import PenguinApp
from penguin_tui.app.screens.approval import ApprovalScreen
from penguin_tui.app.widgets.diff_view import DiffView
from penguin_tui.app.widgets.tool_call import ToolCallView
from penguin_tui.testing import run_in_thread
from penguin_tui.unified_diff import FileStatus
from tests.conftest import script
from tests.tui.helpers import (
    make_app,
    replies,
    screen_text,
    send,
    wait_for,
    wait_ready,
    wait_reply_done,
)

AGENT = (Path(__file__).parents[1] / "integration" / "scripts" / "agent.toml").read_text()

LONG_SHELL = """
model = "m1"
rate = 0
[[turns]]
[[turns.tool_calls]]
name = "run_shell"
arguments = '{"command": "sleep 60 & sleep 60"}'
[[turns]]
text = "Still here."
"""


async def test_agent_session_with_approvals_answered_by_key(project: Path) -> None:
    with run_in_thread(script(AGENT)) as server:
        app = make_app(project, server.base_url)
        async with app.run_test(size=(120, 40)) as pilot:
            await wait_ready(pilot)
            await send(pilot, "make add work")
            answered = 0
            deadline = time.monotonic() + 60
            while app.runtime is not None and (app.runtime.engine.busy or answered == 0):
                assert time.monotonic() < deadline, "the agent session did not finish"
                if isinstance(app.screen, ApprovalScreen):
                    # Allow writes for the session after the first ask; shell once each time.
                    await pilot.press("s" if app.screen.tool == "write_file" else "y")
                    answered += 1
                await pilot.pause(0.05)
            views = list(app.workbench.query(ToolCallView))
            assert [v.tool for v in views] == [
                "list_files",
                "write_file",
                "write_file",
                "run_shell",
                "edit_file",
                "run_shell",
            ]
            assert [v.status for v in views] == ["ok"] * 6
            # Two writes, two shell runs and one edit: an "always" answer covers only the
            # exact path it was given, so the second file is asked about too.
            assert answered == 5
            assert (project / "calc.py").read_text().endswith("a + b\n")
            await wait_for(pilot, lambda: "Done" in "".join(r.text for r in replies(app)))


async def test_escape_stops_a_long_shell_command_and_the_next_turn_works(
    project: Path,
) -> None:
    with run_in_thread(script(LONG_SHELL)) as server:
        app = make_app(project, server.base_url)
        async with app.run_test(size=(120, 40)) as pilot:
            await wait_ready(pilot)
            await send(pilot, "wait a minute")
            await wait_for(pilot, lambda: isinstance(app.screen, ApprovalScreen), what="a question")
            await pilot.press("y")
            await wait_for(
                pilot,
                lambda: any(v.status == "running" for v in app.workbench.query(ToolCallView)),
                what="the command to run",
            )
            await pilot.pause(0.5)
            pressed = time.monotonic()
            await pilot.press("escape")
            assert app.runtime is not None
            await wait_for(pilot, lambda: not app.runtime.engine.busy, within=5)  # type: ignore[union-attr]
            assert time.monotonic() - pressed < 2.0
            view = next(iter(app.workbench.query(ToolCallView)))
            assert view.status == "cancelled"
            # The scripted server rejects a history with an unanswered call: this must pass.
            await send(pilot, "are you there?")
            reply = await wait_reply_done(pilot, count=2)
            assert reply.text == "Still here."
            assert reply.status == "complete"


ONE_WRITE = """
model = "m1"
rate = 0
[[turns]]
[[turns.tool_calls]]
name = "write_file"
arguments = '{"path": "x.py", "content": "x = 1"}'
[[turns]]
text = "Understood."
"""


async def test_deny_with_a_reason_tells_the_model_why(project: Path) -> None:
    with run_in_thread(script(ONE_WRITE)) as server:
        app = make_app(project, server.base_url)
        async with app.run_test(size=(120, 40)) as pilot:
            await wait_ready(pilot)
            await send(pilot, "write x")
            await wait_for(pilot, lambda: isinstance(app.screen, ApprovalScreen), what="a question")
            await pilot.press("r")
            for character in "use y.py":
                await pilot.press("space" if character == " " else character)
            await pilot.press("enter")
            await wait_reply_done(pilot, count=2)
            assert not (project / "x.py").exists()
            answer = [m for m in server.requests[-1]["messages"] if m["role"] == "tool"][-1]
            assert "denied by the user: use y.py" in answer["content"]
            view = next(iter(app.workbench.query(ToolCallView)))
            assert view.status == "denied"


async def test_a_tool_call_shows_the_brackets_of_its_command(project: Path) -> None:
    command = 'grep -n "[a-z]" notes.txt && echo [/] [model]'
    shell = f"""
model = "m1"
rate = 0
[[turns]]
[[turns.tool_calls]]
name = "run_shell"
arguments = '{json.dumps({"command": command})}'
[[turns]]
text = "Done."
"""
    (project / "notes.txt").write_text("abc\n")
    with run_in_thread(script(shell)) as server:
        app = make_app(project, server.base_url)
        async with app.run_test(size=(120, 40)) as pilot:
            await wait_ready(pilot)
            await send(pilot, "look")
            await wait_for(pilot, lambda: isinstance(app.screen, ApprovalScreen), what="a question")
            await pilot.press("y")
            await wait_reply_done(pilot, count=2)
            title = app.workbench.query_one(ToolCallView).query_one(CollapsibleTitle)
            assert f"run_shell  $ {command}  — exit 0" in str(title.label)


async def test_the_question_and_the_chat_mark_a_new_file_alike(project: Path) -> None:
    """A file the agent creates is `A` (added) in the approval question, as in the chat."""
    with run_in_thread(script(ONE_WRITE)) as server:
        app = make_app(project, server.base_url)
        async with app.run_test(size=(120, 40)) as pilot:
            await wait_ready(pilot)
            await send(pilot, "write x")
            await wait_for(pilot, lambda: isinstance(app.screen, ApprovalScreen), what="a question")
            asked = app.screen.query_one(DiffView).files
            assert [(f.path, f.status) for f in asked] == [("x.py", FileStatus.ADDED)]
            await pilot.press("y")
            await wait_reply_done(pilot, count=2)
            view = app.workbench.query_one(ToolCallView)
            await wait_for(pilot, lambda: view.status == "ok", what="the write")
            shown = view.query_one(DiffView).files
            assert [(f.path, f.status) for f in shown] == [("x.py", FileStatus.ADDED)]


PRINTS_NOT_RUN = """
model = "m1"
rate = 0
[[turns]]
[[turns.tool_calls]]
name = "run_shell"
arguments = '{"command": "echo Not run: only what the command printed"}'
[[turns.tool_calls]]
name = "write_file"
arguments = '{"path": "x.py", "content": "x = 1"}'
[[turns]]
text = "Done."
"""


def asks_about(app: PenguinApp, tool: str) -> bool:
    return isinstance(app.screen, ApprovalScreen) and app.screen.tool == tool


async def test_a_call_shows_how_it_ended_after_a_relaunch_not_what_it_printed(
    project: Path,
) -> None:
    """A command that prints "Not run: …" ran: it is still ✓ after a relaunch, and the write
    the user said no to is still denied."""
    with run_in_thread(script(PRINTS_NOT_RUN)) as server:
        app = make_app(project, server.base_url)
        async with app.run_test(size=(120, 40)) as pilot:
            await wait_ready(pilot)
            await send(pilot, "print it")
            for tool, key in (("run_shell", "y"), ("write_file", "n")):
                await wait_for(pilot, partial(asks_about, app, tool), what=f"a question: {tool}")
                await pilot.press(key)
            await wait_reply_done(pilot, count=2)
            live = [v.status for v in app.workbench.query(ToolCallView)]
            await pilot.press("ctrl+q")
        assert live == ["ok", "denied"]

        again = make_app(project, server.base_url)
        async with again.run_test(size=(120, 40)) as pilot:
            await wait_ready(pilot)
            await wait_for(
                pilot, lambda: len(again.workbench.query(ToolCallView)) == 2, what="the calls"
            )
            views = list(again.workbench.query(ToolCallView))
            assert views[0].outcome is not None
            assert views[0].outcome.preview.startswith("Not run: only what the command printed")
            assert [v.status for v in views] == ["ok", "denied"]


SAY_THEN_WRITE = """
model = "m1"
rate = 0
[[turns]]
text = "I will create x.py with one assignment."
[[turns.tool_calls]]
name = "write_file"
arguments = '{"path": "x.py", "content": "x = 1"}'
[[turns]]
text = "Done."
"""


async def test_what_the_agent_said_stays_readable_behind_the_question(project: Path) -> None:
    with run_in_thread(script(SAY_THEN_WRITE)) as server:
        app = make_app(project, server.base_url)
        async with app.run_test(size=(80, 24)) as pilot:
            await wait_ready(pilot)
            await send(pilot, "write x")
            await wait_for(pilot, lambda: isinstance(app.screen, ApprovalScreen), what="a question")
            await pilot.pause(0.2)
            shown = " ".join(screen_text(app).split())
            assert "Allow write_file?" in shown
            assert "I will create x.py with one assignment." in shown
            await pilot.press("n")
            await wait_reply_done(pilot, count=2)
