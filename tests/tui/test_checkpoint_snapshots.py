"""How the checkpoint browser and the revert question look, in both themes."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from rich.text import Text
from textual.app import App, ComposeResult
from textual.color import Color

from penguin_tui.app.screens.merge import MergeScreen
from penguin_tui.app.screens.revert import RevertScreen
from penguin_tui.app.themes import builtin_theme_dir, load_themes
from penguin_tui.app.widgets.checkpoint_rows import fork_points
from penguin_tui.app.widgets.checkpoints import CheckpointBrowser
from penguin_tui.checkpoints.model import Branch, Checkpoint, CheckpointKind, RevertMode
from penguin_tui.checkpoints.service import MergePreview, RevertPreview
from penguin_tui.checkpoints.shadow import FileStat
from penguin_tui.store import Message, MessageStatus, Role, UsageTotals

NOW = 1_800_000_000.0


def checkpoint(
    checkpoint_id: str,
    branch: str,
    parent: str | None,
    kind: CheckpointKind,
    label: str,
    ago: float,
    files: tuple[int, int, int],
    tokens: int,
    cost: float | None,
) -> Checkpoint:
    return Checkpoint(
        id=checkpoint_id,
        session_id="s1",
        branch=branch,
        parent_id=parent,
        message_id=None,
        kind=kind,
        label=label,
        tree="0" * 40,
        tasks="[]",
        usage=UsageTotals(1, tokens, 0, cost, 0),
        files_changed=files[0],
        lines_added=files[1],
        lines_removed=files[2],
        skipped=(),
        snapshot_ms=12.0,
        created_at=NOW - ago,
    )


CHECKPOINTS = [
    checkpoint(
        "a1b2c3d4e5f6",
        "main",
        None,
        CheckpointKind.AUTO,
        "before the first turn",
        3 * 3600,
        (3, 40, 0),
        0,
        None,
    ),
    checkpoint(
        "b2c3d4e5f6a1",
        "main",
        "a1b2c3d4e5f6",
        CheckpointKind.AUTO,
        "add a stats module",
        2 * 3600,
        (2, 15, 1),
        4200,
        0.0063,
    ),
    checkpoint(
        "c3d4e5f6a1b2",
        "main",
        "b2c3d4e5f6a1",
        CheckpointKind.SAFETY,
        "before branching try-2",
        1800,
        (0, 0, 0),
        4200,
        0.0063,
    ),
    checkpoint(
        "d4e5f6a1b2c3",
        "try-2",
        "b2c3d4e5f6a1",
        CheckpointKind.AUTO,
        "add median",
        600,
        (1, 9, 0),
        7400,
        0.0111,
    ),
    checkpoint(
        "e5f6a1b2c3d4",
        "try-2",
        "d4e5f6a1b2c3",
        CheckpointKind.MANUAL,
        "median works",
        60,
        (0, 0, 0),
        7400,
        0.0111,
    ),
]
BRANCHES = [
    Branch("main", None, "c3d4e5f6a1b2", current=False),
    Branch("try-2", None, "e5f6a1b2c3d4", current=True),
]


class BrowserApp(App[None]):
    """Only the browser, filled with fixed checkpoints at a fixed time."""

    def __init__(self, theme: str) -> None:
        super().__init__()
        for found in load_themes([builtin_theme_dir()])[0]:
            self.register_theme(found)
        self.theme = theme

    def compose(self) -> ComposeResult:
        yield CheckpointBrowser(id="checkpoints")

    def on_mount(self) -> None:
        browser = self.query_one(CheckpointBrowser)
        browser.marked = "b2c3d4e5f6a1"
        browser.show_data(CHECKPOINTS, BRANCHES, follow=True)
        browser.focus()


@pytest.mark.parametrize("theme", ["penguin-dark", "penguin-light"])
def test_checkpoint_browser(
    snap_compare: Callable[..., bool], theme: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Two branches: main (3 checkpoints: auto, auto marked ◆, safety ◌ which is main's
    position ○) and try-2 (current, underlined; an auto one, then the manual ★ "median works",
    the current position ● under the cursor — the only ●). Each row: id, age (3h, 2h, 30m,
    10m, 1m), files, +/−, the tokens and dollars of that step (none for the first and the
    safety one), the label. try-2's title says it forked from main b2c3d4e5, and that row
    says "⎇ try-2"."""
    monkeypatch.setattr("penguin_tui.app.widgets.checkpoints.time.time", lambda: NOW)
    assert snap_compare(BrowserApp(theme), terminal_size=(72, 12))


