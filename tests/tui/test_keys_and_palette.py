"""Every key of the checkpoint browser and the diff viewer has an id (so it can be remapped),
is listed by F1, and can be reached from the command palette (ctrl+p)."""

from __future__ import annotations

import io
from pathlib import Path

from rich.console import Console
from textual.binding import Binding
from textual.pilot import Pilot
from textual.widgets import KeyPanel
from textual.widgets._key_panel import BindingsTable

from penguin_tui.app.app import PenguinApp
from penguin_tui.app.commands import WORKBENCH_COMMANDS, workbench_commands
from penguin_tui.app.controllers.diff_viewer import NOT_OPEN
from penguin_tui.app.keymap import KEY_NAME
from penguin_tui.app.screens.approval import ApprovalScreen
from penguin_tui.app.widgets.checkpoints import CheckpointBrowser
from penguin_tui.app.widgets.diff_body import DiffBody
from penguin_tui.app.widgets.diff_pane import DiffPane
from penguin_tui.app.widgets.diff_view import DiffFileList, DiffView
from penguin_tui.app.widgets.key_hints import KeyHints
from penguin_tui.testing import ServerThread
from tests.tui.helpers import (
    checkpoint_from_keys,
    make_app,
    notifications,
    screen_text,
    type_text,
    wait_for,
    wait_ready,
)

PANES: tuple[type[CheckpointBrowser | DiffPane | DiffView | DiffFileList], ...] = (
    CheckpointBrowser,
    DiffPane,
    DiffView,
    DiffFileList,
)
PALETTE = {binding_id: command for command in WORKBENCH_COMMANDS for binding_id in command.bindings}


def own_bindings(pane: type[object]) -> list[Binding]:
    return [b for b in getattr(pane, "BINDINGS", []) if isinstance(b, Binding)]


def help_lines(app: PenguinApp) -> list[str]:
    """The rows of the F1 panel, as text."""
    table = app.screen.query_one(KeyPanel).query_one(BindingsTable).render_bindings_table()
    console = Console(width=200, file=io.StringIO(), record=True)
    console.print(table)
    return console.export_text().splitlines()


def assert_in_help(app: PenguinApp, pane: type[object]) -> None:
    lines = help_lines(app)
    for binding in own_bindings(pane):
        key = app.get_key_display(binding)
        rows = [line for line in lines if binding.description in line]
        assert any(key in row for row in rows), (binding.id, key, lines)


async def run_from_palette(pilot: Pilot[int], title: str) -> None:
    await pilot.press("ctrl+p")
    await type_text(pilot, title)
    await pilot.pause(0.5)
    await pilot.press("enter")
    await pilot.pause(0.1)


def test_every_browser_and_diff_key_has_an_id_and_a_palette_command() -> None:
    for pane in PANES:
        for binding in own_bindings(pane):
            assert binding.id, f"{pane.__name__}: {binding.key} has no id"
            if binding.id in CheckpointBrowser.CURSOR_MOVES:
                continue  # remappable and in F1; a palette entry has no cursor to move
            assert binding.id in PALETTE, f"{binding.id} is not in the command palette"
            action = PALETTE[binding.id].action
            assert callable(getattr(PenguinApp, f"action_{action}", None)), action


def test_the_palette_names_every_key_by_its_binding(project: Path) -> None:
    """No help text spells a default key: each names its keys by binding id, and every id
    is a binding of the workbench (a stale id would fail here, not when the palette opens)."""
    app = make_app(project, None)
    for command in WORKBENCH_COMMANDS:
        assert KEY_NAME.search(command.help), command.help
    shown = {command.title: command.help for command in workbench_commands(app)}
    assert shown["Compare checkpoints"] == (
        "Compare the marked checkpoint (m) with the selected one (c)"
    )
    assert shown["New session"] == "Start an empty conversation on this project (^n)"


