"""task_list, task_create, task_update: the agent's view of the project's task plan, changed one
task at a time through the TaskService (never a whole-list rewrite), as the agent.

The plan is read again before each call, so a change made meanwhile by ``penguin-tui tasks``
in a shell is seen. A change the plan refuses (a cycle, an unknown id…) is an error result
with the one-line reason.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Literal

from pydantic import Field

from penguin_tui.engine.tools.base import (
    Tool,
    ToolArguments,
    ToolContext,
    ToolError,
    ToolPreview,
    ToolResult,
)
from penguin_tui.tasks import graph
from penguin_tui.tasks.model import (
    Actor,
    Priority,
    Task,
    TaskEdit,
    TaskError,
    TaskStatus,
    normal_id,
    task_number,
)
from penguin_tui.words import plural

if TYPE_CHECKING:
    from penguin_tui.tasks.service import TaskService

# Spelled out (not the enums) so the schema the model reads holds the values inline.
StatusName = Literal["todo", "doing", "blocked", "review", "done", "failed", "cancelled"]
PriorityName = Literal["high", "medium", "low"]

NO_PLAN = "the task plan is not available here (no project is open)"
_DESCRIPTION_CHARS = 160


async def _plan(ctx: ToolContext) -> TaskService:
    """The project's task plan, read again; a ToolError when there is none."""
    if ctx.tasks is None:
        raise ToolError(NO_PLAN)
    await ctx.tasks.reload()
    return ctx.tasks


def _waiting(tasks: graph.Tasks, task: Task) -> str:
    """``ready``, or why a to-do task waits; empty for the other statuses."""
    why = graph.why_waiting(tasks, task.id)
    if why is not None:
        return f"waiting: {why}"
    return "ready" if graph.is_ready(tasks, task.id) else ""


def describe_task(tasks: graph.Tasks, task: Task) -> str:
    """One line for a task: id, status, priority, title, what it comes after, ready or why
    not, and how many of its criteria are met."""
    parts = [task.id, task.status.value, task.priority.value, task.title]
    if task.after:
        parts.append("after " + ", ".join(task.after))
    waiting = _waiting(tasks, task)
    if waiting:
        parts.append(waiting)
    if task.criteria:
        met = sum(c.done for c in task.criteria)
        parts.append(f"criteria {met}/{len(task.criteria)}")
    return " · ".join(parts)


def _shortened(text: str) -> str:
    line = " ".join(text.split())
    return line if len(line) <= _DESCRIPTION_CHARS else line[: _DESCRIPTION_CHARS - 1] + "…"


def render_plan(tasks: graph.Tasks) -> str:
    """The whole plan as an indented tree in id order, each task with its description,
    summary and numbered criteria under it."""
    if not tasks:
        return "No tasks yet."
    children = graph.children_of(tasks)
    lines: list[str] = []

    def write(task_id: str, depth: int) -> None:
        task = tasks[task_id]
        pad = "  " * depth
        lines.append(f"{pad}- {describe_task(tasks, task)}")
        for name in ("description", "summary"):
            text = getattr(task, name)
            if text:
                lines.append(f"{pad}    {name}: {_shortened(text)}")
        for number, criterion in enumerate(task.criteria, start=1):
            mark = "x" if criterion.done else " "
            lines.append(f"{pad}    {number}. [{mark}] {criterion.text}")
        for child in children[task_id]:
            write(child, depth + 1)

    for task_id in sorted(tasks, key=task_number):
        parent = tasks[task_id].parent
        if parent is None or parent not in tasks:
            write(task_id, 0)
    done = sum(t.status is TaskStatus.DONE for t in tasks.values())
    ready = graph.ready_ids(tasks)
    head = f"{plural(len(tasks), 'task')}, {done} done; ready: {', '.join(ready) or 'none'}"
    return "\n".join([head, *lines])


def _task_error(error: TaskError) -> ToolError:
    return ToolError(error.message)


class TaskListArgs(ToolArguments):
    """Arguments of task_list: none."""


class TaskListTool(Tool[TaskListArgs]):
    """Shows the project's task plan."""

    name = "task_list"
    parameters = TaskListArgs
    description = (
        "Show the project's task plan, shared with the user: each task as `id · status · "
        "priority · title · after … · ready or why it waits · criteria met/total`, subtasks "
        "indented under their parent, then its description, summary and numbered acceptance "
        "criteria ([x] met). Use the ids and criterion numbers with task_update."
    )

    async def execute(self, args: TaskListArgs, ctx: ToolContext) -> ToolResult:
        plan = await _plan(ctx)
        return ToolResult.success(
            render_plan(plan.tasks), f"task plan: {plural(len(plan.tasks), 'task')}"
        )


class TaskCreateArgs(ToolArguments):
    """Arguments of task_create."""

    title: str = Field(description="A short title (at most 200 characters).")
    description: str = Field(default="", description="What is to be done, in more words.")
    parent: str | None = Field(default=None, description="The id of the parent task (e.g. T2).")
    after: list[str] = Field(
        default_factory=list, description="Ids of the tasks that must be finished first."
    )
    priority: PriorityName = Field(default="medium", description="How soon it should be done.")
    check: str | None = Field(
        default=None,
        description="A shell command that exits 0 when the task is done (e.g. a test command).",
    )
    criteria: list[str] = Field(
        default_factory=list, description="Acceptance criteria, one short sentence each."
    )


