"""The chat drawn again after a branch, switch, revert or undo shows each tool call as it
ended — its summary and its diff — not as a call "from an earlier session"."""

from __future__ import annotations

from pathlib import Path

from penguin_tui.app.app import PenguinApp
from penguin_tui.app.screens.ask_text import AskText
from penguin_tui.app.widgets.chat import ChatView
from penguin_tui.app.widgets.checkpoints import CheckpointBrowser
from penguin_tui.app.widgets.diff_view import DiffView
from penguin_tui.app.widgets.tool_call import ToolCallView
from penguin_tui.checkpoints.model import RevertMode
from penguin_tui.testing import run_in_thread
from tests.conftest import script
from tests.tui.helpers import cursor_to, make_app, wait_for, wait_ready
from tests.tui.test_checkpoints import FIRST, TWO_TURNS, run_turn


def tool_call_shows_its_diff(app: PenguinApp) -> bool:
    views = list(app.workbench.query_one(ChatView).query(ToolCallView))
    if len(views) != 1:
        return False
    view = views[0]
    title = str(view.query_one("CollapsibleTitle").render())
    return (
        "earlier session" not in title
        and "write greet.py: +2 -0" in title
        and bool(view.query(DiffView))
    )


async def test_tool_calls_keep_their_diff_after_a_branch_a_revert_and_an_undo(
    project: Path,
) -> None:
    with run_in_thread(script(TWO_TURNS)) as server:
        app = make_app(project, server.base_url)
        async with app.run_test(size=(160, 48)) as pilot:
            await wait_ready(pilot)
            browser = app.workbench.query_one(CheckpointBrowser)
            await run_turn(pilot, app, "write greet")
            assert (project / "greet.py").read_text() == FIRST
            await wait_for(pilot, lambda: tool_call_shows_its_diff(app), what="the live diff")
            await wait_for(
                pilot,
                lambda: any(c.label == "write greet" for c in browser.checkpoints.values()),
                what="the turn's checkpoint",
            )
            turn = next(c for c in browser.checkpoints.values() if c.label == "write greet")

            # Branch from the turn's checkpoint: the chat is drawn again from the store.
            chat = app.workbench.query_one(ChatView)
            before = list(chat.query(ToolCallView))
            await pilot.press("f6")
            await cursor_to(pilot, browser, turn.id)
            await pilot.press("b")
            await wait_for(pilot, lambda: isinstance(app.screen, AskText), what="the name")
            await pilot.press("enter")
            await wait_for(pilot, lambda: browser.current_branch == "try-2", what="the branch")
            await wait_for(
                pilot, lambda: list(chat.query(ToolCallView)) != before, what="the chat redrawn"
            )
            await wait_for(pilot, lambda: tool_call_shows_its_diff(app), what="the diff kept")

            # Revert the conversation to the first checkpoint and undo it: still there.
            assert app.runtime is not None and app.runtime.checkpoints is not None
            assert app.runtime.engine.session is not None
            session = app.runtime.engine.session.id
            first = (await app.runtime.checkpoints.checkpoints(session))[0]
            await app.runtime.checkpoints.revert(session, first.id, RevertMode.BOTH)
            await wait_for(pilot, lambda: not list(chat.query(ToolCallView)), what="the call gone")
            await pilot.press("f6", "u")
            await wait_for(pilot, lambda: tool_call_shows_its_diff(app), what="undo keeps it")
