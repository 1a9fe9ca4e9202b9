"""Asks before a project's config, changed on disk, switches the model (name, API base, prices)."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Label

from penguin_tui.app.widgets.key_hints import KeyHints


class AcceptProjectModel(ModalScreen[bool]):
    """The question: the project's file and each model setting it changes; y uses them, n
    (or esc) keeps the model as it was."""

    DEFAULT_CSS = """
    AcceptProjectModel { align: center middle; }
    AcceptProjectModel > Vertical {
        width: 80%; max-width: 100; height: auto;
        border: thick $warning; background: $surface; padding: 0 1;
    }
    AcceptProjectModel .title { text-style: bold; color: $warning; }
    AcceptProjectModel KeyHints { margin: 1 0 0 0; }
    """

    BINDINGS = [
        Binding("y", "accept", "Use it", id="project_model.accept"),
        Binding("n", "decline", "Keep the model as it was", id="project_model.decline"),
        Binding("escape", "decline", "Keep the model as it was", show=False),
    ]

    def __init__(self, source: str, changes: list[str]) -> None:
        super().__init__()
        self.source = source
        self.changes = changes

    @property
    def question(self) -> str:
        """The question as one line: ``the project's config … changes the model to …``."""
        return f"the project's config {self.source} changes {', '.join(self.changes)}: use it?"

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Label("Use the project's model?", classes="title")
            yield Label(Text(self.question))
            yield KeyHints()

    def action_accept(self) -> None:
        self.dismiss(True)

    def action_decline(self) -> None:
        self.dismiss(False)
