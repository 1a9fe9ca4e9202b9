"""How the task pane looks, at 80×24 and 160×48, in both themes, with a fixed plan."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from textual.app import App, ComposeResult

from penguin_tui.app.themes import builtin_theme_dir, load_themes
from penguin_tui.app.widgets.task_tree import TaskTree
from penguin_tui.tasks.model import Priority, Task, TaskStatus

PLAN = {
    task.id: task
    for task in (
        Task("T1", "Parse the config file", status=TaskStatus.DOING, priority=Priority.HIGH),
        Task(
            "T2",
            "Read TOML tables",
            status=TaskStatus.DONE,
            parent="T1",
            input_tokens=8200,
            output_tokens=1900,
            cost_usd=0.0412,
            time_s=95,
            branch="task/T2",
        ),
        Task("T3", "Report unknown keys by name", parent="T1", after=("T2",)),
        Task("T4", "Validate the theme names", parent="T1", after=("T3",), priority=Priority.LOW),
        Task("T5", "Write the user guide", after=("T1",)),
        Task("T6", "Try a YAML config", status=TaskStatus.CANCELLED),
        Task("T7", "Document the config keys", after=("T6",)),
        Task(
            "T8",
            "Benchmark start-up",
            status=TaskStatus.FAILED,
            input_tokens=3000,
            output_tokens=800,
            cost_usd=None,
            time_s=40,
        ),
        Task("T9", "Compare with the old parser", after=("T8",)),
    )
}


class TaskPaneApp(App[None]):
    """Only the task pane, filled with a fixed plan; T3 is being worked on."""

    CSS = "TaskTree { border: round $primary; }"

    def __init__(self, theme: str) -> None:
        super().__init__()
        for found in load_themes([builtin_theme_dir()])[0]:
            self.register_theme(found)
        self.theme = theme

    def compose(self) -> ComposeResult:
        yield TaskTree(id="tasks")

    def on_mount(self) -> None:
        pane = self.query_one(TaskTree)
        pane.show_tasks(PLAN)
        pane.working_on = "T3"
        pane.move_cursor(pane.nodes["T3"])
        pane.focus()


@pytest.mark.parametrize("theme", ["penguin-dark", "penguin-light"])
@pytest.mark.parametrize("size", [(80, 24), (160, 48)])
def test_task_pane(snap_compare: Callable[..., bool], theme: str, size: tuple[int, int]) -> None:
    """Title "Tasks 1/7" (leaves; cancelled T6 left out). T1 ◐ high, its subtree 1/3, a bar and
    the cost of T2 (10.1k tok $0.0412 1m 35s); T2 ✓ done, dimmed; T3 marked ▶ (worked on, under
    the cursor) and ready; T4 low, after T3 (todo); T5 after T1 (doing); T6 – struck through;
    T7 ready, saying T6 was cancelled and no longer holds it; T8 ✗ failed with its tokens and
    n/a dollars; T9 after T8 (failed)."""
    assert snap_compare(TaskPaneApp(theme), terminal_size=size)


@pytest.mark.parametrize("theme", ["penguin-dark", "penguin-light"])
def test_task_pane_as_narrow_as_the_side_column(
    snap_compare: Callable[..., bool], theme: str
) -> None:
    """The same plan 32 columns wide, as the side column is at 80: each row too long for the
    pane ends in "…" at its edge, and no sideways scrollbar at the foot."""
    assert snap_compare(TaskPaneApp(theme), terminal_size=(32, 12))
