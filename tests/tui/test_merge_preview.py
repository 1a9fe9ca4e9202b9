"""Merging in the workbench asks first, like a revert: M (and P after choosing files) shows
the files that would change and the conflicts foreseen; y merges, esc leaves everything as
it was, and a merge with nothing to take says so and records nothing."""

from __future__ import annotations

from pathlib import Path

from textual.pilot import Pilot
from textual.widgets import SelectionList, Static

from penguin_tui.app.app import PenguinApp
from penguin_tui.app.screens.merge import MergeScreen
from penguin_tui.app.screens.pick_files import PickFiles
from penguin_tui.app.widgets.checkpoints import CheckpointBrowser
from penguin_tui.checkpoints.model import CheckpointKind
from tests.tui.helpers import make_app, notifications, wait_for, wait_ready


async def two_branches(app: PenguinApp, project: Path, theirs: str) -> str:
    """``try-2`` forks from ``base`` and changes notes.txt to ``theirs`` and adds extra.txt;
    back on main. Returns the session's id."""
    assert app.runtime is not None and app.runtime.checkpoints is not None
    assert app.runtime.engine.session is not None
    service = app.runtime.checkpoints
    session = app.runtime.engine.session.id
    (project / "notes.txt").write_text("one\ntwo\nthree\n")
    base = await service.create(session, CheckpointKind.MANUAL, "base")
    await service.branch_from(session, base.id, "try-2")
    (project / "notes.txt").write_text(theirs)
    (project / "extra.txt").write_text("extra\n")
    await service.create(session, CheckpointKind.MANUAL, "theirs")
    await service.switch(session, "main")
    return session


async def to_branch_row(app: PenguinApp, pilot: Pilot[int], name: str) -> None:
    """Focus the browser, once it shows every checkpoint, and put its cursor on the row of
    branch ``name``."""
    assert app.runtime is not None and app.runtime.checkpoints is not None
    assert app.runtime.engine.session is not None
    expected = {
        c.id for c in await app.runtime.checkpoints.checkpoints(app.runtime.engine.session.id)
    }
    browser = app.workbench.query_one(CheckpointBrowser)
    await wait_for(pilot, lambda: set(browser.checkpoints) == expected, what="the browser")
    await pilot.pause(0.2)  # the cursor follows the position after a redraw
    browser.focus()
    row = next(node for node in browser.root.children if node.data and node.data.branch == name)
    browser.move_cursor(row)
    await pilot.pause()
    assert browser.selected is not None and browser.selected.branch == name


async def question(pilot: Pilot[int], app: PenguinApp) -> MergeScreen:
    await wait_for(pilot, lambda: isinstance(app.screen, MergeScreen), what="the question")
    screen = app.screen
    assert isinstance(screen, MergeScreen)
    await wait_for(pilot, lambda: screen.preview is not None, what="the preview")
    return screen


def shown(screen: MergeScreen) -> str:
    return str(screen.query_one("#merge-preview", Static).render())


async def test_merge_shows_what_would_change_and_esc_changes_nothing(project: Path) -> None:
    app = make_app(project, None)
    async with app.run_test(size=(120, 36)) as pilot:
        await wait_ready(pilot)
        session = await two_branches(app, project, "one\ntheirs\nthree\n")
        assert app.runtime is not None and app.runtime.checkpoints is not None
        rows_before = await app.runtime.checkpoints.checkpoints(session)
        await to_branch_row(app, pilot, "try-2")

        await pilot.press("M")
        screen = await question(pilot, app)
        text = shown(screen)
        assert "2 files change:" in text
        assert "notes.txt  +1 −1" in text and "extra.txt  +1 −0" in text
        assert "No conflict foreseen" in text
        await pilot.press("escape")
        await wait_for(pilot, lambda: not isinstance(app.screen, MergeScreen), what="closed")

        assert (project / "notes.txt").read_text() == "one\ntwo\nthree\n"
        assert not (project / "extra.txt").exists()
        assert await app.runtime.checkpoints.checkpoints(session) == rows_before

        await pilot.press("M")
        await question(pilot, app)
        await pilot.press("y")
        await wait_for(pilot, lambda: (project / "extra.txt").exists(), what="the merged files")
        assert (project / "notes.txt").read_text() == "one\ntheirs\nthree\n"