@pytest.mark.parametrize("theme", ["penguin-dark", "penguin-light"])
def test_checkpoint_browser_in_a_narrow_pane(
    snap_compare: Callable[..., bool], theme: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The same browser 40 columns wide: each row too long for the pane ends in "…" at its
    edge (the labels, "⎇ try-2", try-2's "from main…"), and no sideways scrollbar at the
    foot."""
    monkeypatch.setattr("penguin_tui.app.widgets.checkpoints.time.time", lambda: NOW)
    assert snap_compare(BrowserApp(theme), terminal_size=(40, 12))


class RevertApp(App[None]):
    """The revert question over an empty screen, with a fixed preview."""

    def __init__(self, theme: str) -> None:
        super().__init__()
        for found in load_themes([builtin_theme_dir()])[0]:
            self.register_theme(found)
        self.theme = theme

    def on_mount(self) -> None:
        target = CHECKPOINTS[1]

        async def load(mode: RevertMode) -> RevertPreview:
            leaving = (
                Message(
                    "m1",
                    "s1",
                    None,
                    Role.USER,
                    "add median too",
                    "",
                    MessageStatus.COMPLETE,
                    None,
                    NOW,
                ),
                Message(
                    "m2",
                    "s1",
                    "m1",
                    Role.ASSISTANT,
                    "Added `median` to stats.py.",
                    "",
                    MessageStatus.COMPLETE,
                    "m",
                    NOW,
                ),
            )
            files = (FileStat("stats.py", 0, 9), FileStat("logo.png", None, None))
            return RevertPreview(target, mode, files, leaving)

        self.push_screen(RevertScreen("Revert to b2c3d4e5 (main) 'add a stats module'", load))


@pytest.mark.parametrize("theme", ["penguin-dark", "penguin-light"])
def test_revert_question(snap_compare: Callable[..., bool], theme: str) -> None:
    """The three kinds with "both" chosen; the preview: 2 files change (stats.py +0 −9,
    logo.png binary) and 2 messages leave the branch (user: add median too; assistant: Added
    `median`…); the keys at the bottom."""
    assert snap_compare(RevertApp(theme), terminal_size=(80, 24))


class MergeApp(App[None]):
    """The merge question over an empty screen, with a fixed preview."""

    def __init__(self, theme: str) -> None:
        super().__init__()
        for found in load_themes([builtin_theme_dir()])[0]:
            self.register_theme(found)
        self.theme = theme

    def on_mount(self) -> None:
        async def load() -> MergePreview:
            files = (
                FileStat("stats.py", 9, 1),
                FileStat("README.md", 3, 0),
                FileStat("logo.png", None, None),
            )
            trees = ("1" * 40, "2" * 40)  # the files it was worked out from, and merged
            return MergePreview("try-2", "main", CHECKPOINTS[-1], files, ("stats.py",), *trees)

        self.push_screen(MergeScreen("Merge try-2 into main", load))


@pytest.mark.parametrize("theme", ["penguin-dark", "penguin-light"])
def test_merge_question(snap_compare: Callable[..., bool], theme: str) -> None:
    """The question "Merge try-2 into main"; the preview: 3 files change (stats.py +9 −1 marked
    "conflict", README.md +3 −0, logo.png binary), then "1 conflict foreseen: stats.py will
    get git's <<<<<<< markers…"; the keys at the bottom (y merge · esc cancel)."""
    assert snap_compare(MergeApp(theme), terminal_size=(80, 24))


def added_colour(browser: CheckpointBrowser) -> str:
    """The colour of the "+N" count on the first row that has one."""
    for branch in browser.root.children:
        for leaf in branch.children:
            label = leaf.label
            assert isinstance(label, Text)
            for span in label.spans:
                if label.plain[span.start : span.end].startswith("+"):
                    return str(span.style)
    raise AssertionError("no row shows a +N count")


async def test_the_browsers_line_counts_follow_the_theme() -> None:
    app = BrowserApp("penguin-dark")
    async with app.run_test(size=(72, 12)) as pilot:
        browser = app.query_one(CheckpointBrowser)
        dark = added_colour(browser)
        assert dark == Color.parse(app.theme_variables["text-success"]).hex6
        app.theme = "penguin-light"
        await pilot.pause()
        light = added_colour(browser)
        assert light == Color.parse(app.theme_variables["text-success"]).hex6
        assert light != dark


def test_a_branch_shows_where_it_forked_even_before_its_own_first_checkpoint() -> None:
    fresh = Branch("try-3", None, "d4e5f6a1b2c3", current=False)  # branched, nothing run yet
    forks = fork_points(CHECKPOINTS, [*BRANCHES, fresh])
    assert "main" not in forks
    assert forks["try-2"].id == "b2c3d4e5f6a1"
    assert forks["try-3"].id == "d4e5f6a1b2c3"  # forked from try-2, not from main


async def test_a_folded_branch_stays_folded_when_the_browser_is_redrawn() -> None:
    app = BrowserApp("penguin-dark")
    async with app.run_test(size=(72, 12)) as pilot:
        browser = app.query_one(CheckpointBrowser)
        await pilot.pause()
        assert browser.selected_checkpoint is not None  # on try-2's position
        main = browser.root.children[0]
        main.collapse()
        await pilot.pause()
        browser.show_data(CHECKPOINTS, BRANCHES)  # a turn ended, a revert ran…
        await pilot.pause()
        main, try_2 = browser.root.children
        assert not main.is_expanded and try_2.is_expanded
        assert browser.selected_checkpoint == CHECKPOINTS[-1]  # the cursor did not move

        try_2.collapse()
        await pilot.pause()
        browser.show_data(CHECKPOINTS, BRANCHES, follow=True)
        await pilot.pause()
        assert not browser.root.children[1].is_expanded
        assert browser.cursor_node is browser.root.children[1]  # the position's branch row
        browser.show_data(CHECKPOINTS, BRANCHES)
        await pilot.pause()
        assert browser.cursor_node is browser.root.children[1]  # a branch row stays selected
