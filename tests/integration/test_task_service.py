"""The task plan through TaskService, on a real SQLite file: ids that never change and are never
reused, every change checked and kept in the history, and the plan as it was after a reopen."""

from __future__ import annotations

import dataclasses
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from penguin_tui.config import Redactor
from penguin_tui.store.store import Store
from penguin_tui.tasks.model import Actor, Priority, TaskEdit, TaskError, TaskStatus
from penguin_tui.tasks.service import TaskService


@pytest.fixture
async def store(tmp_path: Path) -> AsyncIterator[Store]:
    store = await Store.open(tmp_path / "penguin.db")
    yield store
    await store.close()


async def open_tasks(store: Store, project: Path) -> TaskService:
    opened = await store.ensure_project(project)
    return await TaskService.open(store, opened.id)


async def test_ids_follow_on_survive_a_reopen_and_are_never_given_twice(
    store: Store, project: Path
) -> None:
    tasks = await open_tasks(store, project)
    first = await tasks.add("Write the parser")
    second = await tasks.add("Test it", after=["t1"], priority=Priority.HIGH)
    assert (first.id, second.id) == ("T1", "T2")
    assert second.after == ("T1",)
    again = await open_tasks(store, project)
    assert again.tasks == tasks.tasks
    # A task taken away from the table (a revert of the plan does that) leaves its number used.
    await store.transaction([("DELETE FROM tasks WHERE number = 2", ())])
    again = await open_tasks(store, project)
    assert (await again.add("Another")).id == "T3"


async def test_a_change_that_would_make_a_cycle_is_refused_with_the_cycle_named(
    store: Store, project: Path
) -> None:
    tasks = await open_tasks(store, project)
    await tasks.add("one")
    await tasks.add("two", after=["T1"])
    await tasks.add("three", after=["T2"])
    with pytest.raises(TaskError, match="cycle: T1 → T3 → T2 → T1"):
        await tasks.edit("T1", TaskEdit(add_after=("T3",)))
    assert tasks.get("T1").after == ()
    assert (await open_tasks(store, project)).get("T1").after == ()  # nothing was written


async def test_unknown_ids_and_empty_titles_are_one_line_errors(
    store: Store, project: Path
) -> None:
    tasks = await open_tasks(store, project)
    with pytest.raises(TaskError, match="no task T9"):
        await tasks.add("x", after=["T9"])
    with pytest.raises(TaskError, match="needs a title"):
        await tasks.add("   ")
    with pytest.raises(TaskError, match="not a task id"):
        tasks.get("seven")
    await tasks.add("x")
    with pytest.raises(TaskError, match="after itself"):
        await tasks.edit("T1", TaskEdit(add_after=("T1",)))


async def test_every_change_is_in_the_history_with_who_made_it(store: Store, project: Path) -> None:
    tasks = await open_tasks(store, project)
    await tasks.add("one")
    await tasks.add("two", actor=Actor.AGENT)
    await tasks.edit("T2", TaskEdit(add_after=("T1",), priority=Priority.HIGH), Actor.AGENT)
    await tasks.set_status("T2", TaskStatus.DOING, Actor.USER)
    history = await tasks.history("T2")
    assert [(c.actor, c.what) for c in history] == [
        (Actor.AGENT, "created"),
        (Actor.AGENT, "priority medium → high"),
        (Actor.AGENT, "after +T1"),
        (Actor.USER, "status todo → doing"),
    ]


async def test_a_parent_is_done_when_its_subtasks_are_and_not_before(
    store: Store, project: Path
) -> None:
    tasks = await open_tasks(store, project)
    await tasks.add("release")
    await tasks.add("build", parent="T1")
    await tasks.add("upload", parent="T1")
    with pytest.raises(TaskError, match="done when its subtasks are: T2, T3 not yet"):
        await tasks.set_status("T1", TaskStatus.DONE)
    await tasks.set_status("T2", TaskStatus.DONE)
    assert tasks.get("T1").status is TaskStatus.TODO
    await tasks.set_status("T3", TaskStatus.DONE)
    assert tasks.get("T1").status is TaskStatus.DONE
    assert (await tasks.history("T1"))[-1].what == "status → done: its subtasks are"
    assert (await open_tasks(store, project)).get("T1").status is TaskStatus.DONE


