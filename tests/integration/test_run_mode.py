"""`penguin-tui tasks run` on the demo's plan, against the scripted demo model over real HTTP
through litellm, with real git and a real SQLite file: the events in order, the files and the
branches the script leaves, each task's status, branch and cost, budgets, and a run killed
with SIGKILL that the next run finishes without doing anything twice."""

from __future__ import annotations

import asyncio
import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest

from penguin_tui.app.launch import DEMO_TASKS, make_demo_project
from penguin_tui.cli.main import main
from penguin_tui.cli.run import allow_rule
from penguin_tui.tasks.model import TaskEdit, TaskStatus
from penguin_tui.testing import ServerThread, load_demo_script, run_in_thread
from tests.conftest import script

Captured = pytest.CaptureFixture[str]
RUN_EVENTS = ("runmode.started", "task.started", "task.finished", "runmode.finished")


@pytest.fixture
def demo_project(tmp_path: Path, capsys: Captured) -> Path:
    """The demo's project with its plan imported (T1…T5)."""
    project = make_demo_project(tmp_path / "demo")
    assert main(["tasks", "import", str(project / DEMO_TASKS), "-C", str(project)]) == 0
    capsys.readouterr()
    return project


@pytest.fixture
def demo_model() -> Any:
    with run_in_thread(load_demo_script(), rate=0) as served:
        yield served


def run_flags(project: Path, server: ServerThread) -> list[str]:
    return [
        "tasks",
        "run",
        "-C",
        str(project),
        "--model",
        "penguin-demo",
        "--api-base",
        server.base_url,
        "--approve",
        "all",
        "--json",
    ]


def tasks_run(capsys: Captured, project: Path, server: ServerThread, *extra: str) -> Any:
    code = main([*run_flags(project, server), *extra])
    out, err = capsys.readouterr()
    return code, [json.loads(line) for line in out.splitlines()], err


def listed(capsys: Captured, project: Path) -> dict[str, dict[str, Any]]:
    assert main(["tasks", "list", "--all", "--json", "-C", str(project)]) == 0
    return {task["id"]: task for task in json.loads(capsys.readouterr().out)}


def branches(capsys: Captured, project: Path) -> list[str]:
    assert main(["branches", "list", "--json", "-C", str(project)]) == 0
    return [branch["name"] for branch in json.loads(capsys.readouterr().out)]


def run_events(events: list[dict[str, Any]]) -> list[tuple[Any, ...]]:
    shown: list[tuple[Any, ...]] = []
    for event in events:
        kind = event["type"]
        if kind == "runmode.started":
            shown.append((kind, event["ready"]))
        elif kind == "task.started":
            shown.append((kind, event["id"], event["branch"]))
        elif kind == "task.finished":
            shown.append((kind, event["id"], event["status"], event["check_exit_code"]))
        elif kind == "runmode.finished":
            finished = (event["done"], event["failed"], event["blocked"], event["stop_reason"])
            shown.append((kind, *finished))
    return shown


THE_DEMO_RUN = [
    ("runmode.started", ["T2", "T4"]),
    ("task.started", "T2", "task/T2"),
    ("task.finished", "T2", "done", 0),
    ("task.started", "T3", "task/T3"),
    ("task.finished", "T3", "failed", 1),
    ("task.started", "T4", "task/T4"),
    ("task.finished", "T4", "done", 0),
    ("runmode.finished", ["T2", "T4"], ["T3"], [], "nothing ready"),
]


def test_the_demo_plan_runs_in_order_each_task_on_its_branch_and_a_failing_check_waits(
    capsys: Captured, demo_project: Path, demo_model: ServerThread, penguin_home: Path
) -> None:
    code, events, err = tasks_run(capsys, demo_project, demo_model)
    assert code == 1
    assert err.strip().endswith("penguin-tui: 1 task did not finish: T3")
    assert run_events(events) == THE_DEMO_RUN
    # T2's and T4's work is merged into the run's branch; T3's stays on its own branch.
    assert sorted(p.name for p in demo_project.iterdir() if not p.name.startswith(".")) == [
        "README.md",
        "hello.py",
        "stats.py",
        "test_stats.py",
    ]
    assert "def mean" in (demo_project / "stats.py").read_text()
    assert "def median" not in (demo_project / "stats.py").read_text()
    assert "greet_all" in (demo_project / "hello.py").read_text()
    assert branches(capsys, demo_project) == ["main", "task/T2", "task/T3", "task/T4"]
    plan = listed(capsys, demo_project)
    assert {t: plan[t]["status"] for t in plan} == {
        "T1": "todo",
        "T2": "done",
        "T3": "failed",
        "T4": "done",
        "T5": "todo",
    }
    assert plan["T5"]["ready"] is False  # it waits for T1, which waits for T3
    for task_id in ("T2", "T3", "T4"):
        task = plan[task_id]
        assert task["branch"] == f"task/{task_id}"
        assert task["checkpoints"], task_id
        assert task["input_tokens"] > 0 and task["output_tokens"] > 0
        assert task["time_s"] > 0
    finished = {e["id"]: e for e in events if e["type"] == "task.finished"}
    assert plan["T3"]["input_tokens"] == finished["T3"]["input_tokens"]
    # Every checkpoint of a task's turns records, with the plan, the task being worked on.
    with sqlite3.connect(penguin_home / "penguin.db") as db:
        rows = db.execute("SELECT branch, tasks FROM checkpoints WHERE kind = 'auto'").fetchall()
    working = {branch: json.loads(tasks)["working_on"] for branch, tasks in rows}
    assert working == {"task/T2": "T2", "task/T3": "T3", "task/T4": "T4"}
    assert "cannot fix it" in finished["T3"]["reason"]


