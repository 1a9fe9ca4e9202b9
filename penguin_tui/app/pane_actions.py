"""The keys of the checkpoint browser and the diff viewer as app actions, so the command
palette (and a key pressed anywhere) reaches them: each one hands over to its controller."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from penguin_tui.app.controllers.checkpoints import CheckpointsController
    from penguin_tui.app.controllers.diff_viewer import DiffViewerController
    from penguin_tui.app.widgets.checkpoints import CheckpointBrowser


class PaneActions:
    """The browser's and the diff viewer's actions, mixed into the app."""

    checkpoints: CheckpointsController
    diff_viewer: DiffViewerController

    # -- the checkpoint browser's keys, from anywhere (the palette too) ----------------------

    def _focus_browser(self) -> CheckpointBrowser:
        """The browser, focused (closing the diff pane that covers it, if open)."""
        if self.diff_viewer.pane.is_open:
            self.diff_viewer.pane.action_close()
        browser = self.checkpoints.browser
        browser.focus()
        return browser

    def action_checkpoint_mark(self) -> None:
        """m: mark (or unmark) the checkpoint under the browser's cursor."""
        self._focus_browser().action_mark()

    def action_checkpoint_to_mark(self) -> None:
        """': move the browser's cursor back to the marked checkpoint."""
        self._focus_browser().action_to_mark()

    def action_checkpoint_details(self) -> None:
        """i: the browser's row under the cursor in full."""
        self._focus_browser().action_details()

    def action_checkpoint_fold(self) -> None:
        """space: fold or unfold the branch under the browser's cursor."""
        self._focus_browser().action_fold()

    def action_checkpoint_fold_all(self) -> None:
        """shift+space: fold every branch, or unfold them all."""
        self._focus_browser().action_fold_all()

    def action_checkpoint_view_diff(self) -> None:
        self.diff_viewer.show_checkpoint()

    def action_checkpoint_changes(self) -> None:
        self.diff_viewer.show_changes()

    def action_checkpoint_compare(self) -> None:
        self.diff_viewer.show_comparison()

    def action_checkpoint_create(self) -> None:
        self.checkpoints.ask_create()

    def action_checkpoint_branch(self) -> None:
        self.checkpoints.ask_branch()

    def action_checkpoint_switch(self) -> None:
        self.checkpoints.switch()

    def action_checkpoint_revert(self) -> None:
        self.checkpoints.ask_revert()

    def action_checkpoint_undo(self) -> None:
        self.checkpoints.undo()

    def action_checkpoint_redo(self) -> None:
        self.checkpoints.redo()

    def action_checkpoint_merge(self) -> None:
        self.checkpoints.ask_merge_branch()

    def action_checkpoint_cherry_pick(self) -> None:
        self.checkpoints.ask_pick_files()

    # -- the diff viewer's keys, from the palette ------------------------------------------

    def action_diff_next_hunk(self) -> None:
        self.diff_viewer.next_hunk()

    def action_diff_previous_hunk(self) -> None:
        self.diff_viewer.previous_hunk()

    def action_diff_next_file(self) -> None:
        self.diff_viewer.next_file()

    def action_diff_previous_file(self) -> None:
        self.diff_viewer.previous_file()

    def action_diff_toggle_layout(self) -> None:
        self.diff_viewer.toggle_layout()

    def action_diff_file_list(self) -> None:
        self.diff_viewer.file_list()

    def action_diff_close(self) -> None:
        self.diff_viewer.close()
