"""The agent's task tools on a real SQLite file: one task at a time, as the agent, a refused
change told to the model in one line; and who may change what under the permissions."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import replace
from pathlib import Path

import pytest

from penguin_tui.bus import EventBus
from penguin_tui.config import data_paths, load_settings
from penguin_tui.config.secrets import SecretFreeEnvironment
from penguin_tui.engine.permissions import Action, Mode, PermissionPolicy, PermissionSettings
from penguin_tui.engine.tools.base import ToolContext
from penguin_tui.engine.tools.registry import ALL_TOOLS, run_tool
from penguin_tui.runtime import make_tool_runner
from penguin_tui.store.store import Store
from penguin_tui.tasks.model import Actor, Priority, Task, TaskEdit, TaskError, TaskStatus
from penguin_tui.tasks.service import TaskService


@pytest.fixture
async def store(tmp_path: Path) -> AsyncIterator[Store]:
    store = await Store.open(tmp_path / "penguin.db")
    yield store
    await store.close()


@pytest.fixture
async def plan(store: Store, project: Path) -> TaskService:
    opened = await store.ensure_project(project)
    return await TaskService.open(store, opened.id)


@pytest.fixture
def ctx(project: Path, plan: TaskService) -> ToolContext:
    return replace(ToolContext.for_project(project), tasks=plan)


def policy_for(project: Path, plan: TaskService, mode: Mode = Mode.ASK) -> PermissionPolicy:
    policy = PermissionPolicy(PermissionSettings(mode=mode), None, project)

    def find(task_id: str) -> Task | None:
        try:
            return plan.get(task_id)
        except TaskError:
            return None

    policy.find_task = find
    return policy


async def test_the_agent_creates_tasks_that_say_who_made_them(
    ctx: ToolContext, plan: TaskService
) -> None:
    first = await run_tool("task_create", {"title": "Write the parser"}, ctx)
    second = await run_tool(
        "task_create",
        {
            "title": "Test the parser",
            "after": ["t1"],
            "priority": "high",
            "check": "pytest -q",
            "criteria": ["parses numbers", "refuses junk"],
        },
        ctx,
    )
    assert first.status == second.status == "ok"
    assert first.output == "Created T1: T1 · todo · medium · Write the parser · ready"
    assert first.summary == "created T1: Write the parser"
    assert second.output.startswith("Created T2: T2 · todo · high · Test the parser · after T1")
    test = plan.get("T2")
    assert test.created_by is Actor.AGENT and test.after == ("T1",)
    assert test.check == "pytest -q" and not test.check_trusted  # the agent wrote it
    assert [c.text for c in test.criteria] == ["parses numbers", "refuses junk"]


async def test_the_list_shows_ready_why_waiting_and_numbered_criteria(
    ctx: ToolContext, plan: TaskService
) -> None:
    assert (await run_tool("task_list", {}, ctx)).output == "No tasks yet."
    await plan.add("Write the parser", description="Numbers and\nsigns.")
    await plan.add("Test it", after=["T1"], criteria=["parses numbers", "refuses junk"])
    await plan.add("Edge cases", parent="T2")
    await plan.edit("T2", TaskEdit(criteria_done=(2,)))
    listed = await run_tool("task_list", "", ctx)
    assert listed.status == "ok"
    assert listed.output.splitlines() == [
        "3 tasks, 0 done; ready: T1",
        "- T1 · todo · medium · Write the parser · ready",
        "    description: Numbers and signs.",
        "- T2 · todo · medium · Test it · after T1 · waiting: done when its subtasks are"
        " · criteria 1/2",
        "    1. [ ] parses numbers",
        "    2. [x] refuses junk",
        "  - T3 · todo · medium · Edge cases · waiting: after T1 (todo)",
    ]


async def test_update_changes_one_task_adds_dependencies_and_marks_criteria(
    ctx: ToolContext, plan: TaskService
) -> None:
    await plan.add("one")
    await plan.add("two")
    await plan.add("three", criteria=["a", "b", "c"])
    result = await run_tool(
        "task_update",
        {"id": "T3", "status": "doing", "after": ["T1"], "criteria_done": [1, 3], "notes": "n"},
        ctx,
    )
    assert result.status == "ok", result.output
    assert result.output == "Updated T3: T3 · doing · medium · three · after T1 · criteria 2/3"
    await run_tool("task_update", {"id": "T3", "after": ["T2"]}, ctx)
    three = plan.get("T3")
    assert three.after == ("T1", "T2")  # added to, never replaced
    assert [c.done for c in three.criteria] == [True, False, True]
    assert three.notes == "n" and three.status is TaskStatus.DOING
    history = await plan.history("T3")
    assert {change.actor for change in history[1:]} == {Actor.AGENT}
    again = await run_tool("task_update", {"id": "T3", "after": ["T2"]}, ctx)
    assert again.output.startswith("Nothing changed: T3")


async def test_a_refused_change_comes_back_as_a_one_line_error(
    ctx: ToolContext, plan: TaskService
) -> None:
    await plan.add("one")
    await plan.add("two", after=["T1"])
    cycle = await run_tool("task_update", {"id": "T1", "after": ["T2"]}, ctx)
    assert cycle.status == "error"
    assert cycle.output == "Error: that would make a cycle: T1 → T2 → T1"
    assert plan.get("T1").after == ()
    unknown = await run_tool("task_create", {"title": "x", "after": ["T9"]}, ctx)
    assert unknown.output == "Error: there is no task T9 in this project"
    criterion = await run_tool("task_update", {"id": "T1", "criteria_done": [1]}, ctx)
    assert criterion.output == "Error: T1 has no criterion 1 (it has 0)"
    whole_list = await run_tool("task_update", {"tasks": []}, ctx)
    assert whole_list.status == "error" and "id: missing" in whole_list.output


async def test_without_a_plan_the_tools_say_it_is_not_available(project: Path) -> None:
    ctx = ToolContext.for_project(project)
    for name, args in [("task_list", {}), ("task_create", {"title": "x"})]:
        result = await run_tool(name, args, ctx)
        assert result.output == "Error: the task plan is not available here (no project is open)"


def test_the_schemas_say_criteria_are_numbered_from_one() -> None:
    schema = ALL_TOOLS["task_update"].parameters_schema()
    assert "1-based" in schema["properties"]["criteria_done"]["description"]
    assert ALL_TOOLS["task_list"].parameters_schema()["properties"] == {}
    assert schema["properties"]["status"]["enum"] == [status.value for status in TaskStatus]
    create = ALL_TOOLS["task_create"].parameters_schema()
    assert create["properties"]["priority"]["enum"] == [priority.value for priority in Priority]


async def test_read_only_denies_the_changing_tools_and_allows_the_list(
    project: Path, plan: TaskService
) -> None:
    await plan.add("one")
    policy = policy_for(project, plan, Mode.READ_ONLY)
    assert policy.check("task_list", {}).action is Action.ALLOW
    create = policy.check("task_create", {"title": "x"})
    update = policy.check("task_update", {"id": "T1", "status": "done"})
    assert create.action is update.action is Action.DENY
    assert update.reason == "mode read-only: changes to the task plan are denied"


async def test_cancelling_a_users_task_is_asked_and_an_agents_is_allowed(
    project: Path, plan: TaskService
) -> None:
    await plan.add("the user's")
    await plan.add("the agent's", actor=Actor.AGENT)
    for mode in (Mode.ASK, Mode.FULL):
        policy = policy_for(project, plan, mode)
        users = policy.check("task_update", {"id": "t1", "status": "cancelled"})
        assert users.action is Action.ASK
        assert users.reason == "cancelling T1, a task the user created: asked in every mode"
        agents = policy.check("task_update", {"id": "T2", "status": "cancelled"})
        assert agents.action is Action.ALLOW
    policy = policy_for(project, plan)
    assert policy.check("task_update", {"id": "T1", "status": "done"}).action is Action.ALLOW
    assert policy.check("task_update", {"id": "T1", "after": ["T2"]}).action is Action.ALLOW
    assert policy.check("task_create", {"title": "more"}).action is Action.ALLOW


async def test_renaming_a_users_task_is_asked(project: Path, plan: TaskService) -> None:
    await plan.add("Write the parser")
    policy = policy_for(project, plan)
    renamed = policy.check("task_update", {"id": "T1", "title": "Write a parser"})
    assert renamed.action is Action.ASK
    assert renamed.reason == "renaming T1, a task the user created: asked in every mode"
    same = policy.check("task_update", {"id": "T1", "title": "Write the  parser"})
    assert same.action is Action.ALLOW  # no change to its title
    unknown = policy.check("task_update", {"id": "T7", "status": "cancelled"})
    assert unknown.action is Action.ASK  # a task the plan cannot show counts as the user's


async def test_the_runtimes_runner_knows_who_created_each_task(
    store: Store, project: Path, plan: TaskService, tmp_path: Path
) -> None:
    """make_tool_runner hands the plan to the tools and its lookup to the policy."""
    paths = data_paths()
    settings = load_settings(paths.user_config, project)
    opened = await store.ensure_project(project)
    runner = await make_tool_runner(
        store, EventBus(), settings, paths, opened, project, SecretFreeEnvironment.of(), plan
    )
    assert runner.context.tasks is plan
    await plan.add("the user's")
    check = runner.policy.check("task_update", {"id": "T1", "status": "cancelled"})
    assert check.action is Action.ASK


async def test_in_run_mode_the_agents_done_for_the_task_at_work_is_a_claim_put_in_review(
    ctx: ToolContext, plan: TaskService
) -> None:
    await plan.add("Write the parser", check="pytest -q")
    await plan.add("Write the docs")
    running = replace(ctx, running_task="T1")
    claimed = await run_tool("task_update", {"id": "t1", "status": "done"}, running)
    assert plan.get("T1").status is TaskStatus.REVIEW
    assert claimed.output.startswith(
        "T1 is in review: penguin-tui runs its check `pytest -q` when you stop."
    )
    # Another task's status is not the agent's to settle in a run, nor may the task at work
    # be split into subtasks (it would never be done by its own run).
    other = await run_tool("task_update", {"id": "T2", "status": "done"}, running)
    assert other.status == "error" and "only its status is yours" in other.output
    assert plan.get("T2").status is TaskStatus.TODO
    split = await run_tool("task_create", {"title": "Half of it", "parent": "T1"}, running)
    assert split.status == "error" and "cannot get subtasks now" in split.output
    noted = await run_tool("task_update", {"id": "T2", "notes": "see T1"}, running)
    assert noted.status == "ok" and plan.get("T2").notes == "see T1"
