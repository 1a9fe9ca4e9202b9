"""TaskService: the one way to change the project's task plan. Every change is made on a copy
of the plan, checked against the graph's rules (no cycle, known ids, a parent finished only by
its subtasks), written with its history line in one transaction, and only then kept."""

from __future__ import annotations

import dataclasses
import time
from collections.abc import Awaitable, Callable, Iterable, Sequence

from penguin_tui.store.store import Store
from penguin_tui.tasks import graph
from penguin_tui.tasks.model import (
    Actor,
    Criterion,
    Priority,
    Task,
    TaskChange,
    TaskEdit,
    TaskError,
    TaskStatus,
    normal_id,
)
from penguin_tui.tasks.plane import change_words, criteria_words
from penguin_tui.tasks.records import Statements, TaskRecords
from penguin_tui.tasks.transfer import PlannedTask

MAX_TITLE = 200


def _title(text: str) -> str:
    title = " ".join(text.split())
    if not title:
        raise TaskError("a task needs a title")
    if len(title) > MAX_TITLE:
        raise TaskError(f"a task's title is at most {MAX_TITLE} characters ({len(title)} given)")
    return title


def _changes(old: Task, new: Task) -> list[str]:
    """What an edit changed, in the words of the history."""
    said: list[str] = []
    for name in ("title", "status", "priority", "parent"):
        before, after = getattr(old, name), getattr(new, name)
        if before != after:
            said.append(change_words(name, before, after))
    added = [a for a in new.after if a not in old.after]
    removed = [a for a in old.after if a not in new.after]
    if added:
        said.append("after +" + ", +".join(added))
    if removed:
        said.append("after −" + ", −".join(removed))
    for name in ("description", "notes", "summary"):
        if getattr(old, name) != getattr(new, name):
            said.append(f"{name} changed")
    if old.check != new.check:
        said.append(f"check: {new.check}" if new.check else "check removed")
    if old.criteria != new.criteria:
        said.append(criteria_words(new.criteria))
    return said


