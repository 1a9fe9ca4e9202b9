"""Checkpoints in the workbench, from the keyboard: an agent turn leaves one in the browser;
branch from it, let the model change something else, compare the two branches side by side,
revert one, undo the revert."""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path

import pytest
from textual.pilot import Pilot
from textual.widgets import Static

from penguin_tui.app.app import PenguinApp
from penguin_tui.app.screens.approval import ApprovalScreen
from penguin_tui.app.screens.ask_text import AskText
from penguin_tui.app.screens.merge import MergeScreen
from penguin_tui.app.screens.revert import RevertScreen
from penguin_tui.app.widgets.checkpoints import CheckpointBrowser
from penguin_tui.app.widgets.diff_pane import DiffPane
from penguin_tui.checkpoints.shadow import ShadowRepo
from penguin_tui.errors import CheckpointError
from penguin_tui.testing import run_in_thread
from tests.conftest import script
from tests.tui.helpers import (
    checkpoint_from_keys,
    cursor_to,
    make_app,
    notifications,
    send,
    type_text,
    wait_for,
    wait_ready,
)

TWO_TURNS = """
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
text = "Changing it."
[[turns.tool_calls]]
name = "write_file"
arguments = '{"path": "greet.py", "content": "def greet():\\n    return \\"bonjour\\"\\n"}'
[[turns]]
text = "Changed."
"""

FIRST = 'def greet():\n    return "hello"\n'
SECOND = 'def greet():\n    return "bonjour"\n'


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


async def test_branch_compare_revert_and_undo_from_the_keyboard(project: Path) -> None:
    with run_in_thread(script(TWO_TURNS)) as server:
        app = make_app(project, server.base_url)
        async with app.run_test(size=(160, 48)) as pilot:
            await wait_ready(pilot)
            assert app.runtime is not None and app.runtime.checkpoints is not None
            service = app.runtime.checkpoints
            browser = app.workbench.query_one(CheckpointBrowser)

            # 1. An agent turn leaves an automatic checkpoint in the browser.
            await run_turn(pilot, app, "write greet")
            assert (project / "greet.py").read_text() == FIRST
            await wait_for(
                pilot,
                lambda: any(c.label == "write greet" for c in browser.checkpoints.values()),
                what="the turn's checkpoint in the browser",
            )
            first = next(c for c in browser.checkpoints.values() if c.label == "write greet")
            assert first.branch == "main" and first.kind.value == "auto"
            assert first.files_changed == 1 and first.lines_added == 2

            # 2. Branch from it (f6 focuses the browser, b asks for the name).
            await pilot.press("f6")
            await cursor_to(pilot, browser, first.id)
            await pilot.press("b")
            await wait_for(pilot, lambda: isinstance(app.screen, AskText), what="the name question")
            await pilot.press("enter")  # the suggested name
            await wait_for(pilot, lambda: browser.current_branch == "try-2", what="the new branch")

            # 3. The scripted model changes something else on the new branch.
            await run_turn(pilot, app, "change greet")
            assert (project / "greet.py").read_text() == SECOND
            await wait_for(
                pilot,
                lambda: any(c.label == "change greet" for c in browser.checkpoints.values()),
                what="the new branch's checkpoint",
            )
            second = next(c for c in browser.checkpoints.values() if c.label == "change greet")
            assert second.branch == "try-2"

            # 4. Compare the two branches: mark one, move to the other, c. Side by side at 160.
            await pilot.press("f6")
            await cursor_to(pilot, browser, first.id)
            await pilot.press("m")
            await cursor_to(pilot, browser, second.id)
            await pilot.press("c")
            pane = app.workbench.query_one(DiffPane)
            await wait_for(pilot, lambda: pane.is_open, what="the comparison")
            assert [f.path for f in pane.view.files] == ["greet.py"]
            await wait_for(pilot, lambda: pane.view.layout_mode == "split", what="side by side")
            assert pane.view.size.width >= 140
            await pilot.press("escape")
            await wait_for(pilot, lambda: not pane.is_open, what="the diff pane to close")

            # 5. Revert the new branch's code to the first checkpoint, after the preview.
            await cursor_to(pilot, browser, first.id)
            await pilot.press("r")
            await wait_for(pilot, lambda: isinstance(app.screen, RevertScreen), what="the revert")
            await pilot.press("c")  # code only
            screen = app.screen
            assert isinstance(screen, RevertScreen)
            await wait_for(
                pilot,
                lambda: screen.preview is not None and screen.preview.mode.value == "code",
                what="the preview",
            )
            assert [f.path for f in screen.preview.files] == ["greet.py"]  # type: ignore[union-attr]
            await pilot.press("y")
            await wait_for(
                pilot, lambda: (project / "greet.py").read_text() == FIRST, what="revert"
            )

            # 6. Undo the revert: the new branch's change is back.
            await pilot.press("u")
            await wait_for(pilot, lambda: (project / "greet.py").read_text() == SECOND, what="undo")
            checkpoints = await service.checkpoints(app.runtime.engine.session.id)  # type: ignore[union-attr]
            assert {"auto", "safety"} <= {c.kind.value for c in checkpoints}


