"""The prompt: multi-line, Enter sends, ctrl+j (or shift+enter) adds a line, up/down recall."""

from __future__ import annotations

from textual.binding import Binding
from textual.message import Message
from textual.widgets import TextArea


class PromptInput(TextArea):
    """Where the user writes; posts ``PromptInput.Submitted`` on Enter."""

    DEFAULT_CSS = """
    PromptInput {
        height: auto;
        min-height: 3;
        max-height: 12;
        border: round $primary 60%;
        padding: 0 1;
    }
    PromptInput:focus { border: round $primary; }
    """

    BINDINGS = [
        # Priority: the text area would otherwise take enter as a new line first. Priority keys
        # run on the app's queue, ahead of the characters typed before them that still wait in
        # this widget's: their actions queue their work behind those characters (call_later).
        Binding("enter", "send", "Send", id="prompt.send", show=False, priority=True),
        Binding(
            "ctrl+j,shift+enter,alt+enter",
            "new_line",
            "New line",
            id="prompt.new_line",
            show=False,
            priority=True,
        ),
    ]

    class Submitted(Message):
        """The user pressed Enter on a non-empty prompt."""

        def __init__(self, prompt: PromptInput, text: str) -> None:
            super().__init__()
            self.prompt = prompt
            self.text = text

    def __init__(self, id: str | None = None) -> None:
        super().__init__(
            id=id,
            soft_wrap=True,
            show_line_numbers=False,
            tab_behavior="focus",
            compact=False,
            highlight_cursor_line=False,
        )
        self.past_prompts: list[str] = []
        self._recall: int | None = None
        self._draft = ""
        self.border_title = "Prompt"
        self.border_subtitle = "enter send · ctrl+j newline · ↑↓ history"

    def remember(self, text: str) -> None:
        if text and (not self.past_prompts or self.past_prompts[-1] != text):
            self.past_prompts.append(text)
        self._recall = None

    def _show(self, text: str) -> None:
        self.load_text(text)
        self.move_cursor(self.document.end)

    def _recall_previous(self) -> bool:
        if not self.past_prompts:
            return False
        if self._recall is None:
            self._draft = self.text
            self._recall = len(self.past_prompts)
        if self._recall == 0:
            return True
        self._recall -= 1
        self._show(self.past_prompts[self._recall])
        return True

    def _recall_next(self) -> bool:
        if self._recall is None:
            return False
        self._recall += 1
        if self._recall >= len(self.past_prompts):
            self._recall = None
            self._show(self._draft)
        else:
            self._show(self.past_prompts[self._recall])
        return True

    def action_send(self) -> None:
        """Enter: post the prompt (an empty one is not sent), once the keys typed before it
        are in: a fast typist's (or a script's) last characters are never left out."""
        self.call_later(self._send)

    def _send(self) -> None:
        text = self.text
        if text.strip():
            self.post_message(self.Submitted(self, text))

    def action_new_line(self) -> None:
        self.call_later(self.insert, "\n")

    def action_cursor_up(self, select: bool = False) -> None:
        """Up on the first line recalls the prompt sent before; elsewhere it moves."""
        if not select and self.cursor_location[0] == 0 and self._recall_previous():
            return
        super().action_cursor_up(select)

    def action_cursor_down(self, select: bool = False) -> None:
        """Down on the last line goes forward through the prompts sent (back to the draft)."""
        last = self.document.line_count - 1
        if not select and self.cursor_location[0] == last and self._recall_next():
            return
        super().action_cursor_down(select)
