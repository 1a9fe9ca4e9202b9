"""A task in full: its fields, what it spent, the branch and checkpoints of its work and its
history; b and d open the checkpoint browser and the diff viewer on that work."""

from __future__ import annotations

import dataclasses
import time
from collections.abc import Mapping, Sequence
from enum import StrEnum
from typing import TYPE_CHECKING

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Static

from penguin_tui.app.widgets.key_hints import KeyHints
from penguin_tui.app.widgets.task_rows import TaskColours, progress_bar, status_colour, task_colours
from penguin_tui.formatting import TASK_GLYPHS, age, checkpoint_label, duration, money, tokens
from penguin_tui.tasks import graph

if TYPE_CHECKING:
    from penguin_tui.checkpoints.model import Checkpoint
    from penguin_tui.tasks.model import Task, TaskChange

LABEL_WIDTH = 12


class WorkView(StrEnum):
    """Where the details send the user to see the task's work."""

    BROWSE = "browse"
    DIFF = "diff"


def no_work(task: Task) -> str:
    """What b and d say about a task whose work left no checkpoint."""
    return f"{task.id} has no work to show yet: no branch, no checkpoints"


class _Body:
    """The details' text, built a section at a time: a muted label column, then the value."""

    def __init__(self, colours: TaskColours) -> None:
        self.text = Text()
        self.colours = colours

    def field(self, label: str, value: str | Text, style: str = "") -> None:
        self.text.append(f"{label:<{LABEL_WIDTH}}", style=self.colours.muted)
        if isinstance(value, Text):
            self.text.append_text(value)
        else:
            self.text.append(value, style=style)
        self.text.append("\n")

    def heading(self, title: str) -> None:
        self.text.append(f"\n{title}\n", style="bold")

    def line(self, value: str, style: str = "") -> None:
        self.text.append(f"  {value}\n", style=style)


def _state(plan: Mapping[str, Task], task: Task, colours: TaskColours) -> Text:
    """``◐ doing · high priority · ready``: the glyph in the status's colour."""
    state = Text()
    state.append(
        TASK_GLYPHS[task.status.value], style=f"bold {status_colour(task.status, colours)}"
    )
    state.append(f" {task.status.value} · {task.priority.value} priority")
    if graph.is_ready(plan, task.id):
        state.append(" · ready", style=colours.ready)
    state.append(f" · made by the {task.created_by.value}", style=colours.muted)
    return state


def _plan_fields(body: _Body, plan: Mapping[str, Task], task: Task) -> None:
    """What the task is: its place in the plan, why it waits, its criteria and its check."""
    colours = body.colours
    children = graph.children_of(plan)
    body.field("Status", _state(plan, task, colours))
    if task.parent:
        body.field("Subtask of", task.parent)
    if children.get(task.id):
        done = graph.progress(plan, task.id, children)
        body.field("Subtasks", f"{done.done}/{done.total} done {progress_bar(done)}", colours.done)
    if task.after:
        body.field("After", ", ".join(task.after))
    waiting = graph.why_waiting(plan, task.id, children)
    if waiting:
        body.field("Waits", waiting, colours.waiting)
    cancelled = graph.cancelled_dependencies(plan, task.id)
    if cancelled and not task.status.finished:
        body.field("No wait", f"{', '.join(cancelled)} cancelled", colours.muted)
    if task.check:
        trust = "trusted" if task.check_trusted else "not confirmed"
        check = Text(task.check)
        check.append(f"  ({trust})", style=colours.muted if task.check_trusted else colours.waiting)
        body.field("Check", check)
    if task.description:
        body.heading("Description")
        body.text.append(f"{task.description}\n")
    if task.criteria:
        body.heading("Criteria")
        for criterion in task.criteria:
            style = colours.done if criterion.done else ""
            body.line(f"{'☑' if criterion.done else '☐'} {criterion.text}", style)