async def test_a_file_over_the_size_cap_is_shown_as_left_out_of_the_checkpoint(
    project: Path,
) -> None:
    (project / "data.bin").write_bytes(b"\0" * (6 * 1024 * 1024))
    app = make_app(project, None)
    async with app.run_test(size=(160, 48)) as pilot:
        await wait_ready(pilot)
        checkpoint = await checkpoint_from_keys(pilot, "with data")

        # A notification names the file and why, once.
        await wait_for(
            pilot,
            lambda: any("left out 1 file" in message for message in notifications(app)),
            what="the left-out notification",
        )
        (notice,) = [m for m in notifications(app) if "left out" in m]
        assert checkpoint.id[:8] in notice
        assert "data.bin (over 5 MiB)" in notice

        # The browser's row counts it; the checkpoint's diff lists it with its reason.
        browser = app.workbench.query_one(CheckpointBrowser)
        row = browser.cursor_node
        assert row is not None and "⊘1" in str(row.label)
        await pilot.press("enter")
        pane = app.workbench.query_one(DiffPane)
        await wait_for(pilot, lambda: pane.is_open, what="the checkpoint's diff")
        header = str(pane.query_one("#diff-header", Static).render())
        assert "Left out of this checkpoint" in header
        assert "data.bin — over 5 MiB" in header
        assert [f.path for f in pane.view.files] == ["main.py"]

        # A second checkpoint leaves the same file out: the row says so, no new notification.
        await pilot.press("escape")
        await checkpoint_from_keys(pilot, "again")
        await pilot.pause(0.5)
        assert len([m for m in notifications(app) if "left out" in m]) == 1


