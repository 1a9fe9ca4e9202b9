"""Merge a branch (or files of it) into the current one: see what would change, confirm."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical, VerticalScroll
from textual.widgets import Label, Static

from penguin_tui.app.screens.preview_question import PreviewQuestion, styled
from penguin_tui.formatting import WORKBENCH, Span, Tone, file_rows
from penguin_tui.words import plural

if TYPE_CHECKING:
    from penguin_tui.checkpoints.service import MergePreview

MergePreviewLoader = Callable[[], Awaitable["MergePreview"]]


def describe_merge(preview: MergePreview) -> Text:
    """The files the merge would change and the conflicts it foresees, as the user reads
    them; or that it would change nothing."""
    text = Text()
    if preview.changes_nothing:
        text.append(
            f"Nothing to merge: {preview.branch} already has every change of "
            f"{preview.source}{' in these files' if preview.picked else ''}.\n",
            style="bold",
        )
        return text
    text.append(f"{plural(len(preview.files), 'file')} change:\n", style="bold")
    conflicts = set(preview.conflicts)

    def conflict(path: str) -> Span | None:
        return Span("conflict", Tone.STRONG) if path in conflicts else None

    text.append_text(styled(file_rows(preview.files, WORKBENCH, conflict)))
    if preview.conflicts:
        text.append(
            f"\n{plural(len(preview.conflicts), 'conflict')} foreseen: "
            f"{', '.join(preview.conflicts)} will get git's <<<<<<< markers for you to "
            "resolve (u undoes the merge).\n",
            style="bold",
        )
    else:
        text.append("\nNo conflict foreseen. u undoes the merge.\n", style="dim")
    return text


class MergeScreen(PreviewQuestion["MergePreview | None"]):
    """The merge question: answers the preview the user confirmed (the merge to make exactly),
    None when cancelled or when there is nothing to merge."""

    DEFAULT_CSS = """
    MergeScreen #merge-title { margin: 0 0 1 0; }
    """

    BINDINGS = [
        Binding("y", "confirm", "Merge", id="merge.confirm"),
        Binding("enter", "confirm", "Merge", id="merge.confirm_enter", show=False),
        Binding("escape,n", "cancel", "Cancel", id="merge.cancel"),
    ]

    def __init__(self, title: str, load: MergePreviewLoader) -> None:
        super().__init__()
        self.title_text = title
        self.load = load
        self.preview: MergePreview | None = None
        self.failed = False  # the preview could not be made: there is nothing to confirm

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Label(self.title_text, id="merge-title")
            with VerticalScroll():
                yield Static("Loading the preview…", id="merge-preview")
            yield Label("y merge · esc cancel", id="merge-help", classes="-keys")

    def on_mount(self) -> None:
        self._load_preview()

    @work(exclusive=True, group="merge-preview", exit_on_error=False)
    async def _load_preview(self) -> None:
        from penguin_tui.errors import PenguinError

        shown = self.query_one("#merge-preview", Static)
        try:
            preview = await self.load()
        except PenguinError as error:
            self.failed = True
            shown.update(Text(error.message))
            self.query_one("#merge-help", Label).update("esc close")
            return
        self.preview = preview
        shown.update(describe_merge(preview))
        if preview.changes_nothing:
            self.query_one("#merge-help", Label).update("esc close")

    def action_confirm(self) -> None:
        if self.failed:
            self.dismiss(None)
            return
        if self.preview is None:
            self.notify("the preview is still loading", severity="warning")
            return
        self.dismiss(None if self.preview.changes_nothing else self.preview)

    def action_cancel(self) -> None:
        self.dismiss(None)
