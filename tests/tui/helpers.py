"""Helpers for driving the workbench with Textual's Pilot."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from pathlib import Path

from textual.pilot import Pilot

from penguin_tui.app.app import LaunchOptions, PenguinApp
from penguin_tui.app.widgets.chat import AssistantMessage, ChatView


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
