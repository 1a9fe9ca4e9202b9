"""What a row of the task pane says: the same things as a row of `penguin-tui tasks list`."""

from __future__ import annotations

from pathlib import Path

from penguin_tui.app.widgets.task_rows import (
    TaskColours,
    pane_title,
    progress_bar,
    task_label,
    task_prompt,
)
from penguin_tui.tasks.graph import children_of
from penguin_tui.tasks.model import (
    Criterion,
    Priority,
    Progress,
    Task,
    TaskStatus,
)

COLOURS = TaskColours("green", "red", "yellow", "blue", "magenta", "grey50")

PLAN = {
    "T1": Task("T1", "parser", status=TaskStatus.TODO),
    "T2": Task(
        "T2",
        "tokens",
        status=TaskStatus.DONE,
        parent="T1",
        input_tokens=9000,
        output_tokens=3400,
        cost_usd=0.0123,
        time_s=65,
    ),
    "T3": Task("T3", "grammar", parent="T1", priority=Priority.HIGH),
    "T4": Task("T4", "docs", after=("T3",)),
    "T5": Task("T5", "old idea", status=TaskStatus.CANCELLED),
    "T6": Task("T6", "tests", after=("T5",), priority=Priority.LOW),
}


def label(task_id: str, working: bool = False) -> str:
    return task_label(PLAN, task_id, children_of(PLAN), COLOURS, working=working).plain


def test_a_parent_shows_its_subtree_progress_and_cost() -> None:
    assert label("T1") == "○ T1 parser  1/2 ▰▰▰▱▱ · 12.4k tok $0.0123 · 1m 05s"


def test_a_task_says_it_is_ready_or_what_it_waits_for() -> None:
    assert label("T3") == "○ T3 grammar  high · ready"
    assert label("T4") == "○ T4 docs  after T3 (todo)"


def test_a_cancelled_dependency_no_longer_holds_its_task_and_the_row_says_so() -> None:
    assert label("T6") == "○ T6 tests  low · ready · T5 cancelled: no longer waits"
    assert label("T5") == "– T5 old idea"


def test_the_task_being_worked_on_is_marked() -> None:
    assert label("T3", working=True).startswith("▶ ○ T3 grammar")


def test_the_title_counts_the_finished_tasks_of_the_project() -> None:
    assert pane_title(PLAN, children_of(PLAN)) == "Tasks 1/4"
    assert pane_title({}, {}) == "Tasks · none yet"
    assert progress_bar(Progress(0, 3)) == "▱▱▱▱▱"


def test_the_prompt_of_work_on_is_the_task() -> None:
    task = Task("T3", "grammar", description="Write it.", criteria=(Criterion("parses 1+2"),))
    assert task_prompt(task) == (
        "Work on task T3: grammar\n\nWrite it.\n\nDone when:\n- parses 1+2"
    )


def test_finished_and_cancelled_rows_are_muted_in_the_themes_own_colours() -> None:
    from textual.color import Color

    from penguin_tui.app.app import LaunchOptions, PenguinApp
    from penguin_tui.app.widgets.task_rows import task_colours

    app = PenguinApp(LaunchOptions(Path(".")))
    for theme in ("penguin-dark", "penguin-light"):
        app.theme = theme
        variables = app.get_css_variables()
        muted = task_colours(variables).muted
        assert muted.startswith("#"), muted  # a colour, not the terminal's default
        # Between the text and the background: muted, and still readable.
        text, background = (
            Color.parse(variables["foreground"]),
            Color.parse(variables["background"]),
        )
        shade = Color.parse(muted)
        assert min(text.brightness, background.brightness) < shade.brightness
        assert shade.brightness < max(text.brightness, background.brightness)
