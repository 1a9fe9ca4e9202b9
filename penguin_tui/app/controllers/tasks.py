"""The task pane's operations: add, edit, set status, cancel or reopen, dependencies, filters,
details and "work on this task".

The pane's keys and the palette's commands end here (through the app's ``task`` action). Each
change goes through the project's TaskService as the user; the pane redraws from the events
the change publishes. A refused change (a cycle, an unknown id) is one notification.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING

from penguin_tui.app.widgets.chat import ChatView
from penguin_tui.app.widgets.task_rows import task_prompt
from penguin_tui.app.workers import background
from penguin_tui.tasks.model import Actor, Criterion, Task, TaskEdit, TaskStatus

if TYPE_CHECKING:
    from penguin_tui.app.app import PenguinApp
    from penguin_tui.app.screens.task_form import TaskFormAnswer
    from penguin_tui.app.widgets.task_tree import TaskTree
    from penguin_tui.tasks.service import TaskService

# s steps through these; a cancelled task goes back to the first.
STATUS_CYCLE = (
    TaskStatus.TODO,
    TaskStatus.DOING,
    TaskStatus.BLOCKED,
    TaskStatus.REVIEW,
    TaskStatus.DONE,
    TaskStatus.FAILED,
)


def next_status(status: TaskStatus) -> TaskStatus:
    """The status s moves a task to."""
    if status not in STATUS_CYCLE:
        return STATUS_CYCLE[0]
    return STATUS_CYCLE[(STATUS_CYCLE.index(status) + 1) % len(STATUS_CYCLE)]


def edit_from_form(task: Task, answer: TaskFormAnswer) -> TaskEdit:
    """The edit that makes ``task`` what the form says (criteria kept met when unchanged)."""
    met = {c.text for c in task.criteria if c.done}
    wanted = [a.strip().upper() for a in answer.after]
    return TaskEdit(
        title=answer.title,
        description=answer.description,
        criteria=tuple(Criterion(text, text in met) for text in answer.criteria),
        add_after=tuple(a for a in wanted if a not in task.after),
        remove_after=tuple(a for a in task.after if a not in wanted),
        priority=answer.priority,
        check=answer.check,
    )


class TasksController:
    """Changes the plan from the task pane's keys, as the user; shows a task's details; sends
    the turn that works on a task."""

    def __init__(self, app: PenguinApp) -> None:
        self.app = app
        self.actions: dict[str, Callable[[], object]] = {
            "add": lambda: self.ask_add(subtask=False),
            "add_subtask": lambda: self.ask_add(subtask=True),
            "edit": self.ask_edit,
            "status": lambda: self.step_status(),
            "done": lambda: self.set_status(TaskStatus.DONE),
            "cancel": lambda: self.cancel_or_reopen(),
            "move": self.ask_move,
            "add_dependency": lambda: self.ask_dependency(add=True),
            "remove_dependency": lambda: self.ask_dependency(add=False),
            "hide_finished": self.toggle_finished,
            "search": self.ask_search,
            "work_on": lambda: self.work_on(),
            "details": lambda: self.details(),
        }

    @property
    def pane(self) -> TaskTree:
        from penguin_tui.app.widgets.task_tree import TaskTree  # mounted after the first frame

        return self.app.workbench.query_one(TaskTree)

    def act(self, name: str) -> None:
        """A key of the pane or a palette command: the pane comes into view, then the action."""
        pane = self.pane
        if self.app.focused is not pane:
            self.app.workbench.show_pane("tasks")
        self.actions[name]()

    def service(self) -> TaskService | None:
        runtime = self.app.runtime
        if runtime is None or runtime.tasks is None:
            self.app.notify("the task plan is not open yet", severity="warning")
            return None
        return runtime.tasks

    def selected(self) -> Task | None:
        """The task under the pane's cursor (None: said why)."""
        service = self.service()
        task_id = self.pane.selected_id
        if service is None:
            return None
        if task_id is None or task_id not in service.tasks:
            self.app.notify("move to a task first", severity="warning")
            return None
        return service.tasks[task_id]

    @background("tasks", exclusive=False)
    async def run(self, change: Callable[[TaskService], Awaitable[object]]) -> None:
        """Make one change to the plan; a refused one is a notification."""
        from penguin_tui.errors import PenguinError

        service = self.service()
        if service is None:
            return
        try:
            await change(service)
        except PenguinError as error:
            self.app.notify(error.message, severity="error")

    def _ask(self, question: str, then: Callable[[str], None], value: str = "") -> None:
        from penguin_tui.app.screens.ask_text import AskText

        def answered(text: str | None) -> None:
            if text:
                then(text)

        self.app.push_screen(AskText(question, value=value), answered)

    # -- the keys ---------------------------------------------------------------------------

    def ask_add(self, *, subtask: bool) -> None:
        parent = self.selected() if subtask else None
        if subtask and parent is None:
            return
        question = f"New subtask of {parent.id}: its title" if parent else "New task: its title"
        parent_id = parent.id if parent else None

        def add(title: str) -> None:
            self.run(lambda s: self._added(s, title, parent_id))

        self._ask(question, add)

    async def _added(self, service: TaskService, title: str, parent: str | None) -> None:
        task = await service.add(title, actor=Actor.USER, parent=parent)
        pane = self.pane
        if task.id in pane.nodes:
            pane.move_cursor(pane.nodes[task.id])

    def ask_edit(self) -> None:
        from penguin_tui.app.screens.task_form import TaskForm

        task = self.selected()
        if task is None:
            return

        def saved(answer: TaskFormAnswer | None) -> None:
            if answer is not None:
                self.run(lambda s: s.edit(task.id, edit_from_form(task, answer), Actor.USER))

        self.app.push_screen(TaskForm(task), saved)

    def step_status(self) -> None:
        task = self.selected()
        if task is not None:
            self.set_status(next_status(task.status), task)

    def set_status(self, status: TaskStatus, task: Task | None = None) -> None:
        chosen = task or self.selected()
        if chosen is not None:
            self.run(lambda s: s.set_status(chosen.id, status, Actor.USER))

    def cancel_or_reopen(self) -> None:
        """x: cancel the task (and its open subtasks); on a cancelled one, reopen it."""
        task = self.selected()
        if task is None:
            return
        reopen = task.status is TaskStatus.CANCELLED
        self.set_status(TaskStatus.TODO if reopen else TaskStatus.CANCELLED, task)

    def ask_dependency(self, *, add: bool) -> None:
        task = self.selected()
        if task is None:
            return
        if not add and not task.after:
            self.app.notify(f"{task.id} comes after no task", severity="warning")
            return
        if add:
            question = f"{task.id} comes after which task? (its id)"
        else:
            question = f"{task.id} no longer after which task? ({', '.join(task.after)})"
        value = "" if add or len(task.after) > 1 else task.after[0]

        def change(other: str) -> None:
            edit = TaskEdit(add_after=(other,)) if add else TaskEdit(remove_after=(other,))
            self.run(lambda s: s.edit(task.id, edit, Actor.USER))

        self._ask(question, change, value)

    def ask_move(self) -> None:
        """m: put the task under another (an empty answer: at the top of the plan)."""
        from penguin_tui.app.screens.ask_text import AskText

        task = self.selected()
        if task is None:
            return

        def answered(text: str | None) -> None:
            if text is None:
                return
            edit = TaskEdit(parent=text) if text else TaskEdit(clear_parent=True)
            self.run(lambda s: s.edit(task.id, edit, Actor.USER))

        question = f"Move {task.id} under which task? (its id; empty: to the top)"
        self.app.push_screen(AskText(question, value=task.parent or ""), answered)

    def toggle_finished(self) -> None:
        pane = self.pane
        pane.set_filters(hide_finished=not pane.hide_finished)

    def ask_search(self) -> None:
        """/: show only the tasks whose id or title holds the text (empty: all again)."""
        from penguin_tui.app.screens.ask_text import AskText

        pane = self.pane

        def answered(text: str | None) -> None:
            if text is not None:
                pane.set_filters(search=text)

        question = "Show the tasks whose id or title holds (empty: all)"
        self.app.push_screen(AskText(question, value=pane.search), answered)

    def work_on(self) -> None:
        """w: a turn whose prompt is the task, sent the way the prompt sends text."""
        if self.app.conversation.idle_runtime() is None:
            return
        task = self.selected()
        if task is None:
            return
        self.pane.working_on = task.id
        self.app.workbench.query_one(ChatView).follow()
        self.app.turns.send(task_prompt(task))

    @background("tasks", exclusive=False)
    async def details(self) -> None:
        """enter: the task in full (its fields, its work, its history); from there b opens
        the checkpoint browser and d the diff viewer on its work."""
        from penguin_tui.app.screens.task_details import TaskDetails, WorkView

        task = self.selected()
        service = self.service()
        if task is None or service is None:
            return
        history = await service.history(task.id)
        known = self.app.checkpoints.browser.checkpoints

        def chosen(view: WorkView | None) -> None:
            if view is WorkView.BROWSE:
                self.browse_work(task)
            elif view is WorkView.DIFF:
                self.diff_work(task)

        self.app.push_screen(TaskDetails(service.tasks, task, history, known), chosen)

    def browse_work(self, task: Task) -> None:
        """The checkpoint browser, focused, its cursor on the task's last checkpoint."""
        self.app.workbench.show_pane("checkpoints")
        if not self.app.checkpoints.browser.go_to(task.checkpoints[-1]):
            self.app.notify(
                f"{task.id}'s last checkpoint {task.checkpoints[-1][:8]} is not in this "
                "session's browser",
                severity="warning",
            )

    @background("checkpoint-op")
    async def diff_work(self, task: Task) -> None:
        """The diff viewer on the task's work: from the checkpoint its first checkpoint came
        from to its last one, as the browser compares two checkpoints."""
        checkpoints = self.app.checkpoints
        found = checkpoints.service()
        if found is None:
            return
        service, session_id = found
        first = await checkpoints.run("diff", service.get(session_id, task.checkpoints[0]))
        if first is None:
            return
        start = first.parent_id or first.id
        await self.app.diff_viewer.compare(start, task.checkpoints[-1], f"{task.id}'s work:")
