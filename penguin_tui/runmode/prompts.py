"""What run mode says to the agent: the first message of a task's conversation, the message
that goes on with a task after a stop, and the one that hands back a failing check.

Each begins with the task's id on its first line (``Task T3: …``, ``Go on with task T3: …``,
``The check of task T3 failed …``), so the conversation says what it is about at a glance."""

from __future__ import annotations

from penguin_tui.tasks import graph
from penguin_tui.tasks.model import Task, TaskStatus

# The most of a check's output handed back to the agent (the start and the end are kept).
CHECK_OUTPUT_CHARS = 6000

_HOW_TO_FINISH = (
    'When the task is done, call task_update with id "{id}", status "done" and a short summary '
    "for the tasks that come after it. {settle} If you cannot do it, call task_update with "
    'status "failed" (or "blocked" when something outside the project stops you) and say why '
    "in notes. Work on this task only."
)


def _settle(task: Task) -> str:
    if task.check:
        return f"penguin-tui then runs its check, `{task.check}`: the task is done when it exits 0."
    return "penguin-tui then merges your work into the run's branch."


def task_prompt(task: Task, plan: graph.Tasks) -> str:
    """The first message of a task's own conversation: the task, its criteria and check, and
    what the tasks it comes after left for it."""
    lines = [f"Task {task.id}: {task.title}"]
    if task.description:
        lines += ["", task.description]
    if task.criteria:
        lines += ["", "Acceptance criteria:"]
        lines += [f"{n}. {c.text}" for n, c in enumerate(task.criteria, start=1)]
    if task.check:
        lines += ["", f"Check: `{task.check}` must exit 0."]
    finished = [
        plan[d] for d in graph.dependencies(plan, task.id) if plan[d].status is TaskStatus.DONE
    ]
    if finished:
        lines += ["", "Finished before it:"]
        for before in finished:
            summary = f": {before.summary}" if before.summary else ""
            lines.append(f"- {before.id} {before.title}{summary}")
    lines += ["", _HOW_TO_FINISH.format(id=task.id, settle=_settle(task))]
    return "\n".join(lines)


def carry_on_prompt(task: Task) -> str:
    """After a stop (an interrupt, a budget, a crash): go on where the conversation is."""
    return "\n".join(
        [
            f"Go on with task {task.id}: {task.title}",
            "",
            "The run stopped before this task was finished and now goes on. Look at what is "
            "already done (the files may be half-written), then finish it.",
            "",
            _HOW_TO_FINISH.format(id=task.id, settle=_settle(task)),
        ]
    )


def check_failed_prompt(task: Task, exit_code: int | None, output: str) -> str:
    """A failing check handed back: the command, how it ended, and its output."""
    ended = f"exited {exit_code}" if exit_code is not None else "did not finish"
    return "\n".join(
        [
            f"The check of task {task.id} failed: `{task.check}` {ended}.",
            "",
            "```",
            _shortened(output),
            "```",
            "",
            f'Fix it, then call task_update with id "{task.id}" and status "done" again; or, '
            'if you cannot, with status "failed" and why in notes.',
        ]
    )


def _shortened(output: str) -> str:
    if len(output) <= CHECK_OUTPUT_CHARS:
        return output.rstrip()
    half = CHECK_OUTPUT_CHARS // 2
    return f"{output[:half].rstrip()}\n… ({len(output) - 2 * half:,} characters left out) …\n" + (
        output[-half:].lstrip()
    )
