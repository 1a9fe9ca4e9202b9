"""Choose files to take from another branch (cherry-pick)."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Label, SelectionList


class PickFiles(ModalScreen[list[str] | None]):
    """A checklist of changed files; space toggles, Enter takes the chosen ones, Esc cancels."""

    DEFAULT_CSS = """
    PickFiles { align: center middle; }
    PickFiles > Vertical {
        width: 80%; max-width: 100; height: 70%;
        border: round $primary; background: $surface; padding: 0 1;
    }
    PickFiles Label { color: $text-muted; margin: 0 0 1 0; }
    PickFiles SelectionList { height: 1fr; }
    """

    BINDINGS = [
        Binding("escape", "cancel", "Cancel", id="pick.cancel"),
        Binding("enter", "take", "Take files", id="pick.take", priority=True),
    ]

    def __init__(self, title: str, files: list[tuple[str, str]]) -> None:
        """``files`` are (path, description) pairs."""
        super().__init__()
        self.title_text = title
        self.files = files

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Label(self.title_text + " — space chooses, enter takes them, esc cancels")
            yield SelectionList[str](*[(f"{path}  {note}", path) for path, note in self.files])

    def on_mount(self) -> None:
        self.query_one(SelectionList).focus()

    def action_take(self) -> None:
        chosen = list(self.query_one(SelectionList).selected)
        self.dismiss(chosen or None)

    def action_cancel(self) -> None:
        self.dismiss(None)
