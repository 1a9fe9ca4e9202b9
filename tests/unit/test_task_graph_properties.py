"""The task graph's rules on random plans, against definitions written again here.

A plan is built as a service builds it: a sequence of changes (add, add a subtask, add or
remove a dependency, move under a parent, set a status, cancel), each made on a copy and kept
only when ``find_cycle`` finds no loop in the copy. Whatever the sequence, the kept plan has
no loop, ``ready_ids`` is its definition (to do, no subtasks, every dependency — its own and
its ancestors' — done or cancelled), and run mode's pick is the ready task with the highest
priority, then the lowest id.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Mapping
from dataclasses import dataclass

from hypothesis import event, given, settings
from hypothesis import strategies as st

from penguin_tui.tasks.graph import find_cycle, next_to_run, parents_to_finish, ready_ids
from penguin_tui.tasks.model import Priority, Task, TaskStatus

MAX_TASKS = 25
PLANS = settings(max_examples=150, deadline=None)

Plan = dict[str, Task]


@dataclass(frozen=True)
class Add:
    """A new task, under the ``parent``-th task when there is one (a subtask)."""

    parent: int | None
    after: tuple[int, ...]
    priority: Priority
    status: TaskStatus


@dataclass(frozen=True)
class AddDependency:
    """The ``task``-th task comes after the ``on``-th."""

    task: int
    on: int


@dataclass(frozen=True)
class RemoveDependency:
    """The ``task``-th task no longer comes after its ``on``-th dependency."""

    task: int
    on: int


@dataclass(frozen=True)
class Move:
    """The ``task``-th task goes under the ``parent``-th (or to the top when None)."""

    task: int
    parent: int | None


@dataclass(frozen=True)
class SetStatus:
    """The ``task``-th task takes a new status."""

    task: int
    status: TaskStatus


@dataclass(frozen=True)
class Cancel:
    """The ``task``-th task is cancelled."""

    task: int


Change = Add | AddDependency | RemoveDependency | Move | SetStatus | Cancel

index = st.integers(min_value=0, max_value=MAX_TASKS - 1)
# Half the statuses drawn are "todo", so plans have ready tasks and tasks waiting on others.
status = st.one_of(st.just(TaskStatus.TODO), st.sampled_from(TaskStatus))
priority = st.sampled_from(Priority)
add = st.builds(
    Add,
    parent=st.none() | index,
    after=st.lists(index, max_size=3).map(tuple),
    priority=priority,
    status=status,
)
change: st.SearchStrategy[Change] = st.one_of(
    add,
    st.builds(AddDependency, task=index, on=index),
    st.builds(RemoveDependency, task=index, on=index),
    st.builds(Move, task=index, parent=st.none() | index),
    st.builds(SetStatus, task=index, status=status),
    st.builds(Cancel, task=index),
)


def exactly(count: int, strategy: st.SearchStrategy[Change]) -> st.SearchStrategy[list[Change]]:
    return st.lists(strategy, min_size=count, max_size=count)


# A run of additions first, its length drawn evenly, so that plans often reach T10 and beyond
# (where numeric order matters) and have room for deep subtrees; then any changes.
changes = st.tuples(
    st.integers(1, MAX_TASKS).flatmap(lambda n: exactly(n, add)),
    st.integers(0, 40).flatmap(lambda n: exactly(n, change)),
)


# The plan, changed as a service would


def number(task_id: str) -> int:
    return int(task_id.removeprefix("T"))


def nth(tasks: Plan, i: int) -> str:
    ids = sorted(tasks, key=number)
    return ids[i % len(ids)]


def changed(tasks: Plan, step: Change) -> Plan | None:
    """The plan after one change, on a copy; None when the change does not apply."""
    if isinstance(step, Add):
        if len(tasks) >= MAX_TASKS:
            return None
        new_id = f"T{len(tasks) + 1}"
        parent = None if step.parent is None or not tasks else nth(tasks, step.parent)
        after = tuple(dict.fromkeys(nth(tasks, i) for i in step.after)) if tasks else ()
        task = Task(new_id, f"task {new_id}", step.status, step.priority, after=after)
        return {**tasks, new_id: dataclasses.replace(task, parent=parent)}
    if not tasks:
        return None
    task_id = nth(tasks, step.task)
    task = tasks[task_id]
    if isinstance(step, AddDependency):
        on = nth(tasks, step.on)
        if on in task.after:
            return None
        task = dataclasses.replace(task, after=(*task.after, on))
    elif isinstance(step, RemoveDependency):
        if not task.after:
            return None
        on = task.after[step.on % len(task.after)]
        task = dataclasses.replace(task, after=tuple(d for d in task.after if d != on))
    elif isinstance(step, Move):
        parent = None if step.parent is None else nth(tasks, step.parent)
        task = dataclasses.replace(task, parent=parent)
    elif isinstance(step, SetStatus):
        task = dataclasses.replace(task, status=step.status)
    else:
        task = dataclasses.replace(task, status=TaskStatus.CANCELLED)
    return {**tasks, task_id: task}


def build(steps: list[Change], look: Callable[[Plan, Plan], None] | None = None) -> Plan:
    """Apply every change that makes no cycle; ``look`` sees each candidate and the plan
    before it."""
    tasks: Plan = {}
    for step in steps:
        candidate = changed(tasks, step)
        if candidate is None:
            continue
        if look is not None:
            look(tasks, candidate)
        if find_cycle(candidate) is None:
            tasks = candidate
        else:
            event("a change refused for its cycle")
    return tasks


# The rules, written again


def ancestors_of(tasks: Mapping[str, Task], task_id: str) -> list[str]:
    found: list[str] = []
    parent = tasks[task_id].parent
    while parent is not None and parent in tasks and parent not in found:
        found.append(parent)
        parent = tasks[parent].parent
    return found


def edges(tasks: Mapping[str, Task]) -> dict[str, set[str]]:
    """A waits for B: B is in A's after, B is a subtask of A, or B is in an ancestor's after."""
    waits: dict[str, set[str]] = {task_id: set() for task_id in tasks}
    for task_id, task in tasks.items():
        for owner in [task_id, *ancestors_of(tasks, task_id)]:
            waits[task_id].update(d for d in tasks[owner].after if d in tasks)
        if task.parent in waits:
            waits[task.parent].add(task_id)
    return waits


def reachable(waits: Mapping[str, set[str]]) -> dict[str, set[str]]:
    """Everything each task waits for, directly or not (one step or more)."""
    closure: dict[str, set[str]] = {}
    for start in waits:
        seen: set[str] = set()
        frontier = list(waits[start])
        while frontier:
            current = frontier.pop()
            if current not in seen:
                seen.add(current)
                frontier.extend(waits[current])
        closure[start] = seen
    return closure


def has_cycle(tasks: Mapping[str, Task]) -> bool:
    closure = reachable(edges(tasks))
    return any(task_id in closure[task_id] for task_id in tasks)


def dependencies_of(tasks: Mapping[str, Task], task_id: str) -> set[str]:
    owners = [task_id, *ancestors_of(tasks, task_id)]
    return {d for owner in owners for d in tasks[owner].after if d in tasks}


def expected_ready(tasks: Mapping[str, Task]) -> list[str]:
    finished = (TaskStatus.DONE, TaskStatus.CANCELLED)
    parents = {task.parent for task in tasks.values()}
    return sorted(
        (
            task_id
            for task_id, task in tasks.items()
            if task.status == TaskStatus.TODO
            and task_id not in parents
            and all(tasks[d].status in finished for d in dependencies_of(tasks, task_id))
        ),
        key=number,
    )


def expected_pick(tasks: Mapping[str, Task]) -> str | None:
    order = [Priority.HIGH, Priority.MEDIUM, Priority.LOW]
    ready = expected_ready(tasks)
    if not ready:
        return None
    return min(ready, key=lambda t: (order.index(tasks[t].priority), number(t)))


def assert_is_a_loop(tasks: Mapping[str, Task], cycle: list[str]) -> None:
    waits = edges(tasks)
    assert len(cycle) >= 2 and cycle[0] == cycle[-1], cycle
    assert len(set(cycle[:-1])) == len(cycle) - 1, cycle
    for waiting, waited_for in zip(cycle, cycle[1:], strict=False):
        assert waited_for in waits[waiting], (cycle, waiting, waited_for)


# The properties


@PLANS
@given(changes)
def test_a_change_is_refused_exactly_when_it_makes_a_loop(
    steps: tuple[list[Change], list[Change]],
) -> None:
    def look(before: Plan, candidate: Plan) -> None:
        assert not has_cycle(before)
        cycle = find_cycle(candidate)
        if has_cycle(candidate):
            assert cycle is not None
            assert_is_a_loop(candidate, cycle)
        else:
            assert cycle is None

    tasks = build([*steps[0], *steps[1]], look)
    assert not has_cycle(tasks)


@PLANS
@given(changes)
def test_ready_tasks_are_exactly_those_to_do_with_no_subtasks_and_dependencies_finished(
    steps: tuple[list[Change], list[Change]],
) -> None:
    def look(before: Plan, candidate: Plan) -> None:
        assert ready_ids(before) == expected_ready(before)

    tasks = build([*steps[0], *steps[1]], look)
    assert ready_ids(tasks) == expected_ready(tasks)
    event(f"ready tasks: {min(len(ready_ids(tasks)), 5)}")


@PLANS
@given(changes)
def test_run_mode_picks_the_highest_priority_then_lowest_id_ready_task(
    steps: tuple[list[Change], list[Change]],
) -> None:
    def look(before: Plan, candidate: Plan) -> None:
        picked = next_to_run(before)
        assert (picked.id if picked else None) == expected_pick(before)

    tasks = build([*steps[0], *steps[1]], look)
    # Then run the plan out as run mode would: each pick done, finished parents marked done.
    for _ in range(len(tasks) + 1):
        picked = next_to_run(tasks)
        assert (picked.id if picked else None) == expected_pick(tasks)
        if picked is None:
            break
        finished = (TaskStatus.DONE, TaskStatus.CANCELLED)
        assert all(tasks[d].status in finished for d in dependencies_of(tasks, picked.id))
        tasks[picked.id] = dataclasses.replace(picked, status=TaskStatus.DONE)
        while parents := parents_to_finish(tasks):
            for parent in parents:
                tasks[parent] = dataclasses.replace(tasks[parent], status=TaskStatus.DONE)
    assert next_to_run(tasks) is None
