"""Helpers for driving the workbench with Textual's Pilot."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from textual.pilot import Pilot

from penguin_tui.app.app import LaunchOptions, PenguinApp
from penguin_tui.app.screens.ask_text import AskText
from penguin_tui.app.widgets.chat import AssistantMessage, ChatView
from penguin_tui.app.widgets.checkpoints import CheckpointBrowser

if TYPE_CHECKING:
    from penguin_tui.checkpoints.model import Checkpoint


def make_app(
    project: Path, api_base: str | None, model: str | None = "m1", **extra: object
) -> PenguinApp:
    options = LaunchOptions(directory=project, model=model, api_base=api_base, **extra)  # type: ignore[arg-type]
    return PenguinApp(options)


async def wait_for(
    pilot: Pilot[int], condition: Callable[[], bool], within: float = 15.0, what: str = ""
) -> None:
    """Let the app run until ``condition`` holds; fail with ``what`` after ``within`` s."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + within
    while not condition():
        if loop.time() > deadline:
            raise AssertionError(f"timed out waiting for {what or condition}")
        await pilot.pause(0.05)


async def wait_ready(pilot: Pilot[int]) -> PenguinApp:
    app = pilot.app
    assert isinstance(app, PenguinApp)
    await wait_for(
        pilot,
        lambda: app.ready,
        what="services to start",
    )
    return app


def replies(app: PenguinApp) -> list[AssistantMessage]:
    return list(app.screen.query_one(ChatView).query(AssistantMessage))


async def send(pilot: Pilot[int], text: str) -> None:
    await pilot.click("#prompt")
    for character in text:
        await pilot.press("space" if character == " " else character)
    await pilot.press("enter")


async def wait_reply_done(pilot: Pilot[int], count: int = 1) -> AssistantMessage:
    app = pilot.app
    assert isinstance(app, PenguinApp)
    await wait_for(
        pilot,
        lambda: len(replies(app)) >= count and replies(app)[count - 1].status != "streaming",
        what=f"reply {count} to finish",
    )
    return replies(app)[count - 1]


async def cursor_to(pilot: Pilot[int], browser: CheckpointBrowser, checkpoint_id: str) -> None:
    """Move the browser's cursor with the arrow keys until it is on ``checkpoint_id``."""
    await pilot.press("home")
    assert pilot.app.focused is browser, pilot.app.focused
    for _ in range(len(browser.checkpoints) + len(browser.branch_list) + 2):
        selected = browser.selected_checkpoint
        if selected is not None and selected.id == checkpoint_id:
            return
        await pilot.press("down")
    raise AssertionError(f"checkpoint {checkpoint_id} is not in the browser")


async def type_text(pilot: Pilot[int], text: str) -> None:
    for character in text:
        await pilot.press("space" if character == " " else character)


async def checkpoint_from_keys(pilot: Pilot[int], label: str) -> Checkpoint:
    """Take a manual checkpoint the way a user does: f6, a, the label, enter."""
    app = pilot.app
    assert isinstance(app, PenguinApp)
    browser = app.workbench.query_one(CheckpointBrowser)
    await pilot.press("f6", "a")
    await wait_for(pilot, lambda: isinstance(app.screen, AskText), what="the label question")
    await type_text(pilot, label)
    await pilot.press("enter")
    await wait_for(
        pilot,
        lambda: any(c.label == label for c in browser.checkpoints.values()),
        what=f"checkpoint {label!r} in the browser",
    )
    return next(c for c in browser.checkpoints.values() if c.label == label)


SAID = "said_in_test"


def notifications(app: PenguinApp) -> list[str]:
    """The text of every notification shown since the start or the last
    ``clear_notifications()``, those that have timed out on screen too: a slow machine can
    take longer than a toast lives to reach the step that reads it (see ``conftest.py``)."""
    said: list[str] = app.__dict__.get(SAID, [])
    return list(said)


def screen_text(app: PenguinApp) -> str:
    """What the terminal shows, as plain text, one line per row."""
    return "\n".join(strip.text for strip in app.screen._compositor.render_strips())