async def test_the_palette_shows_a_key_remapped_in_the_config(
    server: ServerThread, project: Path, penguin_home: Path
) -> None:
    """[ui.keys] moves compare to x and mark to k: the palette's help says so, in the
    command's own help and where another command's help names the mark's key."""
    config = penguin_home / "config.toml"
    config.write_text(
        config.read_text() + '\n[ui.keys]\n"checkpoints.compare" = "x"\n"checkpoints.mark" = "k"\n'
    )
    app = make_app(project, server.base_url)
    async with app.run_test(size=(160, 48)) as pilot:
        await wait_ready(pilot)
        await pilot.press("ctrl+p")
        await type_text(pilot, "Compare checkpoints")
        await wait_for(
            pilot,
            lambda: (
                "Compare the marked checkpoint (k) with the selected one (x)" in screen_text(app)
            ),
            what="the remapped keys in the palette",
        )
        await pilot.press("escape")
        await pilot.press("ctrl+p")
        await type_text(pilot, "Mark checkpoint")
        await wait_for(
            pilot,
            lambda: "again: unmark (k)" in screen_text(app),
            what="the remapped mark key in the palette",
        )


async def test_f1_lists_every_key_of_the_browser_and_the_diff_viewer(
    server: ServerThread, project: Path
) -> None:
    (project / "a.py").write_text("a = 1\n")
    app = make_app(project, server.base_url)
    async with app.run_test(size=(160, 48)) as pilot:
        await wait_ready(pilot)
        await checkpoint_from_keys(pilot, "start")
        browser = app.workbench.query_one(CheckpointBrowser)
        await pilot.press("f6", "f1")
        await wait_for(pilot, lambda: bool(app.screen.query(KeyPanel)), what="the keys panel")
        assert app.focused is browser
        assert_in_help(app, CheckpointBrowser)

        (project / "a.py").write_text("a = 2\n")
        await pilot.press("f7")
        pane = app.workbench.query_one(DiffPane)
        await wait_for(pilot, lambda: isinstance(app.focused, DiffBody), what="the diff")
        assert_in_help(app, DiffPane)
        assert_in_help(app, DiffView)

        await run_from_palette(pilot, "Diff: file list")
        await wait_for(
            pilot, lambda: isinstance(app.focused, DiffFileList), what="the diff's file list"
        )
        assert pane.is_open
        assert_in_help(app, DiffFileList)


async def test_diff_and_browser_keys_run_from_the_command_palette(
    server: ServerThread, project: Path
) -> None:
    (project / "a.py").write_text("a = 1\n")
    (project / "b.py").write_text("b = 1\n")
    app = make_app(project, server.base_url)
    async with app.run_test(size=(160, 48)) as pilot:
        await wait_ready(pilot)
        start = await checkpoint_from_keys(pilot, "start")
        browser = app.workbench.query_one(CheckpointBrowser)
        pane = app.workbench.query_one(DiffPane)

        # Without an open diff, a diff command says how to open one.
        await pilot.press("f2")
        await run_from_palette(pilot, "Diff: next file")
        await wait_for(pilot, lambda: NOT_OPEN in notifications(app), what="the explanation")

        # Mark from the prompt: the palette focuses the browser and marks its checkpoint.
        await run_from_palette(pilot, "Mark checkpoint")
        await wait_for(pilot, lambda: browser.marked == start.id, what="the mark")
        assert app.focused is browser

        # Step through an open diff of two files, then close it, all from the palette.
        (project / "a.py").write_text("a = 2\n")
        (project / "b.py").write_text("b = 2\n")
        await pilot.press("f7")
        await wait_for(pilot, lambda: pane.is_open and len(pane.view.files) == 2, what="diff")
        assert pane.view.current_file == 0
        await run_from_palette(pilot, "Diff: next file")
        await wait_for(pilot, lambda: pane.view.current_file == 1, what="the second file")
        layout = pane.view.layout_mode
        await run_from_palette(pilot, "Diff: side by side or one column")
        await wait_for(pilot, lambda: pane.view.layout_mode != layout, what="the other layout")
        await run_from_palette(pilot, "Close diff")
        await wait_for(pilot, lambda: not pane.is_open, what="the diff to close")
        assert app.focused is browser