class TaskService:
    """The task plan of one project: read it, add to it, change it — each change checked and
    kept in the task's history."""

    def __init__(
        self, store: Store, project_id: str, clock: Callable[[], float] = time.time
    ) -> None:
        self.records = TaskRecords(store, project_id)
        self.store = store
        self.clock = clock
        self.tasks: dict[str, Task] = {}
        # Told of every task made (True) or changed (False) once it is written: the runtime
        # puts it on the bus, for the task pane and the JSON of a run.
        self.on_change: Callable[[Task, bool], Awaitable[None]] | None = None

    @classmethod
    async def open(cls, store: Store, project_id: str) -> TaskService:
        service = cls(store, project_id)
        await service.reload()
        return service

    async def reload(self) -> None:
        """Read the plan again (another penguin-tui may have changed it)."""
        self.tasks = await self.records.load()

    # -- reading ----------------------------------------------------------------------------

    def get(self, task_id: str) -> Task:
        key = normal_id(task_id)
        if key not in self.tasks:
            raise TaskError(f"there is no task {key} in this project")
        return self.tasks[key]

    def ready(self) -> list[str]:
        return graph.ready_ids(self.tasks)

    def to_json(self, task: Task) -> dict[str, object]:
        """A task's object as ``tasks list --json`` prints it (and its events carry it)."""
        from penguin_tui.tasks.transfer import to_json

        kids = graph.children_of(self.tasks)
        ready = (
            {task.id}
            if task.id in self.tasks and graph.is_ready(self.tasks, task.id, kids)
            else set()
        )
        return to_json({task.id: task}, ready)[0]

    async def history(self, task_id: str) -> list[TaskChange]:
        return await self.records.history(self.get(task_id).id)

    # -- changing ---------------------------------------------------------------------------

    async def add(
        self,
        title: str,
        *,
        actor: Actor = Actor.USER,
        description: str = "",
        parent: str | None = None,
        after: Sequence[str] = (),
        priority: Priority = Priority.MEDIUM,
        check: str | None = None,
        criteria: Sequence[str] = (),
        status: TaskStatus = TaskStatus.TODO,
        check_trusted: bool | None = None,
    ) -> Task:
        """A new task with the next number, never given before in this project."""
        number = max([await self.records.last_number(), *(t.number for t in self.tasks.values())])
        now = self.clock()
        task = Task(
            id=f"T{number + 1}",
            title=_title(title),
            status=status,
            priority=priority,
            description=description.strip(),
            criteria=tuple(Criterion(c.strip()) for c in criteria if c.strip()),
            parent=self.get(parent).id if parent else None,
            after=self._known(after, f"T{number + 1}"),
            check=check.strip() if check and check.strip() else None,
            check_trusted=actor is Actor.USER if check_trusted is None else check_trusted,
            created_by=actor,
            created_at=now,
            updated_at=now,
        )
        plan = {**self.tasks, task.id: task}
        self._refuse_cycles(plan)
        await self._commit(plan, [TaskChange(task.id, actor, "created", now)], actor, now)
        return self.tasks[task.id]

    async def import_plan(self, planned: Sequence[PlannedTask], source: str) -> dict[str, str]:
        """Create an imported plan's tasks (parents first) with new ids, all in one
        transaction; returns which key of the file became which id. Their checks are not
        trusted until the user confirms them."""
        number = max([await self.records.last_number(), *(t.number for t in self.tasks.values())])
        now = self.clock()
        new_ids = {item.key: f"T{number + i}" for i, item in enumerate(planned, start=1)}
        plan = dict(self.tasks)
        for item in planned:
            task = Task(
                id=new_ids[item.key],
                title=_title(item.title),
                status=item.status,
                priority=item.priority,
                description=item.description,
                criteria=item.criteria,
                parent=new_ids[item.parent_key] if item.parent_key else None,
                after=tuple(new_ids[k] for k in item.after_keys),
                check=item.check,
                check_trusted=False,
                created_by=Actor.USER,
                created_at=now,
                updated_at=now,
            )
            plan[task.id] = task
        self._refuse_cycles(plan)
        lines = [
            TaskChange(new_ids[item.key], Actor.USER, f"imported from {source} ({item.key})", now)
            for item in planned
        ]
        await self._commit(plan, lines, Actor.USER, now)
        return new_ids

    async def edit(self, task_id: str, edit: TaskEdit, actor: Actor = Actor.USER) -> Task:
        """Change a task's fields; a change that says nothing new is no change."""
        old = self.get(task_id)
        new = self._edited(old, edit, actor)
        if new == old:
            return old
        plan = {**self.tasks, new.id: new}
        if new.status is TaskStatus.CANCELLED and old.status is not TaskStatus.CANCELLED:
            plan = self._cancel_subtree(plan, new.id)
        elif old.status is TaskStatus.CANCELLED and new.status is not TaskStatus.CANCELLED:
            plan = self._reopen_subtree(plan, new.id)
        self._refuse_unfinished_subtasks(plan, new, old)
        self._refuse_cycles(plan)
        now = self.clock()
        lines = [
            TaskChange(changed.id, actor, line, now)
            for changed in self._changed(plan)
            for line in _changes(self.tasks[changed.id], changed)
        ]
        await self._commit(plan, lines, actor, now)
        return self.tasks[new.id]

    async def set_status(self, task_id: str, status: TaskStatus, actor: Actor = Actor.USER) -> Task:
        return await self.edit(task_id, TaskEdit(status=status), actor)

    async def record_work(self, task_id: str, work: Task) -> None:
        """The branch, checkpoints and spend of a task's work (run mode), with no history
        line; only those columns are written, so a change made meanwhile stays."""
        key = self.get(task_id).id
        await self.store.transaction(self.records.update_work(work))
        new = dataclasses.replace(
            self.tasks[key],  # as it is now, after the write: a change made meanwhile stays
            branch=work.branch,
            checkpoints=work.checkpoints,
            input_tokens=work.input_tokens,
            output_tokens=work.output_tokens,
            cost_usd=work.cost_usd,
            time_s=work.time_s,
        )
        self.tasks[key] = new
        if self.on_change is not None:
            await self.on_change(new, False)

    # -- the rules --------------------------------------------------------------------------

    def _known(self, ids: Iterable[str], own: str) -> tuple[str, ...]:
        found: list[str] = []
        for task_id in ids:
            key = normal_id(task_id)
            if key == own:
                raise TaskError(f"{own} cannot come after itself")
            if key not in self.tasks:
                raise TaskError(f"there is no task {key} in this project")
            if key not in found:
                found.append(key)
        return tuple(found)

    def _edited(self, old: Task, edit: TaskEdit, actor: Actor) -> Task:
        after = [a for a in old.after if a not in {normal_id(r) for r in edit.remove_after}]
        added = self._known(edit.add_after, old.id)
        below = set(graph.subtree(self.tasks, old.id))
        for task_id in added:
            if task_id in below:
                raise TaskError(f"{old.id} cannot come after its own subtask {task_id}")
        after += [a for a in added if a not in after]
        parent = old.parent
        if edit.clear_parent:
            parent = None
        elif edit.parent is not None:
            parent = self.get(edit.parent).id
            if parent == old.id:
                raise TaskError(f"{old.id} cannot be its own subtask")
        criteria = old.criteria if edit.criteria is None else edit.criteria
        for index in edit.criteria_done:
            if not 1 <= index <= len(criteria):
                raise TaskError(f"{old.id} has no criterion {index} (it has {len(criteria)})")
            criteria = tuple(
                dataclasses.replace(c, done=True) if i == index else c
                for i, c in enumerate(criteria, start=1)
            )
        check = old.check
        if edit.check is not None:
            check = edit.check.strip() or None
        return dataclasses.replace(
            old,
            title=_title(edit.title) if edit.title is not None else old.title,
            description=old.description if edit.description is None else edit.description.strip(),
            status=edit.status or old.status,
            priority=edit.priority or old.priority,
            parent=parent,
            after=tuple(after),
            check=check,
            check_trusted=(actor is Actor.USER) if check != old.check else old.check_trusted,
            notes=old.notes if edit.notes is None else edit.notes.strip(),
            summary=old.summary if edit.summary is None else edit.summary.strip(),
            criteria=criteria,
        )

    def _refuse_cycles(self, plan: dict[str, Task]) -> None:
        cycle = graph.find_cycle(plan)
        if cycle is not None:
            raise TaskError("that would make a cycle: " + " → ".join(cycle))

    def _refuse_unfinished_subtasks(self, plan: dict[str, Task], new: Task, old: Task) -> None:
        if new.status is not TaskStatus.DONE or old.status is TaskStatus.DONE:
            return
        kids = graph.children_of(plan).get(new.id, [])
        open_kids = [k for k in kids if not plan[k].status.finished]
        if open_kids:
            raise TaskError(
                f"{new.id} is done when its subtasks are: {', '.join(open_kids)} not yet"
            )

    def _cancel_subtree(self, plan: dict[str, Task], task_id: str) -> dict[str, Task]:
        """Cancelling a task cancels its unfinished subtasks too."""
        plan = dict(plan)
        for member in graph.subtree(plan, task_id):
            if not plan[member].status.finished:
                plan[member] = dataclasses.replace(plan[member], status=TaskStatus.CANCELLED)
        return plan

    def _reopen_subtree(self, plan: dict[str, Task], task_id: str) -> dict[str, Task]:
        """Reopening a cancelled task reopens its cancelled subtasks with it."""
        plan = dict(plan)
        for member in graph.subtree(plan, task_id):
            if member != task_id and plan[member].status is TaskStatus.CANCELLED:
                plan[member] = dataclasses.replace(plan[member], status=TaskStatus.TODO)
        return plan

    def _changed(self, plan: dict[str, Task]) -> list[Task]:
        return [t for t in plan.values() if self.tasks.get(t.id) != t]

    async def _commit(
        self, plan: dict[str, Task], lines: list[TaskChange], actor: Actor, now: float
    ) -> None:
        """Write the change with its history lines in one transaction, finishing the parents
        it finished, then keep the new plan."""
        for parent_id in graph.parents_to_finish(plan):
            plan[parent_id] = dataclasses.replace(plan[parent_id], status=TaskStatus.DONE)
            lines.append(TaskChange(parent_id, actor, "status → done: its subtasks are", now))
        statements: Statements = []
        for task in self._changed(plan):
            task = dataclasses.replace(task, updated_at=now)
            plan[task.id] = task
            known = task.id in self.tasks
            statements += self.records.update(task) if known else self.records.insert(task)
        for line in lines:
            statements += self.records.record(line)
        await self.store.transaction(statements)
        before, self.tasks = self.tasks, plan
        if self.on_change is not None:
            for task_id, task in sorted(plan.items(), key=lambda item: item[1].number):
                if before.get(task_id) != task:
                    await self.on_change(task, task_id not in before)
