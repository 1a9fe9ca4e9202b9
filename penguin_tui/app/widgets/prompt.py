"""The prompt: multi-line, Enter sends, ctrl+j (or shift+enter) adds a line, up/down recall."""

from __future__ import annotations

from textual import events
from textual.message import Message
from textual.widgets import TextArea

NEWLINE_KEYS = ("ctrl+j", "shift+enter", "alt+enter")


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

    async def _on_key(self, event: events.Key) -> None:
        if event.key == "enter":
            event.stop()
            event.prevent_default()
            text = self.text
            if text.strip():
                self.post_message(self.Submitted(self, text))
            return
        if event.key in NEWLINE_KEYS:
            event.stop()
            event.prevent_default()
            self.insert("\n")
            return
        row = self.cursor_location[0]
        if event.key == "up" and row == 0 and self._recall_previous():
            event.stop()
            event.prevent_default()
            return
        if event.key == "down" and row == self.document.line_count - 1 and self._recall_next():
            event.stop()
            event.prevent_default()
            return
        await super()._on_key(event)