async def test_pagedown_scrolls_the_open_diff_not_the_chat_behind_it(
    server: ServerThread, project: Path
) -> None:
    (project / "long.py").write_text("".join(f"line_{i} = {i}\n" for i in range(300)))
    app = make_app(project, server.base_url)
    async with app.run_test(size=(160, 48)) as pilot:
        await wait_ready(pilot)
        await checkpoint_from_keys(pilot, "start")
        (project / "long.py").write_text("".join(f"line_{i} = {i + 1}\n" for i in range(300)))
        await pilot.press("f7")
        pane = app.workbench.query_one(DiffPane)
        await wait_for(pilot, lambda: isinstance(app.focused, DiffBody), what="the diff")
        body = app.focused
        assert isinstance(body, DiffBody) and body.scroll_y == 0
        await pilot.press("pagedown")
        await wait_for(pilot, lambda: body.scroll_y > 0, what="the diff to scroll")
        await pilot.press("pageup")
        await wait_for(pilot, lambda: body.scroll_y == 0, what="the diff to scroll back")
        assert pane.is_open


async def test_branches_fold_from_the_keyboard_and_the_tree_keys_can_be_remapped(
    server: ServerThread, project: Path
) -> None:
    (project / "a.py").write_text("a = 1\n")
    app = make_app(project, server.base_url)
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_ready(pilot)
        start = await checkpoint_from_keys(pilot, "start")
        browser = app.workbench.query_one(CheckpointBrowser)
        await pilot.press("f6")
        await wait_for(pilot, lambda: browser.selected_checkpoint == start, what="the cursor")
        main = browser.root.children[0]

        # space on a checkpoint folds its branch and leaves the cursor on the branch's row.
        await pilot.press("space")
        await wait_for(pilot, lambda: not main.is_expanded, what="the branch to fold")
        assert browser.cursor_node is main
        await pilot.press("space")
        await wait_for(pilot, lambda: main.is_expanded, what="the branch to unfold")
        await pilot.press("shift+space")
        await wait_for(pilot, lambda: not main.is_expanded, what="every branch to fold")

        # Remapped by id, as `[ui.keys]` in the config does.
        app.set_keymap({"checkpoints.fold": "z", "checkpoints.down": "j"})
        await pilot.press("z")
        await wait_for(pilot, lambda: main.is_expanded, what="z to unfold")
        await pilot.press("j")
        await wait_for(pilot, lambda: browser.selected_checkpoint == start, what="j to move down")
        await pilot.press("home")
        await wait_for(pilot, lambda: browser.cursor_node is main, what="home: the first row")
        await pilot.press("end")
        await wait_for(pilot, lambda: browser.selected_checkpoint == start, what="end: the last")


async def test_the_approval_question_lists_its_keys_as_remapped(
    server: ServerThread, project: Path, penguin_home: Path
) -> None:
    config = penguin_home / "config.toml"
    config.write_text(
        config.read_text() + '\n[ui.keys]\n"approval.allow_once" = "a"\n"approval.deny" = "x"\n'
    )
    app = make_app(project, server.base_url)
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_ready(pilot)
        await app.push_screen(ApprovalScreen("run_shell", "$ ls\n(in /tmp)", "mode ask"))
        await wait_for(pilot, lambda: isinstance(app.screen, ApprovalScreen))
        assert app.screen.query_one(KeyHints).hints() == [
            ("a", "Allow once"),
            ("s", "Always in this session"),
            ("p", "Always in this project"),
            ("x/esc", "Deny"),
            ("r", "Deny with a reason"),
        ]
