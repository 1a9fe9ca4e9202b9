"""The frame shared by the questions that show a preview before acting (revert, merge)."""

from __future__ import annotations

from typing import TypeVar

from textual.screen import ModalScreen

AnswerT = TypeVar("AnswerT")


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
