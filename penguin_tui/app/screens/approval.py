"""Asks the user about one tool call: allow once, allow always (session or project), deny."""

from __future__ import annotations

from typing import TYPE_CHECKING

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Input, Label, Static

from penguin_tui.app.widgets.diff_view import DiffView
from penguin_tui.app.widgets.key_hints import KeyHints
from penguin_tui.engine.approvals import ApprovalAnswer, Scope
from penguin_tui.unified_diff import parse_unified

if TYPE_CHECKING:
    from penguin_tui.bus.events import ApprovalRequested


class ApprovalScreen(ModalScreen[ApprovalAnswer]):
    """The question: the tool, the exact command and directory or the diff, and the choices."""

    # At the top, over a see-through background: the newest text of the chat (what the
    # agent said before asking, at the bottom) stays readable while the user decides. The
    # keys are docked: a long diff or command shrinks, the keys never go.
    DEFAULT_CSS = """
    ApprovalScreen { align: center top; }
    ApprovalScreen > Vertical {
        width: 90%; max-width: 120; height: auto; max-height: 100%;
        border: thick $warning; background: $surface; padding: 0 1;
    }
    ApprovalScreen .title { text-style: bold; color: $warning; }
    ApprovalScreen .why { color: $text-muted; width: 1fr; }
    ApprovalScreen VerticalScroll { height: auto; max-height: 50vh; background: $panel; }
    ApprovalScreen DiffView { max-height: 50vh; }
    ApprovalScreen KeyHints { dock: bottom; margin: 1 0 0 0; }
    ApprovalScreen Input { display: none; }
    ApprovalScreen Input.-visible { display: block; }
    """

    BINDINGS = [
        Binding("y", "allow_once", "Allow once", id="approval.allow_once"),
        Binding("s", "allow_session", "Always in this session", id="approval.allow_session"),
        Binding("p", "allow_project", "Always in this project", id="approval.allow_project"),
        Binding("n", "deny", "Deny", id="approval.deny"),
        Binding("r", "deny_with_reason", "Deny with a reason", id="approval.deny_reason"),
        Binding("escape", "deny", "Deny", show=False, id="approval.escape"),
    ]

    def __init__(self, tool: str, detail: str, reason: str, *, is_diff: bool = False) -> None:
        super().__init__()
        self.tool = tool
        self.detail = detail
        self.reason = reason
        # The tool said its preview is a diff (a file it will change), not text.
        self.is_diff = is_diff

    @classmethod
    def asking(cls, event: ApprovalRequested) -> ApprovalScreen:
        """The question an ``approval.requested`` event asks."""
        return cls(event.tool, event.detail, event.reason, is_diff=event.detail_is_diff)

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Label(f"Allow {self.tool}?", classes="title")
            yield Label(Text(self.reason), classes="why")
            if self.is_diff:
                # Compact: no file list, and n/p stay the answers, not hunk keys.
                yield DiffView(parse_unified(self.detail), layout="unified", compact=True)
            else:
                with VerticalScroll():
                    yield Static(Text(self.detail))
            yield Input(placeholder="why not? (sent to the model) — enter to deny")
            yield KeyHints()

    def action_allow_once(self) -> None:
        self.dismiss(ApprovalAnswer(True, Scope.ONCE))

    def action_allow_session(self) -> None:
        self.dismiss(ApprovalAnswer(True, Scope.SESSION))

    def action_allow_project(self) -> None:
        self.dismiss(ApprovalAnswer(True, Scope.PROJECT))

    def action_deny(self) -> None:
        self.dismiss(ApprovalAnswer(False, Scope.ONCE, "denied by the user"))

    def action_deny_with_reason(self) -> None:
        field = self.query_one(Input)
        field.add_class("-visible")
        field.focus()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        reason = event.value.strip()
        text = f"denied by the user: {reason}" if reason else "denied by the user"
        self.dismiss(ApprovalAnswer(False, Scope.ONCE, text))