class TaskCreateTool(Tool[TaskCreateArgs]):
    """Adds one task to the plan, as the agent."""

    name = "task_create"
    parameters = TaskCreateArgs
    description = (
        "Add one task to the project's task plan (shared with the user). It gets the next id "
        "(T1, T2, …), which never changes. `after` lists the tasks it waits for; `parent` makes "
        "it a subtask. A change that would make a cycle is refused. Returns the new id."
    )

    async def execute(self, args: TaskCreateArgs, ctx: ToolContext) -> ToolResult:
        plan = await _plan(ctx)
        if args.parent and _is_running(ctx, args.parent):
            raise ToolError(
                f"{ctx.running_task} is being carried out by run mode and cannot get subtasks "
                "now: finish it (its check decides), or add the new task after it"
            )
        try:
            task = await plan.add(
                args.title,
                actor=Actor.AGENT,
                description=args.description,
                parent=args.parent,
                after=args.after,
                priority=Priority(args.priority),
                check=args.check,
                criteria=args.criteria,
            )
        except TaskError as error:
            raise _task_error(error) from error
        line = describe_task(plan.tasks, task)
        return ToolResult.success(f"Created {task.id}: {line}", f"created {task.id}: {task.title}")


class TaskUpdateArgs(ToolArguments):
    """Arguments of task_update."""

    id: str = Field(description="The id of the task to change (e.g. T3).")
    status: StatusName | None = Field(default=None, description="The task's new status.")
    title: str | None = Field(default=None, description="A new title.")
    description: str | None = Field(default=None, description="A new description.")
    notes: str | None = Field(default=None, description="Working notes (replaces the old ones).")
    summary: str | None = Field(
        default=None, description="What was done, for the tasks that come after this one."
    )
    after: list[str] = Field(
        default_factory=list,
        description="Ids of tasks this one must also wait for (added to its dependencies).",
    )
    criteria_done: list[int] = Field(
        default_factory=list,
        description="Numbers of the acceptance criteria now met, 1-based as task_list shows them.",
    )


class TaskUpdateTool(Tool[TaskUpdateArgs]):
    """Changes one task of the plan, as the agent."""

    name = "task_update"
    parameters = TaskUpdateArgs
    description = (
        "Change one task of the project's task plan: its status, title, description, notes or "
        "summary; `after` adds dependencies; `criteria_done` marks acceptance criteria met by "
        "their 1-based numbers from task_list. Fields left out stay as they are. Cancelling or "
        "renaming a task the user created asks the user first."
    )

    async def execute(self, args: TaskUpdateArgs, ctx: ToolContext) -> ToolResult:
        plan = await _plan(ctx)
        status = None if args.status is None else TaskStatus(args.status)
        if status is not None and ctx.running_task and not _is_running(ctx, args.id):
            raise ToolError(
                f"run mode is carrying out {ctx.running_task}: only its status is yours to "
                "change now (the others are settled by their own runs or by the user)"
            )
        claimed = status is TaskStatus.DONE and _is_running(ctx, args.id)
        edit = TaskEdit(
            title=args.title,
            description=args.description,
            status=TaskStatus.REVIEW if claimed else status,
            notes=args.notes,
            summary=args.summary,
            add_after=tuple(args.after),
            criteria_done=tuple(args.criteria_done),
        )
        try:
            before = plan.get(args.id)
            task = await plan.edit(args.id, edit, Actor.AGENT)
        except TaskError as error:
            raise _task_error(error) from error
        line = describe_task(plan.tasks, task)
        if claimed:
            return ToolResult.success(_claim_answer(task, line), f"{task.id} in review")
        if task == before:
            return ToolResult.success(f"Nothing changed: {line}", f"{task.id} unchanged")
        return ToolResult.success(f"Updated {task.id}: {line}", f"updated {task.id}: {task.title}")

    def preview(self, args: TaskUpdateArgs, ctx: ToolContext) -> ToolPreview:
        """The task as it is now and what the call changes, for the approval question."""
        if ctx.tasks is None:
            raise ToolError(NO_PLAN)
        try:
            return ToolPreview("\n".join(_changes_shown(ctx.tasks, args)))
        except TaskError as error:
            raise _task_error(error) from error


def _is_running(ctx: ToolContext, task_id: str) -> bool:
    """Whether ``task_id`` is the task run mode is carrying out."""
    try:
        return ctx.running_task is not None and normal_id(task_id) == ctx.running_task
    except TaskError:
        return False


def _claim_answer(task: Task, line: str) -> str:
    """What the agent is told when it says the task it is running is done."""
    if task.check:
        settle = f"penguin-tui runs its check `{task.check}` when you stop"
    else:
        settle = "it is finished when you stop"
    return f"{task.id} is in review: {settle}. {line}"


def _changes_shown(plan: TaskService, args: TaskUpdateArgs) -> list[str]:
    task = plan.get(args.id)
    lines = [f"{describe_task(plan.tasks, task)} (created by the {task.created_by})"]
    if args.status is not None and args.status != task.status.value:
        lines.append(f"status {task.status} → {args.status}")
    if args.title is not None:
        lines.append(f"title → {args.title}")
    for name in ("description", "notes", "summary"):
        if getattr(args, name) is not None:
            lines.append(f"{name} changed")
    if args.after:
        lines.append("after +" + ", +".join(normal_id(a) for a in args.after))
    if args.criteria_done:
        lines.append("criteria met: " + ", ".join(map(str, args.criteria_done)))
    return lines