def test_a_second_run_has_nothing_ready_and_a_retry_gets_a_new_branch(
    capsys: Captured, demo_project: Path, demo_model: ServerThread
) -> None:
    tasks_run(capsys, demo_project, demo_model)
    code, events, _ = tasks_run(capsys, demo_project, demo_model)
    assert code == 0
    assert run_events(events) == [
        ("runmode.started", []),
        ("runmode.finished", [], [], [], "nothing ready"),
    ]
    code, events, _ = tasks_run(capsys, demo_project, demo_model, "--task", "T3")
    assert code == 1
    assert run_events(events)[1] == ("task.started", "T3", "task/T3-2")
    code, _, err = tasks_run(capsys, demo_project, demo_model, "--task", "T5")
    assert (code, err.strip()) == (1, "penguin-tui: T5 waits for T1")


def test_a_run_budget_stops_the_run_with_exit_3_and_budget_exceeded(
    capsys: Captured, demo_project: Path, demo_model: ServerThread, penguin_home: Path
) -> None:
    with (penguin_home / "config.toml").open("a", encoding="utf-8") as config:
        config.write(
            '\n[model.prices."penguin-demo"]\ninput_per_mtok = 1.0\noutput_per_mtok = 2.0\n'
        )
    code, events, err = tasks_run(capsys, demo_project, demo_model, "--max-cost", "0.001")
    assert code == 3
    (stop,) = [e for e in events if e["type"] == "budget.exceeded"]
    assert stop["scope"] == "run"
    assert err.strip().splitlines()[-1] == f"penguin-tui: {stop['message']}"
    spent = sum(e["cost_usd"] for e in events if e["type"] == "usage")
    assert spent <= 0.001
    assert events[-1]["type"] == "runmode.finished"
    assert events[-1]["stop_reason"] == "budget"


def test_a_dollar_budget_refuses_a_model_with_no_known_price(
    capsys: Captured, project: Path, demo_model: ServerThread
) -> None:
    assert main(["tasks", "add", "Say hello", "-C", str(project)]) == 0
    capsys.readouterr()
    code, events, err = tasks_run(capsys, project, demo_model, "--max-cost", "1")
    assert (code, events) == (2, []), err
    assert "cannot hold a model with no known price" in err
    assert "[budget] allow_unpriced" in err


def test_a_task_budget_blocks_the_task_and_the_run_goes_on(
    capsys: Captured, demo_project: Path, demo_model: ServerThread, penguin_home: Path
) -> None:
    with (penguin_home / "config.toml").open("a", encoding="utf-8") as config:
        config.write("\n[tasks.overrides.T2]\nmax_steps = 1\n")
    code, events, _ = tasks_run(capsys, demo_project, demo_model)
    assert code == 1
    finished = {e["id"]: e for e in events if e["type"] == "task.finished"}
    assert finished["T2"]["status"] == "blocked"
    assert "task reached its limit of 1 model calls" in finished["T2"]["reason"]
    assert finished["T4"]["status"] == "done"
    assert "T3" not in finished  # it comes after T2, which is blocked


# -- kill -9 ---------------------------------------------------------------------------------


def _kill_when(process: subprocess.Popen[str], seen: tuple[str, str], delay: float) -> None:
    """SIGKILL the run once it printed the event ``seen`` (type, task id), after ``delay``."""
    assert process.stdout is not None
    for line in process.stdout:
        event = json.loads(line)
        if (event["type"], event.get("id")) == seen:
            time.sleep(delay)
            process.send_signal(signal.SIGKILL)
            process.wait(timeout=30)
            return
    pytest.fail(f"the run ended before {seen}")


