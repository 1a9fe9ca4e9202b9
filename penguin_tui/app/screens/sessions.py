"""Pick a past session of this project to resume."""

from __future__ import annotations

from datetime import datetime

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Label, OptionList
from textual.widgets.option_list import Option

from penguin_tui.formatting import money


class SessionPicker(ModalScreen[str | None]):
    """A list of sessions, newest first; Enter resumes the highlighted one, Esc closes."""

    DEFAULT_CSS = """
    SessionPicker { align: center middle; }
    SessionPicker > Vertical {
        width: 90%; max-width: 110; height: 80%;
        border: round $primary; background: $surface; padding: 0 1;
    }
    SessionPicker Label { color: $text-muted; margin: 0 0 1 0; }
    SessionPicker OptionList { height: 1fr; border: none; }
    """

    BINDINGS = [Binding("escape", "dismiss_picker", "Close", id="sessions.close")]

    def __init__(self, rows: list[tuple[str, str, float, int, float | None]]) -> None:
        """``rows`` are (session id, title, updated_at, messages, cost)."""
        super().__init__()
        self.rows = rows

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Label("Resume a session — enter to open, esc to close")
            options = [Option(self._line(*row), id=row[0]) for row in self.rows] or [
                Option("No sessions yet", disabled=True)
            ]
            yield OptionList(*options)

    @staticmethod
    def _line(
        session_id: str, title: str, updated: float, messages: int, cost: float | None
    ) -> Text:
        when = datetime.fromtimestamp(updated).strftime("%Y-%m-%d %H:%M")
        line = Text()
        line.append(f"{session_id}  ", style="bold")
        line.append(f"{when}  {messages:>3} msgs  {money(cost):>9}  ")
        line.append(title or "(untitled)")
        return line

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        self.dismiss(event.option.id)

    def action_dismiss_picker(self) -> None:
        self.dismiss(None)
