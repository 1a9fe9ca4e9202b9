"""How a task's details look at 80×24, in both themes, with a fixed task, work and history."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from textual.app import App

from penguin_tui.app.screens.task_details import TaskDetails
from penguin_tui.app.themes import builtin_theme_dir, load_themes
from penguin_tui.checkpoints.model import CheckpointKind
from penguin_tui.tasks.model import Actor, Criterion, Priority, Task, TaskChange, TaskStatus
from tests.tui.test_checkpoint_snapshots import NOW, checkpoint

WORK = {
    c.id: c
    for c in (
        checkpoint("b7e2f0a19c44", "task/T3", "a1b2c3d4e5f6", CheckpointKind.AUTO,
                   "T3: report unknown keys", 420, (2, 31, 4), 9_000, 0.018),
        checkpoint("c9d1e3f5a7b2", "task/T3", "b7e2f0a19c44", CheckpointKind.AUTO,
                   "T3: name the key in the message", 180, (1, 6, 2), 3_400, 0.006),
    )
}  # fmt: skip

PLAN = {
    task.id: task
    for task in (
        Task("T2", "Read TOML tables", status=TaskStatus.DONE),
        Task(
            "T3",
            "Report unknown keys by name",
            status=TaskStatus.REVIEW,
            priority=Priority.HIGH,
            description="A typo in the config names the key and the file, not a traceback.",
            criteria=(Criterion("names the key", True), Criterion("names the file")),
            after=("T2",),
            check="pytest tests/test_config.py -q",
            created_by=Actor.AGENT,
            branch="task/T3",
            checkpoints=tuple(WORK),
            input_tokens=12_400,
            output_tokens=2_100,
            cost_usd=0.024,
            time_s=185,
        ),
    )
}

HISTORY = [
    TaskChange("T3", Actor.AGENT, "created", NOW - 3_600),
    TaskChange("T3", Actor.USER, "priority medium → high", NOW - 1_800),
    TaskChange("T3", Actor.AGENT, "status todo → doing", NOW - 600),
    TaskChange("T3", Actor.AGENT, "criterion 1 met: names the key", NOW - 200),
    TaskChange("T3", Actor.AGENT, "status doing → review", NOW - 120),
]


class DetailsApp(App[None]):
    """An empty screen with T3's details over it."""

    def __init__(self, theme: str) -> None:
        super().__init__()
        for found in load_themes([builtin_theme_dir()])[0]:
            self.register_theme(found)
        self.theme = theme

    def on_mount(self) -> None:
        self.push_screen(TaskDetails(PLAN, PLAN["T3"], HISTORY, WORK, now=NOW))


@pytest.mark.parametrize("theme", ["penguin-dark", "penguin-light"])
def test_task_details(snap_compare: Callable[..., bool], theme: str) -> None:
    """Titled "T3 Report unknown keys by name": ◎ review · high priority · made by the agent;
    after T2; the check in full, "(not confirmed)" in the warning colour; the description and
    the criteria (☑ names the key in the success colour, ☐ names the file); then scrolled
    below the fold: spent 14,500 tokens (12,400 in) · $0.0240 · 3m 05s, branch task/T3, its
    two checkpoints by label, and the five history lines. The keys at the foot:
    b Checkpoint browser · d Diff of its work · esc Close."""
    assert snap_compare(DetailsApp(theme), terminal_size=(80, 24))


@pytest.mark.parametrize("theme", ["penguin-dark", "penguin-light"])
def test_task_details_scrolled_to_its_work(snap_compare: Callable[..., bool], theme: str) -> None:
    """The same details scrolled to the end: the work (spend, branch, the two checkpoints
    with their ids, branch and labels) and the history, who, what and how long ago."""

    async def to_the_end(pilot: object) -> None:
        from textual.pilot import Pilot

        assert isinstance(pilot, Pilot)
        await pilot.press("end")

    assert snap_compare(DetailsApp(theme), terminal_size=(80, 24), run_before=to_the_end)