@pytest.mark.parametrize(
    ("seen", "delay"),
    [
        (("task.started", "T2"), 0.4),  # in T2's turns
        (("task.finished", "T2"), 0.0),  # between T2's merge and T3
        (("task.started", "T3"), 0.9),  # around T3's check
    ],
)
def test_a_run_killed_with_sigkill_is_finished_by_the_next_without_doing_anything_twice(
    capsys: Captured, demo_project: Path, seen: tuple[str, str], delay: float
) -> None:
    with run_in_thread(load_demo_script(), rate=150) as slow_model:
        command = [sys.executable, "-m", "penguin_tui.cli", *run_flags(demo_project, slow_model)]
        process = subprocess.Popen(
            command, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True, env=os.environ
        )
        _kill_when(process, seen, delay)
        assert process.returncode == -signal.SIGKILL
        left = listed(capsys, demo_project)
        assert [left[t]["status"] for t in ("T2", "T3", "T4")] != ["done", "failed", "done"]
        code, events, err = tasks_run(capsys, demo_project, slow_model)
    assert code == 1, err
    assert events[-1]["type"] == "runmode.finished"
    plan = listed(capsys, demo_project)
    assert [plan[t]["status"] for t in ("T2", "T3", "T4")] == ["done", "failed", "done"]
    assert "def median" not in (demo_project / "stats.py").read_text()
    assert "greet_all" in (demo_project / "hello.py").read_text()
    assert branches(capsys, demo_project) == ["main", "task/T2", "task/T3", "task/T4"]
    assert main(["checkpoints", "list", "--json", "-C", str(demo_project)]) == 0
    labels = [c["label"] for c in json.loads(capsys.readouterr().out)]
    for task_id in ("T2", "T4"):
        assert labels.count(f"merged task/{task_id}") == 1, labels
        history = _history(capsys, demo_project, task_id)
        assert history.count("status review → done") == 1, history


def _history(capsys: Captured, project: Path, task_id: str) -> list[str]:
    assert main(["tasks", "show", task_id, "--json", "-C", str(project)]) == 0
    return [line["what"] for line in json.loads(capsys.readouterr().out)["history"]]


# -- checks: trusted when the user wrote them ------------------------------------------------

HELLO_SCRIPT = """
model = "m1"
rate = 0
[[turns]]
match = "^Task T1:"
step = 0
[[turns.tool_calls]]
name = "write_file"
arguments = '{"path": "hello.txt", "content": "hi"}'
[[turns]]
match = "^Task T1:"
step = 1
[[turns.tool_calls]]
name = "task_update"
arguments = '{"id": "T1", "status": "done", "summary": "wrote hello.txt"}'
[[turns]]
match = "^Task T1:"
text = "Done."
[[turns]]
text = "Nothing to do."
"""


def hello_run(capsys: Captured, project: Path, *extra: str) -> Any:
    with run_in_thread(script(HELLO_SCRIPT)) as served:
        code = main(
            [
                "tasks",
                "run",
                "-C",
                str(project),
                "--model",
                "m1",
                "--api-base",
                served.base_url,
                "--allow",
                "write_file:*",
                "--json",
                *extra,
            ]
        )
    out, err = capsys.readouterr()
    return code, [json.loads(line) for line in out.splitlines()], err


def test_a_check_the_user_wrote_runs_without_a_question_and_decides_the_task(
    capsys: Captured, project: Path
) -> None:
    assert main(["tasks", "add", "Say hi", "--check", "test -f hello.txt", "-C", str(project)]) == 0
    capsys.readouterr()
    code, events, err = hello_run(capsys, project)
    assert code == 0, err
    (finished,) = [e for e in events if e["type"] == "task.finished"]
    assert (finished["status"], finished["check_exit_code"]) == ("done", 0)
    assert (project / "hello.txt").read_text() == "hi"
    assert not [e for e in events if e["type"] == "approval.requested"]
    assert main(["audit", "-C", str(project), "--json"]) == 0
    calls = json.loads(capsys.readouterr().out)
    check = calls[-1]
    assert (check["tool"], check["decided_by"], check["exit_code"]) == ("run_shell", "user", 0)
    assert "test -f hello.txt" in check["args"]
    assert listed(capsys, project)["T1"]["status"] == "done"


