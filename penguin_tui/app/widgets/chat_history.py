"""A resumed conversation drawn tail first: the last messages as widgets, older ones as lines.

Drawing every stored message as widgets costs a few milliseconds each, so a long session took
seconds to resume. The chat mounts only the last ``TAIL_ENTRIES`` entries; above them one
``HistoryBlock`` draws older messages line by line (the Line API) from each message's rendered
lines, kept per width, and takes a page more each time the user scrolls near its top.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from textual.geometry import Size
from textual.strip import Strip
from textual.widget import Widget
from textual.widgets import Static

if TYPE_CHECKING:
    from penguin_tui.store import Message

# A few screens' worth of entries are widgets; older ones come in a page at a time.
TAIL_ENTRIES = 40
PAGE_ENTRIES = 8
EARLIER_SESSION = "from an earlier session"


@dataclass(frozen=True)
class ToolEntryOutcome:
    """How a stored tool call ended, as its view is told (status, answer)."""

    status: str
    output: str


@dataclass
class HistoryEntry:
    """One thing the chat shows for a stored message, before it is drawn."""

    kind: str  # "notice", "user", "assistant" or "tool"
    text: str = ""
    message_id: str = ""
    reasoning: str = ""
    status: str = "complete"
    call_id: str = ""
    tool: str = ""
    arguments: str = ""
    outcome: ToolEntryOutcome | None = None
    model: str | None = None


def history_entries(
    messages: Sequence[Message], statuses: Mapping[str, str], summary_prefix: str
) -> list[HistoryEntry]:
    """What the chat shows for a stored conversation, in order (each tool's answer folded
    into its call), without drawing anything. ``statuses``: how each answered call ended,
    by the answer's id."""
    entries: list[HistoryEntry] = []
    calls: dict[str, HistoryEntry] = {}
    for message in messages:
        role, status = message.role.value, message.status.value
        if role == "user":
            entries.append(HistoryEntry("user", message.content))
        elif role == "system" and status == "complete":
            entries.append(HistoryEntry("notice", summary_prefix + message.content))
        elif role == "assistant":
            entries.append(
                HistoryEntry(
                    "assistant",
                    message.content,
                    message.id,
                    message.reasoning,
                    status,
                    model=message.model,
                )
            )
            for call in message.tool_calls:
                entry = HistoryEntry(
                    "tool", call_id=call.call_id, tool=call.tool, arguments=call.arguments
                )
                calls[call.call_id] = entry
                entries.append(entry)
        elif role == "tool" and message.tool_call_id in calls:
            outcome = ToolEntryOutcome(str(statuses[message.id]), message.content)
            calls[message.tool_call_id].outcome = outcome
    return entries


def entry_widget(entry: HistoryEntry) -> Widget:
    """The widget the chat shows for an entry, as if it had been drawn live."""
    from penguin_tui.app.widgets.chat import AssistantMessage, Notice, UserMessage, rich_markdown
    from penguin_tui.app.widgets.tool_call import ToolCallView

    if entry.kind == "user":
        return UserMessage(entry.text)
    if entry.kind == "notice":
        return Notice(rich_markdown(entry.text))
    if entry.kind == "assistant":
        return AssistantMessage(
            entry.message_id, entry.text, entry.reasoning, entry.status, entry.model
        )
    view = ToolCallView(entry.call_id, entry.tool, entry.arguments)
    if entry.outcome is not None:
        view.finished(entry.outcome.status, EARLIER_SESSION, 0.0, entry.outcome.output, None)
    return view


