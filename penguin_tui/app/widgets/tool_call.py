"""A tool call inline in the chat: collapsible, with status, duration and an output preview."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from rich.text import Text
from textual.widget import Widget
from textual.widgets import Collapsible, Static

if TYPE_CHECKING:
    # The diff widgets (and pygments under them) load with the first diff shown, not with
    # the chat at start-up.
    from penguin_tui.app.widgets.diff_view import DiffView
    from penguin_tui.unified_diff import FileDiff

STATUS_ICONS = {
    "running": "⋯",
    "waiting": "?",
    "ok": "✓",
    "error": "✗",
    "denied": "⊘",
    "cancelled": "⏹",
    "timeout": "⏱",
}


def _args_line(tool: str, args: str) -> str:
    """The call in one line: the command for the shell, the path for file tools."""
    try:
        parsed = json.loads(args)
    except ValueError:
        return args[:120]
    if not isinstance(parsed, dict):
        return args[:120]
    if tool == "run_shell":
        return f"$ {parsed.get('command', '')}"
    if "path" in parsed:
        return str(parsed["path"])
    if "pattern" in parsed:
        return f"/{parsed['pattern']}/"
    return args[:120]


@dataclass(frozen=True)
class ToolOutcome:
    """How a tool call ended, as its view shows it (kept to draw it again after a reload)."""

    status: str
    summary: str
    duration_ms: float
    preview: str
    diff: str | None


class ToolCallView(Collapsible):
    """One tool call; the title carries the status, the body the output or the diff."""

    DEFAULT_CSS = """
    ToolCallView { margin: 0 0 1 2; padding: 0; border: none; background: $surface; }
    ToolCallView .tool-body { color: $text-muted; padding: 0 1; }
    ToolCallView DiffView { max-height: 20; margin-right: 1; }
    ToolCallView.-error CollapsibleTitle { color: $error; }
    ToolCallView.-ok CollapsibleTitle { color: $success; }
    ToolCallView.-denied CollapsibleTitle, ToolCallView.-cancelled CollapsibleTitle {
        color: $warning;
    }
    """

    def __init__(self, call_id: str, tool: str, args: str) -> None:
        self.call_id = call_id
        self.tool = tool
        self.args = args
        self.status = "running"
        self._body = Static("", classes="tool-body", markup=False)
        self._diff: DiffView | None = None
        self.outcome: ToolOutcome | None = None
        self._opening_by_itself = False
        super().__init__(self._body, title=self._heading(), collapsed=True)

    def scroll_visible(self, *args: Any, **kwargs: Any) -> None:
        """Come into view when the user opens the call — not when it opens on its own diff.

        A collapsible scrolls itself into view as it opens; for a call that opens on its
        diff as it finishes, that scroll would move the chat up to it and let go of the
        bottom, and the rest of the reply would come in out of sight.
        """
        if self._opening_by_itself:
            self._opening_by_itself = False
            return
        super().scroll_visible(*args, **kwargs)

    def _heading(self, suffix: str = "") -> str:
        icon = STATUS_ICONS.get(self.status, "•")
        heading = f"{icon} {self.tool}  {_args_line(self.tool, self.args)}{suffix}"
        # The title is read as markup: a command's brackets (`[a-z]`, `[/]`) are text.
        return heading.replace("[", "\\[")

    def waiting(self) -> None:
        self.status = "waiting"
        self.title = self._heading("  — waiting for your answer")

    def running(self) -> None:
        self.status = "running"
        self.title = self._heading()

    def finished(
        self, status: str, summary: str, duration_ms: float, preview: str, diff: str | None
    ) -> None:
        self.outcome = ToolOutcome(status, summary, duration_ms, preview, diff)
        self.status = status
        self.remove_class(*(f"-{known}" for known in STATUS_ICONS))  # drawn again: one status
        self.set_class(True, f"-{status}")
        # The shell's summary carries its own duration.
        timing = "" if self.tool == "run_shell" else f" · {duration_ms / 1000:.1f}s"
        self.title = self._heading(f"  — {summary}{timing}")
        if diff:
            from penguin_tui.unified_diff import parse_unified

            files = parse_unified(diff)
            if files:
                self._show_diff(files)
            else:  # not a diff after all: show it as it came
                self._body.update(Text(diff))
            self._opening_by_itself = self.is_mounted and self.collapsed
            self.collapsed = False
        else:
            self._body.update(Text(preview or "(no output)"))

    def _show_diff(self, files: list[FileDiff]) -> None:
        """The edit as the diff pane draws it (compact: no file list, at most 20 lines)."""
        if self._diff is not None:
            self._diff.show(files)
            return
        from penguin_tui.app.widgets.diff_view import DiffView

        self._diff = DiffView(files, layout="unified", compact=True)
        self._body.display = False
        contents = self._body.parent
        if isinstance(contents, Widget):
            contents.mount(self._diff, after=self._body)
        else:  # not composed yet: the diff joins the body when it is
            self.compose_add_child(self._diff)
