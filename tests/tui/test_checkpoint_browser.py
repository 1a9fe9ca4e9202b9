"""The checkpoint browser says where you are and lets you read every row: ● marks the current
position only (○ other branches' positions), a row too long for the pane ends in "…" and i
shows it in full, and nothing is left drawn at its foot after F1 or a resize."""

from __future__ import annotations

import io
from pathlib import Path

from rich.console import Console
from textual.pilot import Pilot

from penguin_tui.app.app import PenguinApp
from penguin_tui.app.screens.ask_text import AskText
from penguin_tui.app.widgets.checkpoints import CheckpointBrowser
from penguin_tui.checkpoints.model import CheckpointKind
from tests.tui.helpers import (
    checkpoint_from_keys,
    cursor_to,
    make_app,
    notifications,
    wait_for,
    wait_ready,
)

LONG = "rewrite the parser so that quoted strings with escaped quotes inside them survive"


def rows(browser: CheckpointBrowser) -> list[str]:
    """Every row of the browser as text (branch rows and checkpoint rows)."""
    found = []
    for branch in browser.root.children:
        found.append(str(branch.label))
        found += [str(leaf.label) for leaf in branch.children]
    return found


async def shown(pilot: Pilot[int], app: PenguinApp, current: str) -> CheckpointBrowser:
    """The browser, once it shows every checkpoint of the session with ``current`` as the
    current branch."""
    assert app.runtime is not None and app.runtime.checkpoints is not None
    assert app.runtime.engine.session is not None
    checkpoints = await app.runtime.checkpoints.checkpoints(app.runtime.engine.session.id)
    ids = {c.id for c in checkpoints}
    browser = app.workbench.query_one(CheckpointBrowser)
    await wait_for(
        pilot,
        lambda: set(browser.checkpoints) == ids and browser.current_branch == current,
        what="the browser's rows",
    )
    return browser


async def test_only_the_current_position_has_the_dot(project: Path) -> None:
    """Right after a branch the current branch has no row of its own: the dot is on the
    checkpoint it starts from. After switching, exactly one row has it; the branch left
    behind shows its position with ○."""
    app = make_app(project, None)
    async with app.run_test(size=(160, 48)) as pilot:
        await wait_ready(pilot)
        assert app.runtime is not None and app.runtime.checkpoints is not None
        assert app.runtime.engine.session is not None
        service, session = app.runtime.checkpoints, app.runtime.engine.session.id
        first = await service.create(session, CheckpointKind.MANUAL, "first")
        (project / "main.py").write_text("print('two')\n")
        await service.create(session, CheckpointKind.MANUAL, "second")

        await service.branch_from(session, first.id, "try-2")
        browser = await shown(pilot, app, "try-2")
        dotted = [row for row in rows(browser) if row.lstrip().startswith("●")]
        assert len(dotted) == 1 and first.id[:8] in dotted[0]

        (project / "main.py").write_text("print('three')\n")
        await service.create(session, CheckpointKind.MANUAL, "on try-2")
        await service.switch(session, "main")
        browser = await shown(pilot, app, "main")
        dotted = [row for row in rows(browser) if row.lstrip().startswith("●")]
        circled = [row for row in rows(browser) if row.lstrip().startswith("○")]
        position = await service.position(session)
        assert position is not None and position.label == "before branching try-2"
        assert len(dotted) == 1 and position.id[:8] in dotted[0]
        assert len(circled) == 1 and "before switching to main" in circled[0]


def screen_text(app: PenguinApp) -> list[str]:
    """The whole screen as the terminal shows it, one string per line."""
    console = Console(width=app.size.width, file=io.StringIO(), record=True, color_system=None)
    console.print(app.screen._compositor.render_update(full=True))
    return console.export_text().splitlines()


def browser_text(app: PenguinApp) -> list[str]:
    region = app.workbench.query_one(CheckpointBrowser).region
    lines = screen_text(app)[region.y : region.bottom]
    return [line[region.x : region.right] for line in lines]


async def test_long_rows_end_in_an_ellipsis_and_i_shows_them_in_full(project: Path) -> None:
    app = make_app(project, None)
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_ready(pilot)
        long_one = await checkpoint_from_keys(pilot, LONG)
        browser = app.workbench.query_one(CheckpointBrowser)
        assert app.focused is browser
        await wait_for(pilot, lambda: browser.selected_checkpoint == long_one, what="cursor")

        # The row is cut where the pane ends, and says so; it does not scroll sideways.
        assert any(line.rstrip(" │").endswith("…") for line in browser_text(app))
        assert browser.virtual_size.width <= browser.scrollable_content_region.width
        assert not browser.show_horizontal_scrollbar

        await pilot.press("i")
        await wait_for(
            pilot, lambda: any(long_one.id in n for n in notifications(app)), what="the details"
        )
        (details,) = [n for n in notifications(app) if long_one.id in n]
        assert LONG in details and "the current position" in details

        # A branch from it: the fork marker is cut too, the details name the branch.
        await pilot.press("b")
        await wait_for(pilot, lambda: isinstance(app.screen, AskText), what="the name question")
        await pilot.press("ctrl+a", "ctrl+k", *"a-branch-with-a-rather-long-name", "enter")
        await wait_for(pilot, lambda: len(browser.branch_list) == 2, what="the new branch")
        await pilot.pause(0.3)
        await cursor_to(pilot, browser, long_one.id)
        await pilot.press("i")
        await wait_for(
            pilot,
            lambda: any(
                "branches from here: a-branch-with-a-rather-long-name" in n
                for n in notifications(app)
            ),
            what="the fork in the details",
        )


async def test_no_stray_glyphs_at_the_foot_of_the_browser_after_f1_or_a_resize(
    project: Path,
) -> None:
    """Rows wider than the pane gave the browser a sideways scrollbar whose thumb ends (▌ ▍ ▋)
    looked like stray glyphs in its last row, and stayed after F1 or a resize."""
    app = make_app(project, None)
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_ready(pilot)
        for index in range(3):
            (project / "main.py").write_text(f"print({index})\n")
            await checkpoint_from_keys(pilot, f"{LONG} {index}")
        partial_blocks = set("▏▎▍▌▋▊▉")
        await pilot.press("f1")
        await pilot.pause(0.3)
        assert not partial_blocks & set("".join(browser_text(app)))
        await pilot.press("f1")
        await pilot.resize_terminal(100, 30)
        await pilot.pause(0.3)
        await pilot.resize_terminal(80, 24)
        await pilot.pause(0.3)
        assert not partial_blocks & set("".join(browser_text(app)))