async def test_cancelling_a_task_cancels_its_open_subtasks_and_frees_its_dependents(
    store: Store, project: Path
) -> None:
    tasks = await open_tasks(store, project)
    await tasks.add("spike")
    await tasks.add("try a", parent="T1")
    await tasks.add("try b", parent="T1")
    await tasks.set_status("T2", TaskStatus.DONE)
    await tasks.add("decide", after=["T1"])
    assert tasks.ready() == ["T3"]
    await tasks.set_status("T1", TaskStatus.CANCELLED)
    assert [tasks.get(t).status for t in ("T1", "T2", "T3")] == [
        TaskStatus.CANCELLED,
        TaskStatus.DONE,
        TaskStatus.CANCELLED,
    ]
    assert tasks.ready() == ["T4"]
    # A cancelled task can be reopened, and its cancelled subtasks with it.
    await tasks.set_status("T1", TaskStatus.TODO)
    assert [tasks.get(t).status for t in ("T1", "T2", "T3")] == [
        TaskStatus.TODO,
        TaskStatus.DONE,
        TaskStatus.TODO,
    ]


async def test_a_check_is_trusted_only_when_the_user_wrote_it(store: Store, project: Path) -> None:
    tasks = await open_tasks(store, project)
    by_agent = await tasks.add("a", check="pytest -q", actor=Actor.AGENT)
    by_user = await tasks.add("b", check="pytest -q")
    assert (by_agent.check_trusted, by_user.check_trusted) == (False, True)
    confirmed = await tasks.edit("T1", TaskEdit(check="pytest -q tests"), Actor.USER)
    assert confirmed.check_trusted
    changed = await tasks.edit("T2", TaskEdit(check="make check"), Actor.AGENT)
    assert not changed.check_trusted


async def test_criteria_are_met_one_by_one(store: Store, project: Path) -> None:
    tasks = await open_tasks(store, project)
    await tasks.add("docs", criteria=["says how", "says why"])
    task = await tasks.edit("T1", TaskEdit(criteria_done=(2,)))
    assert [c.done for c in task.criteria] == [False, True]
    with pytest.raises(TaskError, match="no criterion 3"):
        await tasks.edit("T1", TaskEdit(criteria_done=(3,)))
    assert (await open_tasks(store, project)).get("T1").criteria == task.criteria


async def test_a_secret_in_a_task_never_reaches_the_database(tmp_path: Path, project: Path) -> None:
    key = "sk-proj-" + "Z9" * 20
    store = await Store.open(tmp_path / "secret.db", redact=Redactor([key]))
    try:
        tasks = await open_tasks(store, project)
        await tasks.add(f"rotate {key}", description=f"old key {key}", criteria=[f"not {key}"])
        await tasks.edit("T1", TaskEdit(notes=f"tried {key}", check=f"curl -H {key} x"))
    finally:
        await store.close()
    for part in (tmp_path / "secret.db").parent.glob("secret.db*"):
        assert key.encode() not in part.read_bytes()


async def test_a_task_after_its_own_subtask_is_refused_in_those_words(
    store: Store, project: Path
) -> None:
    tasks = await open_tasks(store, project)
    await tasks.add("release")
    await tasks.add("build", parent="T1")
    with pytest.raises(TaskError, match="T1 cannot come after its own subtask T2"):
        await tasks.edit("T1", TaskEdit(add_after=("T2",)))


async def test_recording_a_tasks_work_keeps_a_status_changed_meanwhile_here_or_elsewhere(
    store: Store, project: Path
) -> None:
    """Run mode writes a task's spend from a copy it read a moment before; the agent's claim
    (here) or a user's edit (another process) made meanwhile must not be undone by it."""
    tasks = await open_tasks(store, project)
    elsewhere = await open_tasks(store, project)
    read_before = await tasks.add("Write the parser")
    await tasks.set_status("T1", TaskStatus.REVIEW, Actor.AGENT)
    await elsewhere.reload()
    await elsewhere.edit("T1", TaskEdit(title="Write the parser again"))
    work = dataclasses.replace(read_before, branch="task/T1", input_tokens=120, cost_usd=None)
    await tasks.record_work("T1", work)
    assert tasks.get("T1").status is TaskStatus.REVIEW
    stored = (await open_tasks(store, project)).get("T1")
    assert (stored.status, stored.title) == (TaskStatus.REVIEW, "Write the parser again")
    assert (stored.branch, stored.input_tokens, stored.cost_usd) == ("task/T1", 120, None)
