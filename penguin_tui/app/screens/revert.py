"""Revert to a checkpoint: choose code / conversation / both, see the preview, confirm."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical, VerticalScroll
from textual.widgets import Label, Static

from penguin_tui.app.screens.preview_question import PreviewQuestion, styled
from penguin_tui.checkpoints.model import RevertMode
from penguin_tui.formatting import WORKBENCH, revert_preview_lines

if TYPE_CHECKING:
    from penguin_tui.checkpoints.service import RevertPreview

PreviewLoader = Callable[[RevertMode], Awaitable["RevertPreview"]]

MODE_KEYS = {
    RevertMode.CODE: "c",
    RevertMode.CONVERSATION: "v",
    RevertMode.BOTH: "b",
    RevertMode.TASKS: "t",
    RevertMode.ALL: "a",
}


def describe_preview(preview: RevertPreview) -> Text:
    """The files that change and the messages that leave the branch, as the command line's
    preview says them (a file only the revert's safety checkpoint will hold is said so)."""
    return styled(revert_preview_lines(preview, WORKBENCH))


class RevertScreen(PreviewQuestion[RevertMode | None]):
    """The revert question; answers the chosen mode, or None when cancelled."""

    DEFAULT_CSS = """
    RevertScreen #revert-modes { margin: 0 0 1 0; }
    """

    BINDINGS = [
        Binding("c", "mode('code')", "Code", id="revert.code"),
        Binding("v", "mode('conversation')", "Conversation", id="revert.conversation"),
        Binding("b", "mode('both')", "Both", id="revert.both"),
        Binding("t", "mode('tasks')", "Tasks", id="revert.tasks"),
        Binding("a", "mode('all')", "All three", id="revert.all"),
        Binding("y", "confirm", "Revert", id="revert.confirm"),
        Binding("enter", "confirm", "Revert", id="revert.confirm_enter", show=False),
        Binding("escape,n", "cancel", "Cancel", id="revert.cancel"),
    ]

    def __init__(self, title: str, load: PreviewLoader) -> None:
        super().__init__()
        self.title_text = title
        self.load = load
        self.mode = RevertMode.BOTH
        self.preview: RevertPreview | None = None

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Label(self.title_text, id="revert-title")
            yield Static(id="revert-modes")
            with VerticalScroll():
                yield Static("Loading the preview…", id="revert-preview")
            yield Label(
                "y revert · c/v/b/t/a choose · esc cancel", id="revert-help", classes="-keys"
            )

    def on_mount(self) -> None:
        self._show_modes()
        self._load_preview()

    def _show_modes(self) -> None:
        text = Text("Revert: ")
        names = {
            RevertMode.CODE: "code",
            RevertMode.CONVERSATION: "conversation",
            RevertMode.BOTH: "both",
            RevertMode.TASKS: "tasks",
            RevertMode.ALL: "all three",
        }
        for mode, key in MODE_KEYS.items():
            chosen = mode is self.mode
            text.append(
                f"[{key}] {names[mode]}",
                style="bold reverse" if chosen else "dim",
            )
            text.append("  ")
        self.query_one("#revert-modes", Static).update(text)

    @work(exclusive=True, group="revert-preview", exit_on_error=False)
    async def _load_preview(self) -> None:
        from penguin_tui.errors import PenguinError

        self.preview = None
        self.query_one("#revert-preview", Static).update("Loading the preview…")
        try:
            preview = await self.load(self.mode)
        except PenguinError as error:
            self.query_one("#revert-preview", Static).update(error.message)
            return
        self.preview = preview
        self.query_one("#revert-preview", Static).update(describe_preview(preview))

    def action_mode(self, mode: str) -> None:
        self.mode = RevertMode(mode)
        self._show_modes()
        self._load_preview()

    def action_confirm(self) -> None:
        if self.preview is None or self.preview.mode is not self.mode:
            self.notify("the preview is still loading", severity="warning")
            return
        self.dismiss(self.mode)

    def action_cancel(self) -> None:
        self.dismiss(None)
