"""The task graph's rules on small plans: when a task is ready and why it waits, which cycles
are refused and how they are named, what run mode picks next, and what a parent adds up from
its subtree."""

from __future__ import annotations

import pytest

from penguin_tui.tasks.graph import (
    cancelled_dependencies,
    children_of,
    dependencies,
    find_cycle,
    is_ready,
    next_to_run,
    parents_to_finish,
    progress,
    ready_ids,
    spend,
    why_waiting,
)
from penguin_tui.tasks.model import (
    Priority,
    Progress,
    Spend,
    Task,
    TaskError,
    TaskStatus,
    normal_id,
    task_number,
)

TODO = TaskStatus.TODO
DOING = TaskStatus.DOING
DONE = TaskStatus.DONE
CANCELLED = TaskStatus.CANCELLED


def plan(*tasks: Task) -> dict[str, Task]:
    return {task.id: task for task in tasks}


def task(
    task_id: str,
    status: TaskStatus = TODO,
    *,
    after: tuple[str, ...] = (),
    parent: str | None = None,
    priority: Priority = Priority.MEDIUM,
) -> Task:
    return Task(
        id=task_id,
        title=f"task {task_id}",
        status=status,
        after=after,
        parent=parent,
        priority=priority,
    )


def priced(task_id: str, cost_usd: float | None, *, parent: str | None = None) -> Task:
    """A finished task with some spend: 100/10 tokens, the given dollars, 2 seconds."""
    return Task(
        id=task_id,
        title=f"task {task_id}",
        status=DONE,
        parent=parent,
        input_tokens=100,
        output_tokens=10,
        cost_usd=cost_usd,
        time_s=2.0,
    )


# Ready and why a task waits


def test_a_task_with_a_dependency_waits_until_it_is_done() -> None:
    waiting = plan(task("T1"), task("T2", after=("T1",)))
    assert ready_ids(waiting) == ["T1"]
    assert why_waiting(waiting, "T2") == "after T1 (todo)"

    working = plan(task("T1", DOING), task("T2", after=("T1",)))
    assert ready_ids(working) == []
    assert why_waiting(working, "T2") == "after T1 (doing)"

    finished = plan(task("T1", DONE), task("T2", after=("T1",)))
    assert ready_ids(finished) == ["T2"]
    assert why_waiting(finished, "T2") is None


def test_a_task_waits_for_every_one_of_its_dependencies() -> None:
    tasks = plan(task("T1", DONE), task("T2", DOING), task("T3", after=("T1", "T2")))
    assert not is_ready(tasks, "T3")
    assert why_waiting(tasks, "T3") == "after T2 (doing)"


def test_a_cancelled_dependency_no_longer_holds_its_dependent() -> None:
    tasks = plan(task("T1", CANCELLED), task("T2", DONE), task("T3", after=("T1", "T2")))
    assert ready_ids(tasks) == ["T3"]
    assert why_waiting(tasks, "T3") is None
    assert cancelled_dependencies(tasks, "T3") == ["T1"]


def test_a_cancelled_dependency_of_a_parent_is_named_for_its_subtask() -> None:
    tasks = plan(task("T1", CANCELLED), task("T2", after=("T1",)), task("T3", parent="T2"))
    assert ready_ids(tasks) == ["T3"]
    assert cancelled_dependencies(tasks, "T3") == ["T1"]


@pytest.mark.parametrize(
    "status", [TaskStatus.FAILED, TaskStatus.BLOCKED, TaskStatus.REVIEW, TaskStatus.DOING]
)
def test_dependents_of_an_unfinished_task_wait(status: TaskStatus) -> None:
    tasks = plan(task("T1", status), task("T2", after=("T1",)))
    assert ready_ids(tasks) == []
    assert why_waiting(tasks, "T2") == f"after T1 ({status.value})"
    assert cancelled_dependencies(tasks, "T2") == []


@pytest.mark.parametrize("status", [s for s in TaskStatus if s is not TODO])
def test_only_a_task_to_do_can_be_ready(status: TaskStatus) -> None:
    tasks = plan(task("T1", status))
    assert ready_ids(tasks) == []
    assert why_waiting(tasks, "T1") is None


def test_a_parent_is_never_ready_itself() -> None:
    open_subtasks = plan(task("T1"), task("T2", parent="T1"), task("T3", parent="T1"))
    assert ready_ids(open_subtasks) == ["T2", "T3"]
    assert why_waiting(open_subtasks, "T1") == "done when its subtasks are"

    finished_subtasks = plan(task("T1"), task("T2", DONE, parent="T1"))
    assert ready_ids(finished_subtasks) == []
    assert why_waiting(finished_subtasks, "T1") == "done when its subtasks are"


