"""What the diff viewer shows, and its keys as app actions for the command palette.

It opens a checkpoint's diff, the changes since the last checkpoint and a comparison of two
checkpoints. Its keys stay on the diff view (they act on the focused view); the palette runs
the same steps on the workbench's diff pane once it is open, focusing it first, and says how
to open it when it is not.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from rich.text import Text

from penguin_tui.app.markdown_style import LineColours, line_colours
from penguin_tui.app.widgets.checkpoint_rows import left_out_details
from penguin_tui.app.workers import background
from penguin_tui.formatting import checkpoint_label, first_line, money, tokens
from penguin_tui.words import plural

if TYPE_CHECKING:
    from penguin_tui.app.app import PenguinApp
    from penguin_tui.app.controllers.checkpoints import CheckpointsController
    from penguin_tui.app.widgets.diff_pane import DiffPane
    from penguin_tui.app.widgets.diff_view import DiffView
    from penguin_tui.checkpoints.results import Comparison, Side

NOT_OPEN = (
    "no diff is open: enter on a checkpoint in the browser (f6), c to compare two, "
    "or f7 for the changes since the last checkpoint"
)


def side_summary(side: Side) -> Text:
    """One side of a comparison: its label, spend, and its messages since the ancestor."""
    text = Text()
    spent = side.usage.input_tokens + side.usage.output_tokens
    text.append(side.label, style="bold")
    text.append(
        f"  {plural(len(side.messages), 'message')}"
        f" · {tokens(spent, shorten_from=None)} tokens · {money(side.usage.cost_usd)}\n",
    )
    for message in side.messages[:4]:
        first = first_line(message, 90)
        if first:
            text.append(f"  {message.role.value}: {first}\n", style="dim")
    if len(side.messages) > 4:
        text.append(f"  … {len(side.messages) - 4} more\n", style="dim")
    return text


def comparison_header(comparison: Comparison, colours: LineColours) -> Text:
    """Above a comparison's diff: each side's conversation and spend since the ancestor."""
    text = Text("Since their common ancestor:\n", style="italic")
    text.append("− ", style=colours.removed)
    text.append_text(side_summary(comparison.left))
    text.append("+ ", style=colours.added)
    text.append_text(side_summary(comparison.right))
    return text


class DiffViewerController:
    """Opens diffs in the workbench's diff pane; next/previous hunk and file, layout, file
    list and close for the command palette."""

    def __init__(self, app: PenguinApp, checkpoints: CheckpointsController) -> None:
        self.app = app
        self.checkpoints = checkpoints

    @property
    def pane(self) -> DiffPane:
        # Imported here: the diff widgets (and pygments) load after the first frame.
        from penguin_tui.app.widgets.diff_pane import DiffPane

        return self.app.workbench.query_one(DiffPane)

    # -- what it shows -----------------------------------------------------------------------

    @background("checkpoint-op")
    async def show_checkpoint(self) -> None:
        """enter in the browser: what the checkpoint under the cursor changed since its
        parent, and the files it left out."""
        from penguin_tui.checkpoints.git import EMPTY_TREE
        from penguin_tui.unified_diff import parse_unified

        found = self.checkpoints.service()
        checkpoint = self.checkpoints.selected()
        if found is None or checkpoint is None:
            return
        service, _ = found
        parent = self.checkpoints.browser.checkpoints.get(checkpoint.parent_id or "")
        old_tree = parent.tree if parent else EMPTY_TREE
        patch = await self.checkpoints.run("diff", service.patch(old_tree, checkpoint.tree))
        if patch is None:
            return
        since = f"since {parent.id[:8]}" if parent else "from nothing"
        header = Text(checkpoint.label or checkpoint.kind.value, style="italic")
        header.append_text(left_out_details(checkpoint.skipped))
        self.pane.open(
            parse_unified(patch),
            f"Checkpoint {checkpoint_label(checkpoint)} — {since}",
            header,
        )

    @background("checkpoint-op")
    async def show_changes(self) -> None:
        """f7 or w: the edits since the last checkpoint, whoever made them."""
        found = self.checkpoints.service()
        if found is None:
            return
        service, session_id = found
        files = await self.checkpoints.run("changes", service.changes_since_position(session_id))
        if files is not None:
            self.pane.open(files, "Changes since the last checkpoint")

    @background("checkpoint-op")
    async def show_comparison(self) -> None:
        """c: the marked checkpoint compared with the one under the cursor."""
        browser = self.checkpoints.browser
        checkpoint = browser.selected_checkpoint
        if self.checkpoints.service() is None:
            return
        marked = browser.marked
        if marked is None or checkpoint is None or marked == checkpoint.id:
            self.app.notify(
                "mark a checkpoint with m, move to another, then press c", severity="warning"
            )
            return
        await self.compare(marked, checkpoint.id)

    async def compare(self, old_id: str, new_id: str, what: str = "Compare") -> None:
        """Open the diff from checkpoint ``old_id`` to ``new_id``, each side's conversation
        and spend above it; the title starts with ``what``. A failure is one notification."""
        found = self.checkpoints.service()
        if found is None:
            return
        service, session_id = found
        comparison = await self.checkpoints.run(
            "compare", service.compare(session_id, old_id, new_id)
        )
        if comparison is None:
            return
        self.pane.open(
            comparison.files,
            f"{what} {comparison.left.label} → {comparison.right.label}",
            comparison_header(comparison, line_colours(self.app.theme_variables)),
        )

    # -- its keys, from the palette ----------------------------------------------------------

    def open_pane(self) -> DiffPane | None:
        """The diff pane when a diff is open; else None, said how to open one."""
        pane = self.pane
        if not pane.is_open:
            self.app.notify(NOT_OPEN, severity="warning")
            return None
        return pane

    def open_view(self) -> DiffView | None:
        """The open diff's view, focused (None: no diff is open, said so)."""
        pane = self.open_pane()
        if pane is None:
            return None
        pane.view.focus()
        return pane.view

    def next_hunk(self) -> None:
        if view := self.open_view():
            view.action_next_hunk()

    def previous_hunk(self) -> None:
        if view := self.open_view():
            view.action_previous_hunk()

    def next_file(self) -> None:
        if view := self.open_view():
            view.action_next_file()

    def previous_file(self) -> None:
        if view := self.open_view():
            view.action_previous_file()

    def toggle_layout(self) -> None:
        if view := self.open_view():
            view.action_toggle_layout()

    def file_list(self) -> None:
        view = self.open_view()
        if view is not None and not view.focus_file_list():
            self.app.notify(
                "the diff's file list shows when the pane is at least 100 columns wide",
                severity="warning",
            )

    def close(self) -> None:
        if pane := self.open_pane():
            pane.action_close()