async def test_picking_files_asks_with_the_preview_of_those_files(project: Path) -> None:
    app = make_app(project, None)
    async with app.run_test(size=(120, 36)) as pilot:
        await wait_ready(pilot)
        session = await two_branches(app, project, "one\ntheirs\nthree\n")
        await to_branch_row(app, pilot, "try-2")

        await pilot.press("P")
        await wait_for(pilot, lambda: isinstance(app.screen, PickFiles), what="the file list")
        choices = app.screen.query_one(SelectionList)
        extra = next(
            index
            for index in range(choices.option_count)
            if choices.get_option_at_index(index).value == "extra.txt"
        )
        choices.highlighted = extra
        await pilot.press("space", "enter")
        screen = await question(pilot, app)
        assert str(screen.query_one("#merge-title").render()).startswith(
            "Take 1 file from try-2 into main"
        )
        assert "1 file change:" in shown(screen) and "notes.txt" not in shown(screen)
        await pilot.press("y")
        await wait_for(pilot, lambda: (project / "extra.txt").exists(), what="the file taken")
        assert (project / "notes.txt").read_text() == "one\ntwo\nthree\n"
        assert app.runtime is not None and app.runtime.checkpoints is not None
        labels = [c.label for c in await app.runtime.checkpoints.checkpoints(session)]
        assert "files from try-2" in labels
        assert "before merging try-2" not in labels


async def test_a_merge_with_nothing_to_take_says_so_and_adds_no_row(project: Path) -> None:
    app = make_app(project, None)
    async with app.run_test(size=(120, 36)) as pilot:
        await wait_ready(pilot)
        session = await two_branches(app, project, "one\ntwo\nthree\n")
        (project / "extra.txt").write_text("extra\n")  # main already has try-2's change
        assert app.runtime is not None and app.runtime.checkpoints is not None
        await app.runtime.checkpoints.create(session, CheckpointKind.MANUAL, "same")
        rows_before = await app.runtime.checkpoints.checkpoints(session)
        await to_branch_row(app, pilot, "try-2")

        await pilot.press("M")
        screen = await question(pilot, app)
        assert "Nothing to merge: main already has every change of try-2" in shown(screen)
        await pilot.press("y")
        await wait_for(pilot, lambda: not isinstance(app.screen, MergeScreen), what="closed")
        await pilot.pause(0.3)
        assert await app.runtime.checkpoints.checkpoints(session) == rows_before
        assert not any(text.startswith("merged") for text in notifications(app))


async def test_a_merge_whose_files_changed_since_the_preview_is_not_made(project: Path) -> None:
    """Between the preview and y a file changes (the watcher, a running turn): what the user
    confirmed is not what would be applied, so nothing is merged and the user looks again."""
    app = make_app(project, None)
    async with app.run_test(size=(120, 36)) as pilot:
        await wait_ready(pilot)
        session = await two_branches(app, project, "one\ntheirs\nthree\n")
        assert app.runtime is not None and app.runtime.checkpoints is not None
        rows_before = await app.runtime.checkpoints.checkpoints(session)
        await to_branch_row(app, pilot, "try-2")

        await pilot.press("M")
        await question(pilot, app)
        (project / "main.py").write_text("print('edited while the question was open')\n")
        await pilot.press("y")
        await wait_for(
            pilot,
            lambda: (
                "merge: the branches changed since the preview; look again" in notifications(app)
            ),
            what="the refusal",
        )
        assert not (project / "extra.txt").exists()
        assert (project / "notes.txt").read_text() == "one\ntwo\nthree\n"
        assert await app.runtime.checkpoints.checkpoints(session) == rows_before

        await pilot.press("M")  # looking again shows the files as they are, and merges them
        await question(pilot, app)
        await pilot.press("y")
        await wait_for(pilot, lambda: (project / "extra.txt").exists(), what="the merged files")
        assert "edited while" in (project / "main.py").read_text()
