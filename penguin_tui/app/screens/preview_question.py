"""The frame shared by the questions that show a preview before acting (revert, merge)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TypeVar

from rich.text import Text
from textual.screen import ModalScreen

from penguin_tui.formatting import Line, Tone

AnswerT = TypeVar("AnswerT")

TONE_STYLES = {Tone.PLAIN: "", Tone.STRONG: "bold", Tone.MUTED: "dim"}


def styled(lines: Iterable[Line]) -> Text:
    """A preview's lines (``penguin_tui.formatting``) with their tones as styles."""
    text = Text()
    for line in lines:
        for span in line:
            text.append(span.text, style=TONE_STYLES[span.tone])
        text.append("\n")
    return text


class PreviewQuestion(ModalScreen[AnswerT]):
    """A centred, bordered question with a scrolling preview and a muted line of keys.

    Subclasses compose a ``Vertical`` holding their title, a ``VerticalScroll`` for the
    preview and a ``Label`` with the ``-keys`` class.
    """

    DEFAULT_CSS = """
    PreviewQuestion { align: center middle; }
    PreviewQuestion > Vertical {
        width: 90%; max-width: 100; height: 80%;
        border: round $warning; background: $surface; padding: 0 1;
    }
    PreviewQuestion .-keys { color: $text-muted; }
    PreviewQuestion VerticalScroll { height: 1fr; }
    """
