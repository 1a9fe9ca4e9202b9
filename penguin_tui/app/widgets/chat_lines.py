"""The chat's plain lines: a note from penguin-tui, a prompt the user sent, the model that
answered a reply; and a finished message's Markdown as a Rich renderable."""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual.widgets import Static

if TYPE_CHECKING:
    from rich.markdown import Markdown as RichMarkdown


def rich_markdown(text: str) -> RichMarkdown:
    """A finished message as a Rich renderable; styles come from the app's theme."""
    # Imported here: markdown-it is not needed for the first frame.
    from rich.markdown import Markdown as RichMarkdown

    return RichMarkdown(text or " ", code_theme="ansi_dark")


class Notice(Static):
    """A note from penguin-tui itself (e.g. the demo notice), written in Markdown."""

    DEFAULT_CSS = """
    Notice {
        color: $text-muted;
        border-left: thick $accent;
        padding: 0 1;
        margin: 0 0 1 0;
    }
    """


class UserMessage(Static):
    """A prompt the user sent."""

    DEFAULT_CSS = """
    UserMessage {
        background: $boost;
        border-left: thick $primary;
        padding: 0 1;
        margin: 0 0 1 0;
    }
    """

    def __init__(self, text: str) -> None:
        super().__init__(rich_markdown(text))
        self.text = text


class ModelLine(Static):
    """The model that answered a reply, dim, on the reply's first line."""

    DEFAULT_CSS = """
    ModelLine { color: $text-muted; text-style: dim; }
    """