def test_a_subtask_inherits_its_parents_after() -> None:
    tasks = plan(
        task("T1"),
        task("T2", after=("T1",)),
        task("T3", parent="T2"),
        task("T4", parent="T3"),
    )
    assert dependencies(tasks, "T4") == ["T1"]
    assert ready_ids(tasks) == ["T1"]
    assert why_waiting(tasks, "T4") == "after T1 (todo)"

    tasks["T1"] = task("T1", DONE)
    assert ready_ids(tasks) == ["T4"]


def test_a_subtask_lists_its_own_dependencies_before_inherited_ones() -> None:
    tasks = plan(
        task("T1"),
        task("T2"),
        task("T3", after=("T1",)),
        task("T4", parent="T3", after=("T2", "T1")),
    )
    assert dependencies(tasks, "T4") == ["T2", "T1"]
    assert why_waiting(tasks, "T4") == "after T2 (todo), T1 (todo)"


def test_subtasks_are_listed_in_numeric_id_order() -> None:
    tasks = plan(task("T1"), task("T10", parent="T1"), task("T2", parent="T1"))
    assert children_of(tasks)["T1"] == ["T2", "T10"]
    assert ready_ids(tasks) == ["T2", "T10"]


# Cycles


def test_a_plan_without_a_loop_has_no_cycle() -> None:
    tasks = plan(
        task("T1"),
        task("T2", after=("T1",)),
        task("T3", parent="T2", after=("T1",)),
        task("T4", after=("T2", "T3")),
    )
    assert find_cycle(tasks) is None


def test_two_tasks_after_each_other_make_a_named_cycle() -> None:
    tasks = plan(task("T1", after=("T3",)), task("T2"), task("T3", after=("T1",)))
    assert find_cycle(tasks) == ["T1", "T3", "T1"]


def test_a_longer_loop_is_named_from_its_lowest_id() -> None:
    tasks = plan(task("T3", after=("T1",)), task("T2", after=("T3",)), task("T1", after=("T2",)))
    assert find_cycle(tasks) == ["T1", "T2", "T3", "T1"]


def test_a_task_after_itself_is_a_cycle() -> None:
    assert find_cycle(plan(task("T1", after=("T1",)))) == ["T1", "T1"]


def test_a_child_after_its_own_parent_is_a_cycle() -> None:
    tasks = plan(task("T1"), task("T2", parent="T1", after=("T1",)))
    assert find_cycle(tasks) == ["T1", "T2", "T1"]


def test_a_parent_after_its_own_subtask_is_a_cycle() -> None:
    # The subtask would inherit its parent's dependency on itself.
    tasks = plan(task("T1", after=("T2",)), task("T2", parent="T1"))
    cycle = find_cycle(tasks)
    assert cycle is not None
    assert "T2" in cycle
    assert cycle[0] == cycle[-1]


def test_a_task_under_its_own_descendant_is_a_cycle() -> None:
    tasks = plan(task("T1", parent="T3"), task("T2", parent="T1"), task("T3", parent="T2"))
    assert find_cycle(tasks) == ["T1", "T2", "T3", "T1"]


def test_a_task_under_itself_is_a_cycle() -> None:
    assert find_cycle(plan(task("T1", parent="T1"))) == ["T1", "T1"]


def test_a_subtask_after_a_task_that_waits_for_its_parent_is_a_cycle() -> None:
    tasks = plan(task("T1"), task("T2", after=("T1",)), task("T3", parent="T1", after=("T2",)))
    assert find_cycle(tasks) == ["T1", "T3", "T2", "T1"]


def test_a_long_chain_of_dependencies_is_checked_without_overflowing() -> None:
    # T1 after T2 after T3 ... after T2000: a plan worked out backwards from its goal.
    count = 2000
    tasks = plan(*(task(f"T{i}", after=(f"T{i + 1}",)) for i in range(1, count)), task(f"T{count}"))
    assert find_cycle(tasks) is None
    tasks["T2000"] = task("T2000", after=("T1",))
    cycle = find_cycle(tasks)
    assert cycle is not None and len(cycle) == count + 1


# Run mode's pick


def test_next_to_run_picks_high_then_medium_then_low_priority() -> None:
    tasks = plan(
        task("T1", priority=Priority.LOW),
        task("T2", priority=Priority.MEDIUM),
        task("T3", priority=Priority.HIGH),
    )
    picked = next_to_run(tasks)
    assert picked is not None and picked.id == "T3"
    tasks["T3"] = task("T3", DONE, priority=Priority.HIGH)
    picked = next_to_run(tasks)
    assert picked is not None and picked.id == "T2"
    tasks["T2"] = task("T2", DONE)
    picked = next_to_run(tasks)
    assert picked is not None and picked.id == "T1"


def test_next_to_run_takes_the_lowest_id_in_numeric_order() -> None:
    tasks = plan(task("T10"), task("T2"), task("T11"))
    picked = next_to_run(tasks)
    assert picked is not None and picked.id == "T2"


def test_next_to_run_prefers_a_higher_priority_over_a_lower_id() -> None:
    tasks = plan(task("T2"), task("T10", priority=Priority.HIGH))
    picked = next_to_run(tasks)
    assert picked is not None and picked.id == "T10"


