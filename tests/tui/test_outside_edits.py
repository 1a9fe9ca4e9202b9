"""Edits made outside penguin-tui: the browser counts them and f7 shows them, but the files
penguin-tui itself writes back in a revert or an undo are never counted as the user's."""

from __future__ import annotations

import shutil
from collections.abc import Collection
from pathlib import Path

import pytest

from penguin_tui.app.launch import make_demo_project
from penguin_tui.app.screens.revert import RevertScreen
from penguin_tui.app.widgets.checkpoints import CheckpointBrowser
from penguin_tui.app.widgets.diff_pane import DiffPane
from penguin_tui.checkpoints.service import CheckpointService
from penguin_tui.config.paths import data_paths
from penguin_tui.testing import ServerThread
from tests.tui.helpers import checkpoint_from_keys, cursor_to, make_app, wait_for, wait_ready


async def test_outside_edits_are_counted_but_a_revert_and_its_undo_are_not(
    server: ServerThread, project: Path
) -> None:
    (project / "a.py").write_text("one = 1\n")
    (project / "sub").mkdir()
    (project / "sub" / "b.py").write_text("two = 2\n")
    app = make_app(project, server.base_url)
    watch = app.project_watch
    async with app.run_test(size=(160, 48)) as pilot:
        await wait_ready(pilot)
        browser = app.workbench.query_one(CheckpointBrowser)
        pane = app.workbench.query_one(DiffPane)
        start = await checkpoint_from_keys(pilot, "start")

        # An edit in another editor: counted in the browser's title, shown by f7.
        (project / "a.py").write_text("one = 'edited elsewhere'\n")
        await wait_for(pilot, lambda: watch.outside_changes == {"a.py"}, what="the outside edit")
        assert "1 changed outside (f7)" in str(browser.border_title)
        await pilot.press("f7")
        await wait_for(pilot, lambda: pane.is_open, what="the changes")
        assert [f.path for f in pane.view.files] == ["a.py"]
        await pilot.press("escape")
        await wait_for(pilot, lambda: not pane.is_open, what="the diff pane to close")

        # Revert the code to the checkpoint: penguin-tui writes a.py back, through a
        # temporary file; neither is an edit made outside.
        await cursor_to(pilot, browser, start.id)
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
        await pilot.press("y")
        await wait_for(
            pilot, lambda: (project / "a.py").read_text() == "one = 1\n", what="the revert"
        )
        # The watcher reports in order: once a later edit is counted, the revert's own
        # events have been seen too.
        (project / "later.txt").write_text("a later edit\n")
        await wait_for(pilot, lambda: "later.txt" in watch.outside_changes, what="the later edit")
        await pilot.pause(0.5)
        assert watch.outside_changes == {"later.txt"}
        assert "1 changed outside (f7)" in str(browser.border_title)

        # Undo the revert: the edit is back in a.py, as the checkpoint before the revert
        # saved it, and later.txt (not in that checkpoint) goes; still nothing counted.
        await pilot.press("u")
        await wait_for(
            pilot,
            lambda: "edited elsewhere" in (project / "a.py").read_text(),
            what="the undo",
        )
        assert not (project / "later.txt").exists()
        (project / "sub" / "again.txt").write_text("another edit\n")
        await wait_for(pilot, lambda: "sub/again.txt" in watch.outside_changes, what="another edit")
        await pilot.pause(0.5)
        assert watch.outside_changes == {"sub/again.txt"}
        assert not any("penguin-restore" in path for path in watch.watched_paths)


async def test_a_watcher_batch_looks_again_only_at_its_own_paths(
    server: ServerThread, project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Files already counted are not read again at every later save; a new position asks
    about all of them again, and a folder removed whole takes its files out of the count."""
    asked: list[set[str]] = []
    real = CheckpointService.edited_files

    async def recording(service: CheckpointService, tree: str, paths: Collection[str]) -> set[str]:
        asked.append(set(paths))
        return await real(service, tree, paths)

    monkeypatch.setattr(CheckpointService, "edited_files", recording)
    (project / "a.py").write_text("a = 1\n")
    app = make_app(project, server.base_url)
    watch = app.project_watch
    async with app.run_test(size=(160, 48)) as pilot:
        await wait_ready(pilot)
        await checkpoint_from_keys(pilot, "start")
        (project / "a.py").write_text("a = 2\n")
        await wait_for(pilot, lambda: watch.outside_changes == {"a.py"}, what="a.py counted")
        asked.clear()

        (project / "new").mkdir()
        (project / "new" / "b.py").write_text("b = 1\n")
        await wait_for(
            pilot, lambda: watch.outside_changes == {"a.py", "new/b.py"}, what="new/b.py counted"
        )
        assert asked and all("a.py" not in paths for paths in asked)  # not read again

        shutil.rmtree(project / "new")
        await wait_for(pilot, lambda: watch.outside_changes == {"a.py"}, what="the folder gone")

        asked.clear()
        await checkpoint_from_keys(pilot, "takes a.py in")
        await wait_for(pilot, lambda: not watch.outside_changes, what="nothing left outside")
        assert any("a.py" in paths for paths in asked)  # a new position: asked again


async def test_edits_in_the_demo_project_are_counted(server: ServerThread) -> None:
    """The demo's project lives under the data folder: the watcher skips penguin-tui's own
    files there, not the project."""
    project = make_demo_project(data_paths().demo_projects)
    app = make_app(project, server.base_url)
    watch = app.project_watch
    async with app.run_test(size=(160, 48)) as pilot:
        await wait_ready(pilot)
        browser = app.workbench.query_one(CheckpointBrowser)
        await checkpoint_from_keys(pilot, "start")
        (project / "hello.py").write_text("print('edited in another editor')\n")
        await wait_for(pilot, lambda: watch.outside_changes == {"hello.py"}, what="the edit")
        assert "1 changed outside (f7)" in str(browser.border_title)