class HistoryBlock(Widget):
    """Older finished messages drawn as the lines of one widget (the Line API): however many
    are loaded, the chat's layout sees one widget, and a scroll draws only the visible lines
    from each message's lines, rendered once per width. A tool call shows as one line."""

    DEFAULT_CSS = """
    HistoryBlock { height: auto; }
    HistoryBlock > .history--user { background: $boost; }
    HistoryBlock > .history--user-bar { color: $primary; background: $boost; }
    HistoryBlock > .history--assistant-bar { color: $secondary; }
    HistoryBlock > .history--notice-bar { color: $accent; }
    HistoryBlock > .history--notice { color: $text-muted; }
    HistoryBlock > .history--tool { color: $text-muted; background: $surface; }
    HistoryBlock > .history--model { color: $text-muted; text-style: dim; }
    """
    COMPONENT_CLASSES = {
        "history--user",
        "history--user-bar",
        "history--assistant-bar",
        "history--notice-bar",
        "history--notice",
        "history--tool",
        "history--model",
    }

    def __init__(self) -> None:
        super().__init__()
        self.entries: list[HistoryEntry] = []
        self._blocks: list[list[Strip]] = []
        self._starts: list[int] = [0]
        self._width = -1

    def on_mount(self) -> None:
        self.app.theme_changed_signal.subscribe(self, self._theme_changed)

    def _theme_changed(self, _: object) -> None:
        self.forget()

    def forget(self) -> None:
        """The theme changed: render the lines again on the next draw."""
        self._width = -1
        self.refresh(layout=True)

    def prepend(self, entries: list[HistoryEntry]) -> None:
        """Put older entries above the ones shown."""
        self.entries[:0] = entries
        if self._width >= 0:
            self._blocks[:0] = [self._entry_lines(entry, self._width) for entry in entries]
            self._reindex()
        self.refresh(layout=True)

    def _entry_lines(self, entry: HistoryEntry, width: int) -> list[Strip]:
        from rich.segment import Segment

        from penguin_tui.app.widgets.chat import rich_markdown

        if entry.kind == "tool":
            status = entry.outcome.status if entry.outcome else "not answered"
            text = f"  ▶ {entry.tool} — {status}"[: max(1, width)]
            style = self.get_component_rich_style("history--tool")
            return [Strip([Segment(text.ljust(width), style)], width), Strip.blank(width)]
        bar_style = self.get_component_rich_style(f"history--{entry.kind}-bar")
        if entry.kind == "assistant":
            body_style = self.rich_style
        else:
            body_style = self.get_component_rich_style(f"history--{entry.kind}")
        console = self.app.console
        options = console.options.update(width=max(1, width - 3), height=None, highlight=False)
        rendered = console.render_lines(rich_markdown(entry.text), options, style=body_style)
        bar, pad = Segment("█", bar_style), Segment(" ", body_style)
        lines = [Strip([bar, pad, *line, pad], width) for line in rendered]
        if entry.kind == "assistant" and entry.model:
            # The model that answered, dim, on the reply's first line (as a live reply shows it).
            model_style = self.get_component_rich_style("history--model")
            label = Segment(entry.model[: max(1, width - 3)], model_style)
            lines.insert(0, Strip([bar, pad, label]).adjust_cell_length(width, body_style))
        lines.append(Strip.blank(width))  # the margin between messages
        return lines

    def _render_all(self, width: int) -> None:
        self._blocks = [self._entry_lines(entry, width) for entry in self.entries]
        self._reindex()
        self._width = width

    def _reindex(self) -> None:
        starts = [0]
        for block in self._blocks:
            starts.append(starts[-1] + len(block))
        self._starts = starts

    def get_content_width(self, container: Size, viewport: Size) -> int:
        return container.width

    def get_content_height(self, container: Size, viewport: Size, width: int) -> int:
        if width != self._width:
            self._render_all(width)
        return self._starts[-1]

    def render_line(self, y: int) -> Strip:
        width = self.content_size.width
        if width != self._width:
            self._render_all(width)
        index = bisect_right(self._starts, y) - 1
        if 0 <= index < len(self._blocks):
            block = self._blocks[index]
            offset = y - self._starts[index]
            if offset < len(block):
                return block[offset]
        return Strip.blank(width)


class OlderMessages(Static):
    """The top of a resumed chat while older messages are not drawn yet."""

    DEFAULT_CSS = """
    OlderMessages { color: $text-muted; text-align: center; margin: 0 0 1 0; height: 1; }
    """

    def show_count(self, count: int) -> None:
        noun = "message" if count == 1 else "messages"
        self.update(f"▲ {count:,} earlier {noun} — scroll up (PageUp, Home) to see them")
