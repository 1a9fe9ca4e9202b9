"""The form that edits a task: title, description, criteria (one per line), the tasks it
comes after, priority and check command. Ctrl+S saves, Esc cancels."""

from __future__ import annotations

from dataclasses import dataclass

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Input, Label, Select, TextArea

from penguin_tui.tasks.model import Priority, Task


@dataclass(frozen=True)
class TaskFormAnswer:
    """What the form says a task should be (the controller turns it into an edit)."""

    title: str
    description: str
    criteria: tuple[str, ...]
    after: tuple[str, ...]
    priority: Priority
    check: str


class TaskForm(ModalScreen[TaskFormAnswer | None]):
    """Edits one task's fields; the answer is the whole form, None when cancelled."""

    DEFAULT_CSS = """
    TaskForm { align: center middle; }
    TaskForm > VerticalScroll {
        width: 80%; max-width: 90; height: auto; max-height: 90%;
        border: round $primary; background: $surface; padding: 0 1;
    }
    TaskForm Label { color: $text-muted; }
    TaskForm TextArea { height: 4; }
    """

    BINDINGS = [
        Binding("ctrl+s", "save", "Save", id="task_form.save", priority=True),
        Binding("escape", "cancel", "Cancel", id="task_form.cancel"),
    ]

    def __init__(self, task: Task) -> None:
        super().__init__()
        self.editing = task

    def compose(self) -> ComposeResult:
        task = self.editing
        with VerticalScroll() as frame:
            frame.border_title = f"Edit {task.id} · ctrl+s saves, esc cancels"
            yield Label("Title")
            yield Input(task.title, id="title")
            yield Label("Description")
            yield TextArea(task.description, id="description")
            yield Label("Criteria, one per line")
            yield TextArea("\n".join(c.text for c in task.criteria), id="criteria")
            yield Label("After (task ids)")
            yield Input(" ".join(task.after), placeholder="T1 T2", id="after")
            yield Label("Priority")
            yield Select(
                [(p.value, p) for p in Priority],
                value=task.priority,
                allow_blank=False,
                id="priority",
            )
            yield Label("Check command (exit 0: done)")
            yield Input(task.check or "", id="check")

    def on_mount(self) -> None:
        self.query_one("#title", Input).focus()

    def answer(self) -> TaskFormAnswer:
        """The form's fields as they stand."""
        priority = self.query_one("#priority", Select).value
        criteria = self.query_one("#criteria", TextArea).text.splitlines()
        after = self.query_one("#after", Input).value.replace(",", " ").split()
        return TaskFormAnswer(
            title=self.query_one("#title", Input).value,
            description=self.query_one("#description", TextArea).text,
            criteria=tuple(c.strip() for c in criteria if c.strip()),
            after=tuple(after),
            priority=priority if isinstance(priority, Priority) else self.editing.priority,
            check=self.query_one("#check", Input).value,
        )

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.action_save()

    def action_save(self) -> None:
        self.dismiss(self.answer())

    def action_cancel(self) -> None:
        self.dismiss(None)
