"""In the workbench: a turn's checkpoint that fails is said (a notification, the browser's
title) until the next turn takes it; a revert's preview marks the files that only its safety
checkpoint will hold."""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path

import pytest
from textual.pilot import Pilot
from textual.widgets import Static

from penguin_tui.app.app import PenguinApp
from penguin_tui.app.screens.approval import ApprovalScreen
from penguin_tui.app.screens.revert import RevertScreen
from penguin_tui.app.widgets.checkpoints import CheckpointBrowser
from penguin_tui.checkpoints.shadow import ShadowRepo, Snapshot
from penguin_tui.errors import CheckpointError
from penguin_tui.testing import run_in_thread
from tests.conftest import script
from tests.tui.helpers import (
    checkpoint_from_keys,
    cursor_to,
    make_app,
    notifications,
    send,
    wait_for,
    wait_ready,
)

WRITE_THEN_TALK = """
model = "m1"
rate = 0
[[turns]]
text = "Writing it."
[[turns.tool_calls]]
name = "write_file"
arguments = '{"path": "greet.py", "content": "def greet():\\n    return \\"hello\\"\\n"}'
[[turns]]
text = "Written."
[[turns]]
text = "Nothing more to do."
"""


async def run_turn(pilot: Pilot[int], app: PenguinApp, prompt: str) -> None:
    """Send a prompt and answer each approval with y until the turn is over."""
    await send(pilot, prompt)
    deadline = time.monotonic() + 30
    started = False
    while not started or (app.runtime is not None and app.runtime.engine.busy):
        assert time.monotonic() < deadline, "the turn did not finish"
        started = started or (app.runtime is not None and app.runtime.engine.busy)
        if isinstance(app.screen, ApprovalScreen):
            await pilot.press("y")
        await pilot.pause(0.05)


async def test_a_turns_checkpoint_that_fails_is_said_and_the_next_turn_takes_it(
    project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    real_snapshot = ShadowRepo.snapshot
    failures = 0

    def full_once_the_file_is_written(
        self: ShadowRepo, progress: Callable[[str], None] | None = None
    ) -> Snapshot:
        """The disk fills up with the turn's file: its checkpoint fails, once."""
        nonlocal failures
        if (self.work_tree / "greet.py").exists() and failures == 0:
            failures += 1
            raise CheckpointError("git update-index failed: disk full")
        return real_snapshot(self, progress)

    monkeypatch.setattr(ShadowRepo, "snapshot", full_once_the_file_is_written)
    with run_in_thread(script(WRITE_THEN_TALK)) as server:
        app = make_app(project, server.base_url)
        async with app.run_test(size=(160, 48)) as pilot:
            await wait_ready(pilot)
            browser = app.workbench.query_one(CheckpointBrowser)

            await run_turn(pilot, app, "write greet")
            await wait_for(
                pilot,
                lambda: any("checkpoint failed" in text for text in notifications(app)),
                what="the failure's notification",
            )
            (said,) = [text for text in notifications(app) if "checkpoint failed" in text]
            assert "disk full" in said and "“write greet” are in no checkpoint yet" in said
            assert said.endswith("will retry at the next turn")
            await wait_for(
                pilot,
                lambda: (
                    "checkpoint failed: git update-index failed: disk full; will retry at the"
                    " next turn" in str(browser.border_title)
                ),
                what="the failure in the browser's title",
            )
            assert "write greet" not in [c.label for c in browser.checkpoints.values()]

            await send(pilot, "anything else?")  # a reply without tools: no question
            await wait_for(
                pilot,
                lambda: "write greet (retried)" in [c.label for c in browser.checkpoints.values()],
                what="the retried checkpoint",
            )
            retried = next(
                c for c in browser.checkpoints.values() if c.label == "write greet (retried)"
            )
            assert retried.files_changed == 1
            await wait_for(
                pilot,
                lambda: "checkpoint failed" not in str(browser.border_title),
                what="a title without the failure",
            )
            assert failures == 1
            await wait_for(
                pilot,
                lambda: app.runtime is not None and not app.runtime.engine.busy,
                what="the reply",
            )


async def test_the_revert_preview_marks_a_file_only_the_safety_checkpoint_will_hold(
    project: Path,
) -> None:
    """A file made by hand after a checkpoint: reverting to it deletes the file, the preview
    says so and that the safety checkpoint keeps it; undo brings it back."""
    app = make_app(project, None)
    async with app.run_test(size=(160, 48)) as pilot:
        await wait_ready(pilot)
        browser = app.workbench.query_one(CheckpointBrowser)
        base = await checkpoint_from_keys(pilot, "base")
        (project / "seen.txt").write_text("checkpointed\n")
        await checkpoint_from_keys(pilot, "seen")
        (project / "neverseen.txt").write_text("made by hand\n")

        await pilot.press("f6")
        await cursor_to(pilot, browser, base.id)
        await pilot.press("r")
        await wait_for(pilot, lambda: isinstance(app.screen, RevertScreen), what="the revert")
        await pilot.press("c")
        screen = app.screen
        assert isinstance(screen, RevertScreen)
        await wait_for(
            pilot,
            lambda: screen.preview is not None and screen.preview.mode.value == "code",
            what="the preview",
        )
        shown = str(screen.query_one("#revert-preview", Static).render())
        assert "2 files change:" in shown
        rows = {line.split()[0]: line for line in shown.splitlines()[1:]}
        assert rows["neverseen.txt"].endswith(
            "deleted — created since the last checkpoint; kept in the safety checkpoint;"
            " undo brings it back"
        )
        assert rows["seen.txt"].endswith("deleted")  # a checkpoint holds it: nothing to add

        await pilot.press("y")
        await wait_for(pilot, lambda: not (project / "neverseen.txt").exists(), what="the revert")
        await pilot.press("u")
        await wait_for(
            pilot, lambda: (project / "neverseen.txt").exists(), what="undo to bring it back"
        )
        assert (project / "neverseen.txt").read_text() == "made by hand\n"


async def test_a_failed_checkpoint_whose_files_are_saved_already_is_forgotten_without_a_row(
    project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The turn's file is deleted by hand after its checkpoint failed: the last checkpoint
    holds every file again, so the next turn clears the failure from the title and adds no
    empty '(retried)' row."""
    real_snapshot = ShadowRepo.snapshot

    def full_once_the_file_is_written(
        self: ShadowRepo, progress: Callable[[str], None] | None = None
    ) -> Snapshot:
        if (self.work_tree / "greet.py").exists():
            raise CheckpointError("git update-index failed: disk full")
        return real_snapshot(self, progress)

    monkeypatch.setattr(ShadowRepo, "snapshot", full_once_the_file_is_written)
    with run_in_thread(script(WRITE_THEN_TALK)) as server:
        app = make_app(project, server.base_url)
        async with app.run_test(size=(160, 48)) as pilot:
            await wait_ready(pilot)
            browser = app.workbench.query_one(CheckpointBrowser)
            await checkpoint_from_keys(pilot, "base")
            await run_turn(pilot, app, "write greet")
            await wait_for(
                pilot,
                lambda: "checkpoint failed" in str(browser.border_title),
                what="the failure in the browser's title",
            )

            (project / "greet.py").unlink()
            await send(pilot, "anything else?")
            await wait_for(
                pilot,
                lambda: "checkpoint failed" not in str(browser.border_title),
                what="a title without the failure",
            )
            await wait_for(
                pilot,
                lambda: app.runtime is not None and not app.runtime.engine.busy,
                what="the reply",
            )
            assert [c.label for c in browser.checkpoints.values()] == ["base"]
