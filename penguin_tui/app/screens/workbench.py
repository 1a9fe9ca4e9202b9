"""The workbench: chat in the centre, the prompt below it; at the side the task pane, the
checkpoint browser and the usage monitor; the diff viewer opens maximised over it all."""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import Screen
from textual.widget import Widget
from textual.widgets import Footer

from penguin_tui.app.widgets.chat import ChatView
from penguin_tui.app.widgets.prompt import PromptInput

if TYPE_CHECKING:
    from penguin_tui.app.widgets.usage import UsageTally

# Below this width the side pane gives way to the chat; its panes open maximised by their keys.
SIDE_PANE_MIN_WIDTH = 80
NARROW_WIDTH = 100
WIDE_WIDTH = 150
SIDE_PANES = ("tasks", "checkpoints", "usage")
# Below this height the task pane and the checkpoint browser take turns in the side column
# (f8 and f6 switch): stacked, neither would have room for more than a few rows.
SHORT_HEIGHT = 36
TALL_SIDE_PANES = ("tasks", "checkpoints")


def size_classes(width: int, height: int | None = None) -> list[str]:
    """The screen's classes for a terminal ``width`` columns wide and ``height`` rows high."""
    return [
        name
        for name, applies in (
            ("-small", width < SIDE_PANE_MIN_WIDTH),
            ("-narrow", width < NARROW_WIDTH),
            ("-wide", width >= WIDE_WIDTH),
            ("-short", height is not None and height < SHORT_HEIGHT),
        )
        if applies
    ]


