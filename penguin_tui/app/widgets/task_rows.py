"""What the task pane's rows say: a task's label (glyph, id, title, priority, why it waits,
its subtree's progress and cost), the pane's title and the prompt of "work on this task".
Pure functions over the plan, so a test can read them without a screen.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from rich.text import Text

from penguin_tui.app.markdown_style import rich_colour, solid_colour
from penguin_tui.formatting import TASK_GLYPHS, duration, money, tokens
from penguin_tui.tasks import graph
from penguin_tui.tasks.model import Priority, Progress, Task, TaskStatus

BAR_WIDTH = 5
WORKING_MARK = "▶ "


@dataclass(frozen=True)
class TaskColours:
    """Rich colours for the task rows, from the theme: finished, failed, waiting, ready,
    the task being worked on, and quiet notes."""

    done: str
    failed: str
    waiting: str
    ready: str
    working: str
    muted: str


def task_colours(variables: Mapping[str, str]) -> TaskColours:
    """The current theme's colours for the task rows."""
    return TaskColours(
        done=rich_colour(variables.get("text-success"), "green"),
        failed=rich_colour(variables.get("text-error"), "red"),
        waiting=rich_colour(variables.get("text-warning"), "yellow"),
        ready=rich_colour(variables.get("text-primary") or variables.get("primary"), "blue"),
        working=rich_colour(variables.get("text-accent") or variables.get("accent"), "magenta"),
        # Textual's text-muted is "auto 60%", no colour Rich knows: its foreground-muted is.
        muted=solid_colour(variables.get("foreground-muted"), variables.get("background")),
    )


def status_colour(status: TaskStatus, colours: TaskColours) -> str:
    """The glyph's colour for a status ("default" for those that need none)."""
    return {
        TaskStatus.DONE: colours.done,
        TaskStatus.FAILED: colours.failed,
        TaskStatus.BLOCKED: colours.failed,
        TaskStatus.DOING: colours.working,
        TaskStatus.REVIEW: colours.waiting,
        TaskStatus.CANCELLED: colours.muted,
    }.get(status, "default")


def progress_bar(progress: Progress, width: int = BAR_WIDTH) -> str:
    """``▰▰▱▱▱``: the finished part of a subtree, ``width`` cells."""
    filled = int(progress.fraction * width + 0.5)
    return "▰" * filled + "▱" * (width - filled)


def _notes(
    tasks: Mapping[str, Task], task: Task, children: Mapping[str, list[str]], colours: TaskColours
) -> list[tuple[str, str]]:
    """The row's notes after the title, each with its colour."""
    notes: list[tuple[str, str]] = []
    if task.priority is not Priority.MEDIUM:
        colour = colours.waiting if task.priority is Priority.HIGH else colours.muted
        notes.append((task.priority.value, colour))
    if graph.is_ready(tasks, task.id, children):
        notes.append(("ready", colours.ready))
    waiting = graph.why_waiting(tasks, task.id, children)
    if waiting and not children.get(task.id):
        notes.append((waiting, colours.waiting))
    cancelled = graph.cancelled_dependencies(tasks, task.id)
    if cancelled and not task.status.finished:
        notes.append((f"{', '.join(cancelled)} cancelled: no longer waits", colours.muted))
    if children.get(task.id):
        done = graph.progress(tasks, task.id, children)
        notes.append((f"{done.done}/{done.total} {progress_bar(done)}", colours.done))
    spent = graph.spend(tasks, task.id, children)
    if spent.input_tokens or spent.output_tokens:
        used = tokens(spent.input_tokens + spent.output_tokens, shorten_from=1000)
        notes.append((f"{used} tok {money(spent.cost_usd)}", colours.muted))
    if spent.time_s:
        notes.append((duration(spent.time_s), colours.muted))
    return notes


def task_label(
    tasks: Mapping[str, Task],
    task_id: str,
    children: Mapping[str, list[str]],
    colours: TaskColours,
    *,
    working: bool = False,
) -> Text:
    """One row: ``○ T4 write the parser  high · after T3 (todo) · 1/3 ▰▰▱▱▱ · 12.3k tok $0.02``;
    the task being worked on starts with ``▶`` in the theme's accent."""
    task = tasks[task_id]
    finished = task.status.finished
    text = Text()
    if working:
        text.append(WORKING_MARK, style=f"bold {colours.working}")
    glyph = TASK_GLYPHS[task.status.value]
    text.append(f"{glyph} ", style=f"bold {status_colour(task.status, colours)}")
    text.append(task.id, style=f"bold {colours.working}" if working else "bold")
    title_style = f"{colours.muted}" if finished else ("bold" if working else "")
    if task.status is TaskStatus.CANCELLED:
        title_style += " strike"
    text.append(f" {task.title}", style=title_style.strip())
    for index, (note, colour) in enumerate(_notes(tasks, task, children, colours)):
        text.append("  " if index == 0 else " · ", style=colours.muted)
        text.append(note, style=colour)
    return text


def pane_title(tasks: Mapping[str, Task], children: Mapping[str, list[str]]) -> str:
    """``Tasks 3/7``: the project's finished tasks over its tasks (cancelled ones left out)."""
    if not tasks:
        return "Tasks · none yet"
    done = graph.progress(tasks, None, children)
    return f"Tasks {done.done}/{done.total}"


def task_prompt(task: Task) -> str:
    """The prompt of "work on this task": its title, description and criteria."""
    parts = [f"Work on task {task.id}: {task.title}"]
    if task.description:
        parts.append(task.description)
    if task.criteria:
        parts.append("Done when:\n" + "\n".join(f"- {c.text}" for c in task.criteria))
    return "\n\n".join(parts)
