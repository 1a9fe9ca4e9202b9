"""The diff viewer pane: what is compared (and each side's conversation), then the diff."""

from __future__ import annotations

from collections.abc import Sequence

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.message import Message
from textual.widgets import Static

from penguin_tui.app.widgets.diff_view import DiffView
from penguin_tui.unified_diff import FileDiff


class DiffPane(Vertical):
    """Opened over the workbench (maximised) to show a checkpoint's diff, a comparison or
    the changes since the last checkpoint; Esc or q closes it."""

    ALLOW_MAXIMIZE = True

    BINDINGS = [
        Binding("escape", "close", "Close", id="diff.close"),
        Binding("q", "close", "Close", id="diff.close_q", show=False),
    ]

    DEFAULT_CSS = """
    DiffPane { display: none; height: 1fr; border: round $primary; background: $surface; }
    DiffPane.-open { display: block; }
    DiffPane #diff-header { height: auto; max-height: 12; padding: 0 1; color: $text-muted; }
    DiffPane DiffView { height: 1fr; }
    """

    def compose(self) -> ComposeResult:
        yield Static(id="diff-header")
        yield DiffView(id="diff-view")

    @property
    def view(self) -> DiffView:
        return self.query_one(DiffView)

    @property
    def is_open(self) -> bool:
        return self.has_class("-open")

    def open(self, files: Sequence[FileDiff], title: str, header: Text | str = "") -> None:
        """Show ``files`` maximised, with ``header`` (the two sides of a comparison) above."""
        self.border_title = title
        header_widget = self.query_one("#diff-header", Static)
        header_widget.update(header)
        header_widget.display = bool(header)
        self.add_class("-open")
        self.view.show(files, "")
        self.screen.maximize(self, container=False)
        self.call_after_refresh(self.view.focus)

    class Closed(Message):
        """The pane closed: the focus goes back to the checkpoint browser, which opened it."""

    def action_close(self) -> None:
        self.close()
        self.post_message(self.Closed())

    def close(self) -> None:
        """Close without a word: the pane the user asked for takes the focus."""
        self.remove_class("-open")
        if self.screen.maximized is self:
            self.screen.minimize()
