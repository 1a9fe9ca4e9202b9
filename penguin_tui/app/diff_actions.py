"""The diff viewer's keys as app actions, so the command palette reaches them from anywhere.

The keys themselves stay on the diff view (they act on the focused view); these run the same
steps on the workbench's diff pane once it is open, focusing it first, and say how to open it
when it is not.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual.app import App

if TYPE_CHECKING:
    from penguin_tui.app.screens.workbench import WorkbenchScreen
    from penguin_tui.app.widgets.diff_pane import DiffPane
    from penguin_tui.app.widgets.diff_view import DiffView

NOT_OPEN = (
    "no diff is open: enter on a checkpoint in the browser (f6), c to compare two, "
    "or f7 for the changes since the last checkpoint"
)


class DiffViewerActions(App[int]):
    """Next/previous hunk and file, layout, file list and close, for the command palette."""

    workbench: WorkbenchScreen

    def _open_pane(self) -> DiffPane | None:
        from penguin_tui.app.widgets.diff_pane import DiffPane

        pane = self.workbench.query_one(DiffPane)
        if not pane.is_open:
            self.notify(NOT_OPEN, severity="warning")
            return None
        return pane

    def _open_view(self) -> DiffView | None:
        pane = self._open_pane()
        if pane is None:
            return None
        pane.view.focus()
        return pane.view

    def action_diff_next_hunk(self) -> None:
        if view := self._open_view():
            view.action_next_hunk()

    def action_diff_previous_hunk(self) -> None:
        if view := self._open_view():
            view.action_previous_hunk()

    def action_diff_next_file(self) -> None:
        if view := self._open_view():
            view.action_next_file()

    def action_diff_previous_file(self) -> None:
        if view := self._open_view():
            view.action_previous_file()

    def action_diff_toggle_layout(self) -> None:
        if view := self._open_view():
            view.action_toggle_layout()

    def action_diff_file_list(self) -> None:
        view = self._open_view()
        if view is not None and not view.focus_file_list():
            self.notify(
                "the diff's file list shows when the pane is at least 100 columns wide",
                severity="warning",
            )

    def action_diff_close(self) -> None:
        if pane := self._open_pane():
            pane.action_close()