def _work_fields(
    body: _Body, plan: Mapping[str, Task], task: Task, known: Mapping[str, Checkpoint]
) -> None:
    """What the task's work cost and left: tokens, dollars, time, its branch, its checkpoints."""
    colours = body.colours
    children = graph.children_of(plan)
    spent = graph.spend(plan, task.id, children)
    used = tokens(spent.input_tokens + spent.output_tokens, shorten_from=None)
    split = f" ({tokens(spent.input_tokens, shorten_from=None)} in)" if spent.input_tokens else ""
    whose = " (with its subtasks)" if children.get(task.id) else ""
    body.heading("Work")
    body.field(
        "Spent", f"{used} tokens{split} · {money(spent.cost_usd)} · {duration(spent.time_s)}{whose}"
    )
    body.field("Branch", task.branch or "none yet", "" if task.branch else colours.muted)
    if not task.checkpoints:
        body.field("Checkpoints", "none yet", colours.muted)
        return
    body.field("Checkpoints", f"{len(task.checkpoints)}, oldest first")
    for checkpoint_id in task.checkpoints:
        found = known.get(checkpoint_id)
        if found is None:
            body.line(f"{checkpoint_id[:8]} (not in this session)", colours.muted)
        else:
            body.line(checkpoint_label(found))


def _history(body: _Body, history: Sequence[TaskChange], now: float) -> None:
    body.heading("History")
    if not history:
        body.line("nothing yet", body.colours.muted)
    for change in history:
        body.text.append(f"  {age(now - change.at) + ' ago':<9}", style=body.colours.muted)
        body.text.append(f"{change.actor.value:<6}", style="bold")
        body.text.append(f"{change.what}\n")


def details_body(
    plan: Mapping[str, Task],
    task: Task,
    history: Sequence[TaskChange],
    known: Mapping[str, Checkpoint],
    colours: TaskColours,
    now: float,
) -> Text:
    """Everything about ``task`` (a task of ``plan``): its fields, its work (``known``: the
    session's checkpoints by id, for their labels) and its history, oldest first."""
    body = _Body(colours)
    _plan_fields(body, plan, task)
    _work_fields(body, plan, task, known)
    _history(body, history, now)
    body.text.rstrip()
    return body.text


class TaskDetails(ModalScreen[WorkView | None]):
    """One task in full; answers where to see its work (browser or diff), None on escape.
    On a task with no checkpoints, b and d say so and the details stay open."""

    DEFAULT_CSS = """
    TaskDetails { align: center middle; }
    TaskDetails > Vertical {
        width: 90%; max-width: 100; height: 90%;
        border: round $primary; background: $surface; padding: 0 1;
    }
    TaskDetails VerticalScroll { height: 1fr; }
    TaskDetails KeyHints { dock: bottom; margin: 1 0 0 0; }
    """

    BINDINGS = [
        Binding("b", "browse", "Checkpoint browser", id="task_details.browse"),
        Binding("d", "diff", "Diff of its work", id="task_details.diff"),
        Binding("escape", "close", "Close", id="task_details.close"),
    ]

    def __init__(
        self,
        plan: Mapping[str, Task],
        task: Task,
        history: Sequence[TaskChange],
        known: Mapping[str, Checkpoint],
        now: float | None = None,
    ) -> None:
        super().__init__()
        self.plan = plan
        self.shown = task
        self.history = history
        self.known = known
        self.now = time.time() if now is None else now

    def compose(self) -> ComposeResult:
        task = self.shown
        # Dim, not the theme's text-muted: that one is relative ("auto 60%"), no Rich colour.
        colours = dataclasses.replace(task_colours(self.app.theme_variables), muted="dim")
        with Vertical() as frame:
            frame.border_title = f"{task.id} {task.title}"
            with VerticalScroll():
                yield Static(
                    details_body(self.plan, task, self.history, self.known, colours, self.now),
                    id="task-details-body",
                )
            yield KeyHints()

    def _to_work(self, view: WorkView) -> None:
        if not self.shown.checkpoints:
            self.notify(no_work(self.shown), severity="warning")
            return
        self.dismiss(view)

    def action_browse(self) -> None:
        self._to_work(WorkView.BROWSE)

    def action_diff(self) -> None:
        self._to_work(WorkView.DIFF)

    def action_close(self) -> None:
        self.dismiss(None)
