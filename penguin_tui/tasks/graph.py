"""The task graph as pure functions over the project's tasks (a mapping of id to Task): which
are ready, why one waits, what run mode picks next, whether a change would make a cycle, and
the figures a parent adds up from its subtree.

A task *waits for* another when it comes ``after`` it, when it is its subtask (a parent is
finished only when its subtasks are), or when one of its ancestors comes after it (a
subtask inherits its parents' dependencies). Every rule below reads that one relation.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping

from penguin_tui.tasks.model import Progress, Spend, Task, TaskStatus, task_number

Tasks = Mapping[str, Task]


def children_of(tasks: Tasks) -> dict[str, list[str]]:
    """Each task's subtasks, in id order."""
    children: dict[str, list[str]] = {task_id: [] for task_id in tasks}
    for task in sorted(tasks.values(), key=lambda t: t.number):
        if task.parent is not None and task.parent in children:
            children[task.parent].append(task.id)
    return children


def ancestors(tasks: Tasks, task_id: str) -> list[str]:
    """The parent, its parent, and so on (stops at a loop, which a check refuses anyway)."""
    found: list[str] = []
    parent = tasks[task_id].parent
    while parent is not None and parent in tasks and parent not in found and parent != task_id:
        found.append(parent)
        parent = tasks[parent].parent
    return found


def dependencies(tasks: Tasks, task_id: str) -> list[str]:
    """What a task comes after: its own ``after`` and its ancestors', in that order."""
    seen: list[str] = []
    for owner in [task_id, *ancestors(tasks, task_id)]:
        for dependency in tasks[owner].after:
            if dependency in tasks and dependency not in seen:
                seen.append(dependency)
    return seen


def waits_for(tasks: Tasks, task_id: str, children: Mapping[str, list[str]]) -> list[str]:
    """Every task this one waits for directly: dependencies (its own and inherited) and
    subtasks."""
    return [*dependencies(tasks, task_id), *children.get(task_id, [])]


def find_cycle(tasks: Tasks) -> list[str] | None:
    """A loop in the waits-for relation, as ids with the first repeated at the end
    (``["T1", "T3", "T1"]``), or None. Depth-first, in id order, so the answer is stable; with
    a stack of its own, so a chain of thousands of tasks is no deeper for Python."""
    children = children_of(tasks)
    explored: set[str] = set()
    for root in sorted(tasks, key=task_number):
        if root in explored:
            continue
        path, on_path = [root], {root}
        stack = [iter(waits_for(tasks, root, children))]
        while stack:
            other = next(stack[-1], None)
            if other is None:
                stack.pop()
                done = path.pop()
                on_path.discard(done)
                explored.add(done)
            elif other in on_path:
                return [*path[path.index(other) :], other]
            elif other not in explored:
                path.append(other)
                on_path.add(other)
                stack.append(iter(waits_for(tasks, other, children)))
    return None


def is_ready(tasks: Tasks, task_id: str, children: Mapping[str, list[str]] | None = None) -> bool:
    """To do, with no subtasks of its own, and every dependency done or cancelled."""
    kids = children_of(tasks) if children is None else children
    task = tasks[task_id]
    if task.status is not TaskStatus.TODO or kids.get(task_id):
        return False
    return all(tasks[d].status.finished for d in dependencies(tasks, task_id))


def ready_ids(tasks: Tasks) -> list[str]:
    """Every ready task, in id order."""
    kids = children_of(tasks)
    return [t for t in sorted(tasks, key=task_number) if is_ready(tasks, t, kids)]


def pick_order(task: Task) -> tuple[int, int]:
    """Run mode's order among ready tasks: priority first, then the lower id."""
    return (task.priority.rank, task.number)


def next_to_run(tasks: Tasks, skip: Iterable[str] = ()) -> Task | None:
    """The ready task run mode takes next (high priority first, then the lowest id)."""
    skipped = set(skip)
    ready = [tasks[t] for t in ready_ids(tasks) if t not in skipped]
    return min(ready, key=pick_order) if ready else None


def why_waiting(
    tasks: Tasks, task_id: str, children: Mapping[str, list[str]] | None = None
) -> str | None:
    """Why a to-do task is not ready, in a few words (None when it is ready or not to do)."""
    task = tasks[task_id]
    if task.status is not TaskStatus.TODO:
        return None
    if (children_of(tasks) if children is None else children).get(task_id):
        return "done when its subtasks are"
    holding = [d for d in dependencies(tasks, task_id) if not tasks[d].status.finished]
    if not holding:
        return None
    return "after " + ", ".join(f"{d} ({tasks[d].status.value})" for d in holding)


def cancelled_dependencies(tasks: Tasks, task_id: str) -> list[str]:
    """Dependencies that were cancelled: they no longer hold the task (the pane says so)."""
    return [d for d in dependencies(tasks, task_id) if tasks[d].status is TaskStatus.CANCELLED]


def subtree(
    tasks: Tasks, task_id: str, children: Mapping[str, list[str]] | None = None
) -> Iterator[str]:
    """The task and all its subtasks, depth first, in id order."""
    children = children_of(tasks) if children is None else children
    stack = [task_id]
    seen: set[str] = set()
    while stack:
        current = stack.pop()
        if current in seen:
            continue
        seen.add(current)
        yield current
        stack.extend(reversed(children.get(current, [])))


def spend(tasks: Tasks, task_id: str, children: Mapping[str, list[str]] | None = None) -> Spend:
    """What a task and its whole subtree cost (dollars None when a part is unpriced)."""
    total = Spend()
    for member in subtree(tasks, task_id, children):
        total = total + Spend.of(tasks[member])
    return total


def progress(
    tasks: Tasks, task_id: str | None = None, children: Mapping[str, list[str]] | None = None
) -> Progress:
    """Finished leaves of a subtree (or of the whole plan) over its leaves, cancelled ones left
    out of both counts."""
    children = children_of(tasks) if children is None else children
    members = list(subtree(tasks, task_id, children)) if task_id is not None else list(tasks)
    leaves = [tasks[m] for m in members if not children.get(m)]
    counted = [t for t in leaves if t.status is not TaskStatus.CANCELLED]
    return Progress(sum(t.status is TaskStatus.DONE for t in counted), len(counted))


def parents_to_finish(tasks: Tasks) -> list[str]:
    """Parents whose subtasks are all finished, at least one done, and that are not done
    themselves: the service marks them done (a parent is done when its subtasks are)."""
    children = children_of(tasks)
    found = []
    for task_id, kids in children.items():
        if not kids or tasks[task_id].status.finished:
            continue
        statuses = [tasks[k].status for k in kids]
        if all(s.finished for s in statuses) and TaskStatus.DONE in statuses:
            found.append(task_id)
    return sorted(found, key=task_number)
