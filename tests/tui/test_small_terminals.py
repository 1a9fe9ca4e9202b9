"""Small terminals: the side pane gives way to the chat (its panes open by their keys), and
the approval question keeps every key hint."""

from __future__ import annotations

from pathlib import Path

import pytest
from textual.widget import Widget

from penguin_tui.app.app import PenguinApp
from penguin_tui.app.screens.approval import ApprovalScreen
from penguin_tui.app.widgets.chat import ChatView
from penguin_tui.app.widgets.checkpoints import CheckpointBrowser
from penguin_tui.app.widgets.diff_pane import DiffPane
from penguin_tui.app.widgets.key_hints import KeyHints
from penguin_tui.app.widgets.prompt import PromptInput
from penguin_tui.app.widgets.task_tree import TaskTree
from penguin_tui.app.widgets.usage import UsagePane
from penguin_tui.testing import ServerThread
from tests.tui.helpers import checkpoint_from_keys, make_app, screen_text, wait_for, wait_ready

SMALL = [(60, 20), (40, 12)]


def focused(app: PenguinApp) -> Widget | None:
    return app.focused


@pytest.mark.parametrize("size", SMALL)
async def test_the_side_pane_gives_way_to_the_chat_and_opens_by_its_keys(
    server: ServerThread, project: Path, size: tuple[int, int]
) -> None:
    width, height = size
    app = make_app(project, server.base_url)
    async with app.run_test(size=size) as pilot:
        await wait_ready(pilot)
        chat = app.workbench.query_one(ChatView)
        browser = app.workbench.query_one(CheckpointBrowser)
        assert chat.region.width == width  # all of it: the side pane is hidden
        assert browser.region.width == 0

        await pilot.press("f6")
        assert focused(app) is browser
        assert browser.region.width == width  # over the chat
        await pilot.press("escape")
        assert focused(app) is app.workbench.query_one(PromptInput)
        assert chat.region.width == width and browser.region.width == 0

        await pilot.press("f4")
        usage = app.workbench.query_one(UsagePane)
        assert focused(app) is usage and usage.region.width == width
        await pilot.press("f2")
        assert focused(app) is app.workbench.query_one(PromptInput)
        assert chat.region.width == width and usage.region.width == 0


async def test_from_80_columns_the_side_pane_is_there(server: ServerThread, project: Path) -> None:
    app = make_app(project, server.base_url)
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_ready(pilot)
        chat = app.workbench.query_one(ChatView)
        browser = app.workbench.query_one(CheckpointBrowser)
        assert browser.region.width >= 30
        assert chat.region.width == 80 - browser.region.width - 1  # and its border
        await wait_for(pilot, lambda: "^q" in screen_text(app).splitlines()[-1], what="footer")
        footer = screen_text(app).splitlines()[-1]
        for hint in ("f6 Checkpoints", "esc Cancel", "^q Quit", "^n New", "^r Resume", "f1 Keys"):
            assert hint in footer
        assert "^p palette" in footer


@pytest.mark.parametrize("size", [(80, 24), *SMALL])
async def test_the_approval_question_keeps_every_key_hint(
    server: ServerThread, project: Path, size: tuple[int, int]
) -> None:
    app = make_app(project, server.base_url)
    async with app.run_test(size=size) as pilot:
        await wait_ready(pilot)
        detail = "$ python3 -m unittest -v test_stats\n(in /home/you/demo)"
        await app.push_screen(ApprovalScreen("run_shell", detail, "mode ask: shell is asked"))
        await wait_for(pilot, lambda: isinstance(app.screen, ApprovalScreen))
        await pilot.pause(0.1)
        hints = app.screen.query_one(KeyHints)
        assert app.screen.region.contains_region(hints.region)
        lines = hints.lines(hints.content_size.width)
        assert hints.content_size.height == len(lines)
        shown = " ".join(screen_text(app).split())
        for hint in (
            "y Allow once",
            "s Always in this session",
            "p Always in this project",
            "n/esc Deny",
            "r Deny with a reason",
        ):
            assert hint in shown
        assert "$ python3" in shown  # and the command asked about


async def test_in_a_small_terminal_the_diff_goes_back_to_the_browser_or_the_prompt(
    server: ServerThread, project: Path
) -> None:
    app = make_app(project, server.base_url)
    async with app.run_test(size=(60, 20)) as pilot:
        await wait_ready(pilot)
        browser = app.workbench.query_one(CheckpointBrowser)
        pane = app.workbench.query_one(DiffPane)
        await checkpoint_from_keys(pilot, "start")
        (project / "main.py").write_text("print('changed')\n")

        await pilot.press("f7")
        await wait_for(pilot, lambda: pane.is_open, what="the changes")
        await pilot.press("escape")
        await wait_for(pilot, lambda: focused(app) is browser, what="the browser")
        assert not pane.is_open and browser.region.width == 60

        await pilot.press("f7")
        await wait_for(pilot, lambda: pane.is_open, what="the changes again")
        await pilot.press("f2")
        await pilot.pause(0.1)
        assert focused(app) is app.workbench.query_one(PromptInput)
        assert not pane.is_open and app.screen.maximized is None
        assert app.workbench.query_one(ChatView).region.width == 60


async def test_in_a_short_terminal_the_task_pane_and_the_browser_take_turns(
    server: ServerThread, project: Path
) -> None:
    """At 80x24 the side column shows the browser or the task pane, f6 and f8 switching, with
    the usage monitor below; from 36 rows up both are there."""
    app = make_app(project, server.base_url)
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_ready(pilot)
        browser = app.workbench.query_one(CheckpointBrowser)
        tasks = app.workbench.query_one(TaskTree)
        usage = app.workbench.query_one(UsagePane)
        assert browser.display and not tasks.display and usage.display
        assert browser.region.height >= 8
        await pilot.press("f8")
        await pilot.pause()
        assert tasks.display and not browser.display and app.focused is tasks
        assert tasks.region.height >= 8
        await pilot.press("f6")
        await pilot.pause()
        assert browser.display and not tasks.display and app.focused is browser
        await pilot.resize_terminal(80, 40)
        await pilot.pause()
        assert browser.display and tasks.display