def test_next_to_run_only_picks_a_ready_task() -> None:
    tasks = plan(
        task("T1", DOING, priority=Priority.LOW),
        task("T2", priority=Priority.HIGH, after=("T1",)),
        task("T3", priority=Priority.LOW),
    )
    picked = next_to_run(tasks)
    assert picked is not None and picked.id == "T3"


def test_next_to_run_leaves_out_the_skipped_tasks() -> None:
    tasks = plan(task("T1", priority=Priority.HIGH), task("T2"))
    picked = next_to_run(tasks, skip=["T1"])
    assert picked is not None and picked.id == "T2"
    assert next_to_run(tasks, skip=["T1", "T2"]) is None


def test_next_to_run_is_none_when_nothing_is_ready() -> None:
    assert next_to_run({}) is None
    assert next_to_run(plan(task("T1", DONE), task("T2", TaskStatus.FAILED))) is None


# A parent's figures


def test_spend_adds_up_the_whole_subtree() -> None:
    tasks = plan(
        priced("T1", 0.5),
        priced("T2", 0.25, parent="T1"),
        priced("T3", 1.0, parent="T2"),
        priced("T4", 8.0),
    )
    assert spend(tasks, "T1") == Spend(300, 30, 1.75, 6.0)
    assert spend(tasks, "T2") == Spend(200, 20, 1.25, 4.0)
    assert spend(tasks, "T4") == Spend(100, 10, 8.0, 2.0)


def test_spend_has_no_dollars_when_any_member_is_unpriced() -> None:
    tasks = plan(priced("T1", 0.5), priced("T2", None, parent="T1"), priced("T3", 1.0))
    assert spend(tasks, "T1") == Spend(200, 20, None, 4.0)
    assert spend(tasks, "T2").cost_usd is None
    assert spend(tasks, "T3").cost_usd == 1.0


def test_progress_counts_finished_leaves_and_leaves_cancelled_ones_out() -> None:
    tasks = plan(
        task("T1"),
        task("T2", DONE, parent="T1"),
        task("T3", parent="T1"),
        task("T4", CANCELLED, parent="T1"),
        task("T5", parent="T3"),
        task("T6", DONE, parent="T3"),
        task("T7", DONE),
    )
    assert progress(tasks, "T1") == Progress(2, 3)
    assert progress(tasks, "T3") == Progress(1, 2)
    assert progress(tasks) == Progress(3, 4)
    assert progress(tasks).fraction == pytest.approx(0.75)


def test_progress_of_an_all_cancelled_subtree_is_empty() -> None:
    tasks = plan(task("T1"), task("T2", CANCELLED, parent="T1"))
    assert progress(tasks, "T1") == Progress(0, 0)
    assert progress(tasks, "T1").fraction == 0.0


def test_a_parent_whose_subtasks_are_done_or_cancelled_is_to_be_finished() -> None:
    tasks = plan(
        task("T1"),
        task("T2", DONE, parent="T1"),
        task("T3", CANCELLED, parent="T1"),
    )
    assert parents_to_finish(tasks) == ["T1"]


@pytest.mark.parametrize(
    ("first", "second"),
    [
        (CANCELLED, CANCELLED),
        (DONE, TODO),
        (DONE, TaskStatus.FAILED),
        (DONE, TaskStatus.REVIEW),
    ],
)
def test_a_parent_is_not_finished_unless_all_subtasks_are_and_one_is_done(
    first: TaskStatus, second: TaskStatus
) -> None:
    tasks = plan(task("T1"), task("T2", first, parent="T1"), task("T3", second, parent="T1"))
    assert parents_to_finish(tasks) == []


def test_a_finished_parent_is_not_listed_again() -> None:
    assert parents_to_finish(plan(task("T1", DONE), task("T2", DONE, parent="T1"))) == []


def test_parents_finish_from_the_bottom_up() -> None:
    tasks = plan(task("T1"), task("T2", parent="T1"), task("T3", DONE, parent="T2"))
    assert parents_to_finish(tasks) == ["T2"]
    tasks["T2"] = task("T2", DONE, parent="T1")
    assert parents_to_finish(tasks) == ["T1"]


# Task ids


@pytest.mark.parametrize(
    ("written", "number", "normal"),
    [("T3", 3, "T3"), ("t3", 3, "T3"), (" T3 ", 3, "T3"), ("T120", 120, "T120")],
)
def test_a_task_id_is_read_whatever_its_case_and_spaces(
    written: str, number: int, normal: str
) -> None:
    assert task_number(written) == number
    assert normal_id(written) == normal


@pytest.mark.parametrize("written", ["T0", "X1", "T01", "T", "3", "T-1", "T1.5", "T 1", ""])
def test_something_else_is_not_a_task_id(written: str) -> None:
    with pytest.raises(TaskError, match="is not a task id"):
        task_number(written)
    with pytest.raises(TaskError, match="is not a task id"):
        normal_id(written)