def test_an_imported_check_is_judged_like_any_command_and_a_refusal_blocks_the_task(
    capsys: Captured, project: Path, tmp_path: Path
) -> None:
    plan = tmp_path / "plan.json"
    plan.write_text(json.dumps([{"id": "T1", "title": "Say hi", "check": "test -f hello.txt"}]))
    assert main(["tasks", "import", str(plan), "-C", str(project)]) == 0
    capsys.readouterr()
    code, events, err = hello_run(capsys, project)  # --approve deny (the default)
    assert code == 1
    (finished,) = [e for e in events if e["type"] == "task.finished"]
    assert finished["status"] == "blocked"
    assert finished["reason"].startswith("its check was not run")
    assert err.strip().endswith("penguin-tui: 1 task did not finish: T1")
    # With the question answered yes, a retry of T1 runs the check, on a branch of its own.
    code, events, err = hello_run(capsys, project, "--task", "T1", "--approve", "all")
    assert code == 0, err
    assert [e["branch"] for e in events if e["type"] == "task.started"] == ["task/T1-2"]


# -- stops and settlements between the steps of a task ---------------------------------------


async def test_a_stop_while_the_check_runs_leaves_the_task_in_review_and_a_done_by_hand_is_merged(
    project: Path,
) -> None:
    """Esc / Ctrl+C during a long check stops it at once (not after it); the user then marks
    the task done, and the next run merges its branch without asking the model anything."""
    from penguin_tui.bus import ToolCallStarted
    from penguin_tui.runmode.runner import RunMode, StopReason
    from penguin_tui.runtime import open_runtime

    with run_in_thread(script(HELLO_SCRIPT)) as served:
        runtime = await open_runtime(project, model="m1", api_base=served.base_url)
        try:
            assert runtime.tasks is not None
            await runtime.tasks.add("Say hi", check="sleep 30")
            runtime.engine.tools.policy.session_rules.append(allow_rule("write_file:*"))
            run_mode = RunMode(runtime)
            watching = runtime.bus.subscribe()
            running = asyncio.create_task(run_mode.run())
            async for event in watching:
                if isinstance(event, ToolCallStarted) and event.call_id.startswith("check_"):
                    break
            started = time.monotonic()
            run_mode.stop()
            outcome = await running
            watching.close()
            assert time.monotonic() - started < 10  # the check did not run its 30 s
            assert outcome.stop_reason is StopReason.INTERRUPTED
            assert runtime.tasks.get("T1").status.value == "review"
            await runtime.tasks.set_status("T1", TaskStatus.DONE)
            asked = len(served.requests)
            again = await RunMode(runtime).run()
            assert (again.done, again.stop_reason) == (("T1",), StopReason.NOTHING_READY)
            assert len(served.requests) == asked
            assert (project / "hello.txt").read_text() == "hi"  # merged into the run's branch
        finally:
            await runtime.close()


async def test_an_attempt_whose_task_was_failed_before_the_attempt_was_written_is_closed(
    project: Path,
) -> None:
    """A kill between a task's status and its attempt's row: the next run closes the attempt
    as the task stands, without a model call, and does not leave the task stuck."""
    from penguin_tui.runmode.records import RunRecords
    from penguin_tui.runmode.runner import RunMode
    from penguin_tui.runtime import open_runtime

    with run_in_thread(script(HELLO_SCRIPT)) as served:
        runtime = await open_runtime(project, model="m1", api_base=served.base_url)
        try:
            assert runtime.tasks is not None
            await runtime.tasks.add("Say hi")
            session = await runtime.engine.new_session()
            records = RunRecords(runtime.store, runtime.engine.project.id)
            run = await records.start_run(session.id)
            await records.start_attempt(run, "T1", "task/T1")
            await runtime.tasks.edit("T1", TaskEdit(status=TaskStatus.FAILED, notes="gave up"))
            outcome = await RunMode(runtime).run()
            assert outcome.failed == ("T1",)
            assert served.requests == []
            assert await records.unfinished_run() is None
            (attempt,) = await records.attempts("T1")
            assert (attempt.state.value, attempt.reason) == ("failed", "gave up")
        finally:
            await runtime.close()


def test_a_task_put_in_review_by_hand_is_started_afresh_by_task(
    capsys: Captured, project: Path
) -> None:
    assert main(["tasks", "add", "Say hi", "--check", "test -f hello.txt", "-C", str(project)]) == 0
    assert main(["tasks", "edit", "T1", "--status", "review", "-C", str(project)]) == 0
    capsys.readouterr()
    code, events, err = hello_run(capsys, project, "--task", "T1")
    assert code == 0, err
    (finished,) = [e for e in events if e["type"] == "task.finished"]
    assert (finished["status"], finished["check_exit_code"]) == ("done", 0)
