"""The chat pane: finished messages as static renderables, the streaming reply as live Markdown.

Only the reply being streamed is a live ``Markdown`` widget fed through a ``MarkdownStream``;
a finished message becomes a ``Static`` holding a Rich ``Markdown`` renderable, so the cost of
a token does not grow with the history. Very long replies are cut into finished blocks.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual import events
from textual.containers import Vertical, VerticalScroll
from textual.message import Message
from textual.widgets import Collapsible, Static

from penguin_tui.app.event_routes import handles
from penguin_tui.app.widgets.chat_lines import ModelLine, Notice, UserMessage, rich_markdown
from penguin_tui.app.widgets.tool_call import ToolCallView

__all__ = [
    "AssistantMessage",
    "ChatView",
    "ModelLine",
    "Notice",
    "UserMessage",
    "block_boundary",
    "rich_markdown",
]

if TYPE_CHECKING:
    from textual.widgets import Markdown
    from textual.widgets._markdown import MarkdownStream

    from penguin_tui.app.widgets.chat_history import HistoryBlock, HistoryEntry, OlderMessages
    from penguin_tui.bus import (
        ApprovalAnswered,
        ApprovalRequested,
        MessageCompleted,
        MessageDelta,
        MessageStarted,
        MessageStreamed,
        ModelSwitched,
        ReasoningDelta,
        ToolCallFinished,
        ToolCallStarted,
    )

SUMMARY_NOTICE = (
    "**Earlier messages were compacted into this summary** (they stay in the store):\n\n"
)
# A live Markdown widget slows as it grows: freeze it into a static block past this size.
BLOCK_CHARS = 6000


def _static_markdown(text: str, classes: str = "") -> Static:
    return Static(rich_markdown(text), classes=classes)


def block_boundary(text: str) -> int:
    """Where the last finished paragraph outside any code fence ends, or -1.

    Deltas arrive merged, so the text rarely ends exactly at a blank line: look back for one.
    """
    cut = text.rfind("\n\n")
    while cut > 0:
        if text[:cut].count("```") % 2 == 0:
            return cut + 2
        cut = text.rfind("\n\n", 0, cut)
    return -1


class AssistantMessage(Vertical):
    """A reply: a dim line naming the model that answered, collapsed reasoning, then the
    text, live while it streams."""

    DEFAULT_CSS = """
    AssistantMessage {
        height: auto;
        margin: 0 0 1 0;
        padding: 0 1;
        border-left: thick $secondary;
    }
    AssistantMessage Collapsible { padding: 0; border: none; background: $surface; }
    AssistantMessage .reasoning { color: $text-muted; }
    AssistantMessage Markdown { margin: 0; padding: 0; }
    AssistantMessage .status { color: $warning; }
    """

    def __init__(
        self,
        message_id: str,
        text: str = "",
        reasoning: str = "",
        status: str = "complete",
        model: str | None = None,
    ) -> None:
        super().__init__()
        self.message_id = message_id
        # The model that answered (the one called, until a fallback or the stored message
        # says another); shown on the reply's first line.
        self.model = model
        self._model_line: ModelLine | None = None
        self.text = text
        self.reasoning = reasoning
        self.status = status
        self._live: Markdown | None = None
        self._stream: MarkdownStream | None = None
        self._live_text = ""
        self._frozen_chars = 0
        self._reasoning_view: Static | None = None
        # The whole text is in static blocks; a streamed reply is from the model's finish
        # reason on, before the stored message (and its status) comes.
        self.drawn_final = status != "streaming"

    def compose_finished(self) -> None:
        self._show_model()
        if self.reasoning:
            self._mount_reasoning()
        self.mount(_static_markdown(self.text))
        self._mount_status()

    def on_mount(self) -> None:
        if self.status != "streaming":
            self.compose_finished()
        else:
            self._show_model()

    def answered_by(self, model: str | None) -> None:
        """The model that answered: a fallback took over, or the stored message says."""
        if model and model != self.model:
            self.model = model
            self._show_model()

    def _show_model(self) -> None:
        if not self.model:
            return
        if self._model_line is None:
            self._model_line = ModelLine(self.model, markup=False)
            if self.children:
                self.mount(self._model_line, before=0)
            else:
                self.mount(self._model_line)
        else:
            self._model_line.update(self.model)

    def _mount_reasoning(self) -> None:
        self._reasoning_view = Static(self.reasoning, classes="reasoning", markup=False)
        collapsible = Collapsible(self._reasoning_view, title="Reasoning", collapsed=True)
        if self._model_line is not None:
            self.mount(collapsible, after=self._model_line)
        elif self.children:
            self.mount(collapsible, before=0)
        else:
            self.mount(collapsible)

    def _mount_status(self) -> None:
        if self.status == "interrupted":
            self.mount(Static("⏹ interrupted — the partial reply is kept", classes="status"))
        elif self.status == "error":
            self.mount(Static("✗ no reply (see the notification)", classes="status"))

    async def add_reasoning(self, text: str) -> None:
        self.reasoning += text
        if self._reasoning_view is None:
            self._mount_reasoning()
        else:
            self._reasoning_view.update(self.reasoning)

    async def add_text(self, text: str) -> None:
        """Stream text in; freezes the live block into a static one when it grows large."""
        self.text += text
        await self._write_live(text)

    async def _write_live(self, text: str) -> None:
        self.drawn_final = False
        if self._stream is None:
            from textual.widgets import Markdown

            self._live = Markdown()
            await self.mount(self._live)
            self._stream = Markdown.get_stream(self._live)
            self._live_text = ""
        self._live_text += text
        await self._stream.write(text)
        if len(self._live_text) > BLOCK_CHARS:
            cut = block_boundary(self._live_text)
            if cut > 0:
                await self._freeze_live(cut)

    async def _freeze_live(self, cut: int) -> None:
        """Make the live text up to ``cut`` a static block; the rest starts a new live one."""
        done, rest = self._live_text[:cut], self._live_text[cut:]
        if self._stream is not None:
            await self._stream.stop()
        if self._live is not None:
            await self.mount(_static_markdown(done), before=self._live)
            await self._live.remove()
        self._frozen_chars += len(done)
        self._live = None
        self._stream = None
        self._live_text = ""
        if rest:
            await self._write_live(rest)

    async def show_final(self) -> None:
        """The model sent the end of the reply: draw the text as final now. ``finish`` comes
        later with the stored message and its status."""
        if self.status == "streaming" and not self.drawn_final:
            await self._draw_final()

    async def _stop_live(self) -> None:
        """End the live widget's stream and take the widget away."""
        if self._stream is not None:
            await self._stream.stop()
        if self._live is not None:
            await self._live.remove()
        self._live = None
        self._stream = None
        self._live_text = ""

    async def _draw_final(self) -> None:
        """Replace the live widget by a static block holding the rest of the text."""
        await self._stop_live()
        tail = self.text[self._frozen_chars :]
        if tail.strip() or not self._frozen_chars:
            await self.mount(_static_markdown(tail))
        self._frozen_chars = len(self.text)
        self.drawn_final = True

    async def finish(
        self, text: str, reasoning: str, status: str, model: str | None = None
    ) -> None:
        """The reply is final: its stored text, drawn as static blocks, its status and the
        model that answered it."""
        self.status = status
        self.answered_by(model)
        self.reasoning = reasoning
        if self._reasoning_view is not None:
            self._reasoning_view.update(reasoning)
        elif reasoning:
            self._mount_reasoning()
        if text != self.text and self._frozen_chars:
            # The stored text is not what streamed (a secret redacted): draw it again.
            await self._stop_live()
            await self.remove_children(
                [
                    c
                    for c in self.children
                    if not isinstance(c, Collapsible) and c is not self._model_line
                ]
            )
            self._frozen_chars = 0
            self.drawn_final = False
        self.text = text
        if not self.drawn_final:
            await self._draw_final()
        self._mount_status()