async def test_a_long_snapshot_shows_how_far_it_got_in_the_browser_title(
    project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """One notification says a long snapshot started; its progress then shows in the
    browser's title (not as a toast a second) and is gone once the checkpoint is made."""
    monkeypatch.setattr("penguin_tui.checkpoints.shadow.ANNOUNCE_FILES", 100)
    monkeypatch.setattr("penguin_tui.checkpoints.shadow.PROGRESS_EVERY_S", 0.0)
    for index in range(400):
        (project / "data").mkdir(exist_ok=True)
        (project / "data" / f"row{index}.txt").write_text(f"row {index}\n")
    app = make_app(project, None)
    titles: list[str] = []
    async with app.run_test(size=(160, 48)) as pilot:
        await wait_ready(pilot)
        browser = app.workbench.query_one(CheckpointBrowser)

        def recording(text: str | None) -> None:
            titles.append(str(browser.border_title))

        browser.watch(browser, "progress", recording, init=False)
        await checkpoint_from_keys(pilot, "big one")
        started = [text for text in notifications(app) if text.startswith("snapshotting")]
        assert started == ["snapshotting 401 files"]  # once, not once per step
        assert any(" of 401 files…" in title for title in titles)
        assert "snapshotting" not in str(browser.border_title)


async def test_a_merge_with_conflicts_shows_them_and_undoes_from_the_keyboard(
    project: Path,
) -> None:
    """M shows what merging the branch under the cursor would do (the conflict foreseen)
    and y merges it; a conflict is never resolved for the user: the file keeps git's markers
    and the diff viewer opens on the merge with the conflicted file first and named; u
    undoes the merge."""
    app = make_app(project, None)
    async with app.run_test(size=(160, 48)) as pilot:
        await wait_ready(pilot)
        browser = app.workbench.query_one(CheckpointBrowser)
        notes = project / "notes.txt"
        notes.write_text("one\ntwo\nthree\n")
        base = await checkpoint_from_keys(pilot, "base")

        await pilot.press("f6")
        await cursor_to(pilot, browser, base.id)
        await pilot.press("b")
        await wait_for(pilot, lambda: isinstance(app.screen, AskText), what="the name question")
        await pilot.press("enter")
        await wait_for(pilot, lambda: browser.current_branch == "try-2", what="the new branch")
        notes.write_text("one\ntheirs\nthree\n")
        theirs = await checkpoint_from_keys(pilot, "theirs")

        await pilot.press("f6")
        await cursor_to(pilot, browser, base.id)
        await pilot.press("s")
        await wait_for(pilot, lambda: browser.current_branch == "main", what="back on main")
        assert notes.read_text() == "one\ntwo\nthree\n"
        notes.write_text("one\nours\nthree\n")
        await checkpoint_from_keys(pilot, "ours")

        await pilot.press("f6")
        await cursor_to(pilot, browser, theirs.id)
        await pilot.press("M")
        await wait_for(pilot, lambda: isinstance(app.screen, MergeScreen), what="the question")
        question = app.screen
        assert isinstance(question, MergeScreen)
        await wait_for(pilot, lambda: question.preview is not None, what="the preview")
        assert question.preview is not None and question.preview.conflicts == ("notes.txt",)
        assert notes.read_text() == "one\nours\nthree\n"  # nothing merged before y
        await pilot.press("y")
        pane = app.workbench.query_one(DiffPane)
        await wait_for(pilot, lambda: pane.is_open, what="the merge's diff")
        assert "<<<<<<< main" in notes.read_text() and ">>>>>>> try-2" in notes.read_text()
        assert pane.view.files[0].path == "notes.txt"
        header = " ".join(str(widget.render()) for widget in pane.query(Static))
        assert "1 conflict to resolve: notes.txt" in header
        assert any("1 conflict to resolve" in text for text in notifications(app))

        await pilot.press("escape")
        await wait_for(pilot, lambda: not pane.is_open, what="the diff pane to close")
        await pilot.press("u")
        await wait_for(
            pilot, lambda: notes.read_text() == "one\nours\nthree\n", what="the merge undone"
        )


async def test_a_second_instance_browses_read_only_and_says_so(project: Path) -> None:
    """With another penguin-tui holding the project, the browser still lists its checkpoints
    but says read-only, and a revert is refused with one notification, touching nothing."""
    from penguin_tui.checkpoints.locks import InstanceLock
    from penguin_tui.config.paths import data_paths

    app = make_app(project, None)
    async with app.run_test(size=(120, 36)) as pilot:
        await wait_ready(pilot)
        mine = await checkpoint_from_keys(pilot, "mine")
    (project / "main.py").write_text("print('changed since')\n")
    (path,) = data_paths().shadow_repos.glob("*.instance.lock")
    holder = InstanceLock(path)
    holder.acquire()
    try:
        second = make_app(project, None)
        async with second.run_test(size=(120, 36)) as pilot:
            await wait_ready(pilot)
            browser = second.workbench.query_one(CheckpointBrowser)
            await wait_for(pilot, lambda: mine.id in browser.checkpoints, what="the listing")
            assert str(browser.border_subtitle).startswith("read-only")
            await pilot.press("f6")
            await cursor_to(pilot, browser, mine.id)
            await pilot.press("r")
            await wait_for(
                pilot,
                lambda: any("read-only" in text for text in notifications(second)),
                what="the refusal",
            )
            assert not isinstance(second.screen, RevertScreen)
        assert (project / "main.py").read_text() == "print('changed since')\n"
    finally:
        holder.release()


async def test_a_store_over_its_quota_is_said_once_and_stays_in_the_subtitle(
    project: Path, penguin_home: Path
) -> None:
    config = penguin_home / "config.toml"
    config.write_text(config.read_text() + "\n[checkpoints]\nquota_mb = 0.001\n")
    app = make_app(project, None)
    async with app.run_test(size=(120, 36)) as pilot:
        await wait_ready(pilot)
        browser = app.workbench.query_one(CheckpointBrowser)
        await checkpoint_from_keys(pilot, "one")
        (project / "main.py").write_text("print('two')\n")
        await checkpoint_from_keys(pilot, "two")
        await wait_for(
            pilot, lambda: "over quota" in str(browser.border_subtitle), what="the subtitle"
        )
        warned = [text for text in notifications(app) if "over its quota" in text]
        assert len(warned) == 1


async def test_a_snapshot_that_fails_leaves_no_progress_in_the_browser_title(
    project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A long snapshot that reported how far it got and then failed: the error is said, and
    the title does not keep saying "snapshotting…" as if it were still running."""
    monkeypatch.setattr("penguin_tui.app.widgets.checkpoints.PROGRESS_STALE_S", 0.5)

    def failing(self: ShadowRepo, progress: Callable[[str], None] | None = None) -> None:
        if progress is not None:
            progress("snapshotting 5,000 files")
        raise CheckpointError("no space left on the device")

    app = make_app(project, None)
    async with app.run_test(size=(160, 48)) as pilot:
        await wait_ready(pilot)
        browser = app.workbench.query_one(CheckpointBrowser)
        monkeypatch.setattr(ShadowRepo, "snapshot", failing)
        await pilot.press("f6", "a")
        await wait_for(pilot, lambda: isinstance(app.screen, AskText), what="the label question")
        await type_text(pilot, "doomed")
        await pilot.press("enter")
        await wait_for(
            pilot,
            lambda: any("no space left" in text for text in notifications(app)),
            what="the error",
        )
        await wait_for(
            pilot, lambda: "snapshotting" not in str(browser.border_title), what="a clean title"
        )
        assert browser.progress is None


async def test_the_revert_question_has_keys_for_the_tasks_and_for_all_three(
    project: Path,
) -> None:
    """t reverts the task plan alone (the files stay); a shows all three parts in the preview."""
    app = make_app(project, None)
    async with app.run_test(size=(160, 48)) as pilot:
        await wait_ready(pilot)
        assert app.runtime is not None and app.runtime.tasks is not None
        tasks = app.runtime.tasks
        await tasks.add("Write the parser")
        first = await checkpoint_from_keys(pilot, "one task")
        await tasks.reload()
        await tasks.add("Test it")
        (project / "new.py").write_text("x = 1\n", encoding="utf-8")
        browser = app.workbench.query_one(CheckpointBrowser)
        await pilot.press("f6")
        await cursor_to(pilot, browser, first.id)
        await pilot.press("r")
        await wait_for(pilot, lambda: isinstance(app.screen, RevertScreen), what="the revert")
        screen = app.screen
        assert isinstance(screen, RevertScreen)
        await pilot.press("a")
        await wait_for(
            pilot,
            lambda: screen.preview is not None and screen.preview.mode.value == "all",
            what="the preview of all three",
        )
        await pilot.press("t")
        await wait_for(
            pilot,
            lambda: screen.preview is not None and screen.preview.mode.value == "tasks",
            what="the preview of the tasks",
        )
        assert [d.task_id for d in screen.preview.tasks] == ["T2"]  # type: ignore[union-attr]
        await pilot.press("y")
        for _ in range(200):
            await tasks.reload()
            if list(tasks.tasks) == ["T1"]:
                break
            await pilot.pause(0.05)
        else:
            raise AssertionError(f"the tasks were not reverted: {list(tasks.tasks)}")
        assert (project / "new.py").exists()
