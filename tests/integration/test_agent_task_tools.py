"""The agent plans with the task tools through the real engine, over real HTTP to the scripted
model: its tasks are in the project's plan as the agent's, its calls in the audit log, and a
task the user created is not cancelled without asking."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, cast

import pytest

from penguin_tui.cli.main import main
from penguin_tui.engine.approvals import ApprovalAnswer, ApprovalRequest
from penguin_tui.runtime import open_runtime
from penguin_tui.store import Role
from penguin_tui.tasks.model import Actor, TaskStatus
from penguin_tui.testing import run_in_thread
from tests.conftest import script
from tests.integration.test_agent_run import run_agent

Captured = pytest.CaptureFixture[str]

PLANNING = r"""
model = "m1"
rate = 0
[[turns]]
text = "Let me plan this."
[[turns.tool_calls]]
name = "task_create"
arguments = '{"title": "Write add()", "priority": "high", "criteria": ["adds ints"]}'
[[turns.tool_calls]]
name = "task_create"
arguments = '{"title": "Test add()", "after": ["T1"], "check": "python -m pytest -q"}'
[[turns]]
[[turns.tool_calls]]
name = "task_update"
arguments = '{"id": "T1", "status": "done", "criteria_done": [1], "summary": "add() written"}'
[[turns]]
text = "Planned."
"""

CANCELLING = r"""
model = "m1"
rate = 0
[[turns]]
[[turns.tool_calls]]
name = "task_update"
arguments = '{"id": "T1", "status": "cancelled"}'
[[turns]]
[[turns.tool_calls]]
name = "task_create"
arguments = '{"title": "A detour"}'
[[turns]]
[[turns.tool_calls]]
name = "task_update"
arguments = '{"id": "T2", "status": "cancelled"}'
[[turns]]
text = "Done."
"""


def test_each_task_made_or_changed_is_a_task_event_in_the_json_of_the_run(
    capsys: Captured, project: Path
) -> None:
    with run_in_thread(script(PLANNING)) as server:
        code, events, err = run_agent(capsys, project, server, "--approve", "all", "plan add()")
    assert code == 0, err
    task_events = [cast(dict[str, Any], e) for e in events if str(e["type"]).startswith("task.")]
    assert [(e["type"], e["task"]["id"], e["task"]["status"]) for e in task_events] == [
        ("task.created", "T1", "todo"),
        ("task.created", "T2", "todo"),
        ("task.updated", "T1", "done"),
    ]
    created = task_events[1]["task"]
    assert (created["after"], created["ready"], created["created_by"]) == (["T1"], False, "agent")
    # Each comes after the call that made it, before that call's result.
    order = [e["type"] for e in events if e["type"] in ("tool.call", "task.created", "tool.result")]
    assert order[:3] == ["tool.call", "task.created", "tool.result"]


def test_the_agents_tasks_are_in_the_plan_and_its_calls_in_the_audit_log(
    capsys: Captured, project: Path
) -> None:
    with run_in_thread(script(PLANNING)) as server:
        code, events, err = run_agent(capsys, project, server, "--approve", "all", "plan add()")
    assert code == 0, err
    results = [e for e in events if e["type"] == "tool.result"]
    assert [r["status"] for r in results] == ["ok", "ok", "ok"]
    assert [r["summary"] for r in results] == [
        "created T1: Write add()",
        "created T2: Test add()",
        "updated T1: Write add()",
    ]
    assert not [e for e in events if e["type"] == "approval.requested"]  # allowed by default

    assert main(["tasks", "list", "-C", str(project), "--all", "--json"]) == 0
    tasks = json.loads(capsys.readouterr().out)
    assert [(t["id"], t["created_by"], t["status"]) for t in tasks] == [
        ("T1", "agent", "done"),
        ("T2", "agent", "todo"),
    ]
    assert tasks[0]["criteria"] == [{"text": "adds ints", "done": True}]
    assert tasks[1]["after"] == ["T1"] and tasks[1]["ready"] is True
    assert tasks[1]["check"] == "python -m pytest -q"

    assert main(["audit", "-C", str(project), "--json"]) == 0
    audit = json.loads(capsys.readouterr().out)
    assert [(a["tool"], a["decision"], a["decided_by"]) for a in audit] == [
        ("task_create", "allow", "policy"),
        ("task_create", "allow", "policy"),
        ("task_update", "allow", "policy"),
    ]


async def test_cancelling_the_users_task_is_asked_and_the_agents_own_is_not(
    project: Path,
) -> None:
    asked: list[ApprovalRequest] = []

    async def refuse(request: ApprovalRequest) -> ApprovalAnswer:
        asked.append(request)
        return ApprovalAnswer(False, reason="keep it")

    with run_in_thread(script(CANCELLING)) as server:
        runtime = await open_runtime(project, model="m1", api_base=server.base_url)
        try:
            assert runtime.tasks is not None
            await runtime.tasks.add("Ship the release")  # the user's
            runtime.engine.set_approver(refuse)
            await runtime.engine.send("tidy the plan")
            history = await runtime.engine.history()
            tasks = runtime.tasks.tasks
        finally:
            await runtime.close()
    [question] = asked
    assert question.tool == "task_update"
    assert question.reason == "cancelling T1, a task the user created: asked in every mode"
    assert question.preview.text.splitlines() == [
        "T1 · todo · medium · Ship the release · ready (created by the user)",
        "status todo → cancelled",
    ]
    assert tasks["T1"].status is TaskStatus.TODO
    assert tasks["T2"].status is TaskStatus.CANCELLED and tasks["T2"].created_by is Actor.AGENT
    answers = [m.content for m in history if m.role is Role.TOOL]
    assert answers[0].startswith("Not run: keep it.")
    assert answers[2].startswith("Updated T2: T2 · cancelled")
