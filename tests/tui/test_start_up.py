"""What the workbench does while and once it starts: a prompt sent before the project is open
waits for it, and litellm's import waits, so it does not compete with the first moments of
typing."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import pytest
from textual.pilot import Pilot

import penguin_tui.runtime as runtime_module
from penguin_tui.app.app import LLM_PRELOAD_DELAY_S, PenguinApp
from penguin_tui.app.widgets.prompt import PromptInput
from penguin_tui.runtime import Runtime
from penguin_tui.testing import ServerThread
from tests.tui.helpers import (
    make_app,
    notifications,
    send,
    wait_for,
    wait_ready,
    wait_reply_done,
)


async def test_litellm_is_preloaded_a_while_after_start_up(
    server: ServerThread, project: Path
) -> None:
    app = make_app(project, server.base_url)
    async with app.run_test(size=(120, 36)) as pilot:
        await wait_ready(pilot)
        assert not app.llm_preload_started
        within = LLM_PRELOAD_DELAY_S + 5
        await wait_for(pilot, lambda: app.llm_preload_started, within, "the preload")


async def test_the_first_prompt_sent_starts_the_litellm_preload_at_once(
    server: ServerThread, project: Path
) -> None:
    app = make_app(project, server.base_url)
    async with app.run_test(size=(120, 36)) as pilot:
        await wait_ready(pilot)
        await send(pilot, "hi")
        assert app.llm_preload_started
        reply = await wait_reply_done(pilot)
        assert reply.status == "complete"


async def test_a_prompt_sent_while_the_project_opens_is_sent_once_it_is_open(
    server: ServerThread, project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    opened = asyncio.Event()
    real_open = runtime_module.open_runtime

    async def slow_open(*args: Any, **kwargs: Any) -> Runtime:
        await opened.wait()  # held until the prompt has been sent
        return await real_open(*args, **kwargs)

    monkeypatch.setattr(runtime_module, "open_runtime", slow_open)
    app = make_app(project, server.base_url)
    async with app.run_test(size=(120, 36)) as pilot:
        await wait_for(pilot, lambda: app.workbench.panes_mounted.is_set(), what="the panes")
        await held_then_sent(pilot, app, opened)


async def test_a_prompt_sent_while_the_session_opens_goes_into_the_session_on_screen(
    server: ServerThread, project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The services are up (the app has its runtime) but the session is still being opened:
    # a prompt sent now must wait, or its turn lands in a session the opening then replaces
    # and the chat, the usage and the checkpoint browser show another one.
    opened = asyncio.Event()
    real_open_session = PenguinApp._open_session

    async def slow_open_session(self: PenguinApp, runtime: Runtime) -> None:
        await opened.wait()  # held until the prompt has been sent
        await real_open_session(self, runtime)

    monkeypatch.setattr(PenguinApp, "_open_session", slow_open_session)
    app = make_app(project, server.base_url)
    async with app.run_test(size=(120, 36)) as pilot:
        await wait_for(pilot, lambda: app.runtime is not None, what="the services")
        await held_then_sent(pilot, app, opened)


async def held_then_sent(pilot: Pilot[int], app: PenguinApp, opened: asyncio.Event) -> None:
    """A prompt sent now is kept and said to wait; once ``opened`` it goes out, and its turn
    is the first of the session on screen."""
    await send(pilot, "hi")
    assert not app.ready
    assert app.workbench.query_one(PromptInput).text == "hi"  # kept until it goes out
    assert any("starting up" in text for text in notifications(app))
    opened.set()
    reply = await wait_reply_done(pilot)
    assert reply.status == "complete"
    assert app.workbench.query_one(PromptInput).text == ""
    assert app.runtime is not None
    history = await app.runtime.engine.history()
    assert [(m.role, m.content) for m in history][0] == ("user", "hi")
