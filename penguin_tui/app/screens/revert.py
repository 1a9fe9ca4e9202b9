"""Revert to a checkpoint: choose code / conversation / both, see the preview, confirm."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical, VerticalScroll
from textual.widgets import Label, Static

from penguin_tui.app.screens.preview_question import PreviewQuestion
from penguin_tui.checkpoints.model import RevertMode
from penguin_tui.words import counted

if TYPE_CHECKING:
    from penguin_tui.checkpoints.service import RevertPreview

PreviewLoader = Callable[[RevertMode], Awaitable["RevertPreview"]]

MODE_KEYS = {RevertMode.CODE: "c", RevertMode.CONVERSATION: "v", RevertMode.BOTH: "b"}


def describe_preview(preview: RevertPreview) -> Text:
    """The files that change and the messages that leave the branch, as the user reads them;
    a file only the revert's safety checkpoint will hold is said to be so."""
    text = Text()
    if preview.mode.code:
        if preview.files:
            text.append(counted(len(preview.files), "file", "change") + ":\n", style="bold")
            for stat in preview.files[:200]:
                counts = "binary" if stat.added is None else f"+{stat.added} −{stat.removed}"
                text.append(f"  {stat.path}  ", style="")
                text.append(counts, style="dim")
                note = preview.note(stat.path)
                if note:
                    kept = stat.path in preview.only_in_safety
                    text.append(f"  {note}", style="bold" if kept else "dim")
                text.append("\n")
            if len(preview.files) > 200:
                text.append(f"  … and {len(preview.files) - 200} more\n", style="dim")
        else:
            text.append("No file changes.\n", style="bold")
    if preview.mode.conversation:
        if preview.messages_leaving:
            count = len(preview.messages_leaving)
            them = "it" if count == 1 else "them"
            text.append(
                f"{counted(count, 'message', 'leave')} the branch (kept in the store; undo"
                f" brings {them} back):\n",
                style="bold",
            )
            for message in preview.messages_leaving[:50]:
                first = (message.content.strip().splitlines() or [""])[0][:70]
                text.append(f"  {message.role.value}: ", style="dim")
                text.append(first + "\n")
        else:
            text.append("No messages leave the conversation.\n", style="bold")
    return text


class RevertScreen(PreviewQuestion[RevertMode | None]):
    """The revert question; answers the chosen mode, or None when cancelled."""

    DEFAULT_CSS = """
    RevertScreen #revert-modes { margin: 0 0 1 0; }
    """

    BINDINGS = [
        Binding("c", "mode('code')", "Code", id="revert.code"),
        Binding("v", "mode('conversation')", "Conversation", id="revert.conversation"),
        Binding("b", "mode('both')", "Both", id="revert.both"),
        Binding("y", "confirm", "Revert", id="revert.confirm"),
        Binding("enter", "confirm", "Revert", id="revert.confirm_enter", show=False),
        Binding("escape,n", "cancel", "Cancel", id="revert.cancel"),
    ]

    def __init__(self, title: str, load: PreviewLoader) -> None:
        super().__init__()
        self.title_text = title
        self.load = load
        self.mode = RevertMode.BOTH
        self.preview: RevertPreview | None = None

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Label(self.title_text, id="revert-title")
            yield Static(id="revert-modes")
            with VerticalScroll():
                yield Static("Loading the preview…", id="revert-preview")
            yield Label("y revert · c/v/b choose · esc cancel", id="revert-help", classes="-keys")

    def on_mount(self) -> None:
        self._show_modes()
        self._load_preview()

    def _show_modes(self) -> None:
        text = Text("Revert: ")
        names = {
            RevertMode.CODE: "code",
            RevertMode.CONVERSATION: "conversation",
            RevertMode.BOTH: "both",
        }
        for mode, key in MODE_KEYS.items():
            chosen = mode is self.mode
            text.append(
                f"[{key}] {names[mode]}",
                style="bold reverse" if chosen else "dim",
            )
            text.append("  ")
        self.query_one("#revert-modes", Static).update(text)

    @work(exclusive=True, group="revert-preview", exit_on_error=False)
    async def _load_preview(self) -> None:
        from penguin_tui.errors import PenguinError

        self.preview = None
        self.query_one("#revert-preview", Static).update("Loading the preview…")
        try:
            preview = await self.load(self.mode)
        except PenguinError as error:
            self.query_one("#revert-preview", Static).update(error.message)
            return
        self.preview = preview
        self.query_one("#revert-preview", Static).update(describe_preview(preview))

    def action_mode(self, mode: str) -> None:
        self.mode = RevertMode(mode)
        self._show_modes()
        self._load_preview()

    def action_confirm(self) -> None:
        if self.preview is None or self.preview.mode is not self.mode:
            self.notify("the preview is still loading", severity="warning")
            return
        self.dismiss(self.mode)

    def action_cancel(self) -> None:
        self.dismiss(None)