class WorkbenchScreen(Screen[None]):
    """The one main screen; every pane is reachable by a key and can be maximised."""

    CSS_PATH = "workbench.tcss"
    AUTO_FOCUS = "#prompt"
    # Esc is ours: cancel a reply, close the diff pane, or restore a maximised pane.
    ESCAPE_TO_MINIMIZE = False

    BINDINGS = [
        Binding("escape", "app.cancel_reply", "Cancel", id="cancel", show=True),
        Binding("f2", "focus_pane('prompt')", "Prompt", id="focus.prompt", show=False),
        Binding("f3", "focus_pane('chat')", "Chat", id="focus.chat", show=False),
        Binding("f4", "focus_pane('usage')", "Usage", id="focus.usage", show=False),
        # Priority: the prompt (a TextArea) binds f6 and f7 to selecting text.
        Binding(
            "f6",
            "focus_pane('checkpoints')",
            "Checkpoints",
            id="focus.checkpoints",
            priority=True,
        ),
        # Not in the footer (F1 and the palette list it, and the browser's title names it when
        # files changed outside): at 80 columns the footer has room for the others only.
        Binding(
            "f7",
            "app.checkpoint_changes",
            "Changes",
            id="checkpoints.changes_any",
            show=False,
            priority=True,
        ),
        Binding("f8", "focus_pane('tasks')", "Tasks", id="focus.tasks", show=False, priority=True),
        Binding("f5", "toggle_maximize", "Maximise", id="pane.maximize", show=False),
        # Priority: the prompt would otherwise take them, and it is nearly always focused.
        Binding("pageup", "chat_page(-1)", "Page up", id="chat.page_up", show=False, priority=True),
        Binding(
            "pagedown", "chat_page(1)", "Page down", id="chat.page_down", show=False, priority=True
        ),
    ]

    def __init__(
        self, tally: UsageTally, width: int | None = None, height: int | None = None
    ) -> None:
        # The classes for the terminal's size from the start: the first layout is then the
        # right one, instead of a restyling of the whole screen at the first resize.
        super().__init__(classes=" ".join(size_classes(width, height)) if width else None)
        # In a short terminal, the one of the task pane and the browser that is shown.
        self.side_shown = "checkpoints"
        self.tally = tally
        # Set once the panes that come after the first frame are mounted.
        self.panes_mounted = asyncio.Event()
        # Where the focus was before a pane was maximised: it goes back there after.
        self._focus_before_maximize: Widget | None = None

    def compose(self) -> ComposeResult:
        # The first frame is the chat and the prompt (taking keys), an empty side pane and the
        # footer; the side panes and the diff pane are mounted right after it.
        with Horizontal(id="body"):
            with Vertical(id="main"):
                yield ChatView(id="chat")
                yield PromptInput(id="prompt")
            yield Vertical(id="side")
        yield Footer()

    def on_mount(self) -> None:
        self.query_one("#chat").border_title = "Chat"
        self.call_after_refresh(self._mount_panes)

    async def _mount_panes(self) -> None:
        """The task pane, the checkpoint browser, the usage pane and the diff pane (their
        modules and pygments load here, after the first frame)."""
        from penguin_tui.app.widgets.checkpoints import CheckpointBrowser
        from penguin_tui.app.widgets.diff_pane import DiffPane
        from penguin_tui.app.widgets.task_tree import TaskTree
        from penguin_tui.app.widgets.usage import UsagePane

        browser = CheckpointBrowser(id="checkpoints")
        browser.border_title = "Checkpoints"
        panes: list[Widget] = [TaskTree(id="tasks"), browser, UsagePane(self.tally, id="usage")]
        await self.query_one("#side").mount_all(panes)
        await self.query_one("#main").mount(DiffPane(id="diff"), before="#prompt")
        self.take_turns(self.side_shown)
        self.panes_mounted.set()

    def on_resize(self) -> None:
        width = self.size.width
        classes = size_classes(width, self.size.height)
        for name in ("-small", "-narrow", "-wide", "-short"):
            self.set_class(name in classes, name)
        footer = self.query_one(Footer)
        footer.compact = width < SIDE_PANE_MIN_WIDTH
        footer.show_command_palette = width >= SIDE_PANE_MIN_WIDTH

    @property
    def side_pane_hidden(self) -> bool:
        """Whether the side pane gave way to the chat (a terminal under 80 columns)."""
        return self.has_class("-small")

    def action_focus_pane(self, pane: str) -> None:
        self.show_pane(pane)

    def show_pane(self, pane: str) -> None:
        """Focus a pane, in view: a pane of the hidden side pane opens maximised over the chat
        (Esc goes back); another pane first restores whatever is maximised."""
        widget = self.query_one(f"#{pane}")
        if pane in TALL_SIDE_PANES:
            self.take_turns(pane)
        over_the_chat = self.side_pane_hidden and pane in SIDE_PANES
        covering = self.maximized
        from penguin_tui.app.widgets.diff_pane import DiffPane  # mounted after the first frame

        if isinstance(covering, DiffPane) and covering is not widget:
            covering.close()
        elif covering is not None and covering is not widget and not over_the_chat:
            self.minimize()
        if over_the_chat:
            self.maximize(widget, container=False)
        widget.focus()

    def take_turns(self, pane: str) -> None:
        """Show ``pane`` in the side column of a short terminal (the other tall pane folds)."""
        self.side_shown = pane
        for name in TALL_SIDE_PANES:
            for widget in self.query(f"#{name}"):
                widget.set_class(name != pane, "-folded")

    def on_diff_pane_closed(self) -> None:
        self.show_pane("checkpoints")

    def action_toggle_maximize(self) -> None:
        if self.maximized is not None:
            self.minimize()
        elif self.focused is not None:
            target = self.focused
            if isinstance(target, PromptInput):
                target = self.query_one(ChatView)
            if self.maximize(target, container=False):
                target.focus()

    def maximize(self, widget: Widget, container: bool = True) -> bool:
        if self.maximized is None:
            self._focus_before_maximize = self.focused
        return super().maximize(widget, container)

    def minimize(self) -> None:
        """Restore the maximised pane, and the focus to where it was before."""
        back, self._focus_before_maximize = self._focus_before_maximize, None
        super().minimize()
        if back is not None and back.is_attached and back.focusable:
            back.focus()

    def on_chat_view_typed_on(self, message: ChatView.TypedOn) -> None:
        """Text typed on the chat goes to the prompt (a maximised chat steps back for it)."""
        if self.maximized is not None:
            self.minimize()
        prompt = self.query_one(PromptInput)
        prompt.focus()
        if message.text:
            prompt.insert(message.text)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        # pageup/pagedown are priority keys for the chat; while another pane covers it (the
        # diff viewer, a maximised pane) they must reach the focused pane instead.
        if action == "chat_page":
            covered = self.maximized is not None and not isinstance(self.maximized, ChatView)
            # By id: a key check does not import the diff widgets (mounted after the first
            # frame; until then no diff is open).
            return not (covered or self.query("#diff.-open"))
        return True

    def action_chat_page(self, direction: int) -> None:
        chat = self.query_one(ChatView)
        if direction < 0:
            chat.scroll_page_up()
        else:
            chat.scroll_page_down()