class ChatView(VerticalScroll):
    """The conversation, anchored to the bottom until the user scrolls up."""

    DEFAULT_CSS = """
    ChatView { padding: 0 1; background: $background; }
    ChatView:focus { border: none; }
    """

    can_focus = True
    ALLOW_MAXIMIZE = True

    class TypedOn(Message):
        """The user typed text while the chat had the focus: it belongs in the prompt."""

        def __init__(self, text: str) -> None:
            super().__init__()
            self.text = text

    def on_mount(self) -> None:
        self.anchor()

    # -- a resumed session: its tail drawn, older messages brought in near the top ------------

    _older: list[HistoryEntry] = []  # noqa: RUF012 - each view sets its own in show_history
    _older_label: OlderMessages | None = None
    _history: HistoryBlock | None = None
    _loading_older = False
    _going_home = False

    async def show_history(self, entries: list[HistoryEntry]) -> None:
        """Draw a stored conversation: its last entries now, older ones as the user scrolls
        up (PageUp, Home, the wheel) near the top."""
        from penguin_tui.app.widgets.chat_history import (
            TAIL_ENTRIES,
            HistoryBlock,
            OlderMessages,
            entry_widget,
        )

        cut = max(0, len(entries) - TAIL_ENTRIES)
        self._older = entries[:cut]
        widgets = [entry_widget(entry) for entry in entries[cut:]]
        self._older_label, self._history = None, None
        if self._older:
            self._older_label, self._history = OlderMessages(), HistoryBlock()
            self._older_label.show_count(len(self._older))
            widgets[:0] = [self._older_label, self._history]
        if widgets:
            await self.mount_all(widgets)
        self.anchor()

    def watch_scroll_y(self, old_value: float, new_value: float) -> None:
        super().watch_scroll_y(old_value, new_value)
        if self._older and not self._loading_older and new_value < self.size.height:
            self._loading_older = True
            self.call_later(self._load_older)

    def action_scroll_home(self) -> None:
        self._going_home = bool(self._older)
        super().action_scroll_home()

    async def _load_older(self) -> None:
        """Draw the page of entries just above the oldest one drawn, keeping the view still
        (or at the very top after Home)."""
        from penguin_tui.app.widgets.chat_history import PAGE_ENTRIES

        if not self._older or self._history is None or self._older_label is None:
            self._loading_older = False
            return
        page = self._older[-PAGE_ENTRIES:]
        del self._older[-PAGE_ENTRIES:]
        height_before = self.virtual_size.height
        self._history.prepend(page)
        if self._older:
            self._older_label.show_count(len(self._older))
        else:
            await self._older_label.remove()
            self._older_label = None

        def keep_view() -> None:
            added = self.virtual_size.height - height_before
            if self._going_home:
                self.scroll_to(y=0, animate=False, immediate=True)
                self._going_home = bool(self._older)
            elif added > 0:
                self.scroll_to(y=self.scroll_y + added, animate=False, immediate=True)
            self._loading_older = False
            # Still near the top (a run of PageUps, Home): the next page, after this frame.
            if self._older and self.scroll_y < self.size.height:
                self._loading_older = True
                self.call_after_refresh(self._load_older)

        self.call_after_refresh(keep_view)

    def follow(self) -> None:
        """Scroll to the newest text and stay there as more comes (after a scroll up)."""
        self.anchor()

    def on_key(self, event: events.Key) -> None:
        # Nothing in the chat takes text: a character no key of the focused pane is bound
        # to (a tool call's diff binds a few) goes to the prompt instead of vanishing, and
        # enter (unless it opens a tool call) goes back to the prompt.
        if event.key in self.screen.active_bindings:
            return
        if event.key == "enter" or (event.is_printable and event.character):
            event.stop()
            event.prevent_default()
            self.post_message(self.TypedOn("" if event.key == "enter" else event.character or ""))

    def reply(self, message_id: str) -> AssistantMessage | None:
        for child in reversed(self.children):
            if isinstance(child, AssistantMessage) and child.message_id == message_id:
                return child
        return None

    async def clear_messages(self) -> None:
        self._older, self._older_label, self._history = [], None, None
        await self.remove_children()

    async def add_notice(self, text: str) -> None:
        await self.mount(Notice(rich_markdown(text)))

    async def add_user(self, text: str) -> None:
        await self.mount(UserMessage(text))

    async def start_reply(self, message_id: str, model: str | None = None) -> AssistantMessage:
        view = AssistantMessage(message_id, status="streaming", model=model)
        await self.mount(view)
        return view

    async def add_tool_call(self, call_id: str, tool: str, args: str) -> ToolCallView:
        view = ToolCallView(call_id, tool, args)
        await self.mount(view)
        return view

    def tool_call(self, call_id: str) -> ToolCallView | None:
        for child in reversed(self.children):
            if isinstance(child, ToolCallView) and child.call_id == call_id:
                return child
        return None

    async def add_finished_reply(
        self, message_id: str, text: str, reasoning: str, status: str, model: str | None = None
    ) -> None:
        await self.mount(AssistantMessage(message_id, text, reasoning, status, model))

    # -- what the engine says ----------------------------------------------------------------

    @handles
    async def reply_started(self, event: MessageStarted) -> None:
        await self.start_reply(event.message_id, event.model)

    @handles
    async def reply_text_arrived(self, event: MessageDelta) -> None:
        reply = self.reply(event.message_id)
        if reply is not None:
            await reply.add_text(event.text)

    @handles
    async def reasoning_arrived(self, event: ReasoningDelta) -> None:
        reply = self.reply(event.message_id)
        if reply is not None:
            await reply.add_reasoning(event.text)

    @handles
    async def reply_streamed(self, event: MessageStreamed) -> None:
        """The model sent the end of the reply: it is drawn final before its usage and its
        stored copy come."""
        reply = self.reply(event.message_id)
        if reply is not None:
            await reply.show_final()

    @handles
    def model_switched(self, event: ModelSwitched) -> None:
        """The call fell back to another model: the streaming reply is that model's."""
        for child in reversed(self.children):
            if isinstance(child, AssistantMessage) and child.status == "streaming":
                child.answered_by(event.to_model)
                return

    @handles
    async def message_completed(self, event: MessageCompleted) -> None:
        """A prompt as stored, a reply made final, or a summary of compacted messages (a
        tool's answer is drawn by its call's view)."""
        if event.role == "tool":
            return
        if event.role == "system":
            if event.status == "complete":
                await self.add_notice(SUMMARY_NOTICE + event.text)
            return
        if event.role == "user":
            await self.add_user(event.text)
            return
        reply = self.reply(event.message_id)
        if reply is not None:
            await reply.finish(event.text, event.reasoning, event.status, event.model)

    @handles
    async def tool_call_started(self, event: ToolCallStarted) -> None:
        await self.add_tool_call(event.call_id, event.tool, event.args)

    @handles
    def tool_call_finished(self, event: ToolCallFinished) -> None:
        view = self.tool_call(event.call_id)
        if view is not None:
            view.finished(event.status, event.summary, event.duration_ms, event.preview, event.diff)

    @handles
    def approval_requested(self, event: ApprovalRequested) -> None:
        view = self.tool_call(event.call_id)
        if view is not None:
            view.waiting()

    @handles
    def approval_answered(self, event: ApprovalAnswered) -> None:
        view = self.tool_call(event.call_id)
        if view is not None and event.allowed:
            view.running()
