"""The demo script carries out the demo's plan in run mode: over real HTTP, each task's
conversation gets its scripted steps (write, test, claim done), T3's failed check makes the
model give up, a resumed task does the same work again, and the chat demo is untouched."""

from __future__ import annotations

import json
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx

from penguin_tui.app.launch import make_demo_project
from penguin_tui.testing import ScriptedServer, load_demo_script

SYSTEM = {"role": "system", "content": "You are penguin-tui's agent."}
CHECKS = {
    "T2": "python3 -m unittest -q test_stats",
    "T3": "python3 -m unittest -q test_median",
    "T4": "python3 hello.py",
}


@dataclass(frozen=True)
class Step:
    """One model call of a task: the reply's text and its tool calls (name, arguments)."""

    text: str
    calls: tuple[tuple[str, dict[str, Any]], ...]
    completion_tokens: int

    @property
    def names(self) -> list[str]:
        return [name for name, _ in self.calls]


def task_message(task_id: str, title: str, opening: str = "Task") -> dict[str, str]:
    body = f"{opening} {task_id}: {title}\n\nDescription: (none)\nCheck: {CHECKS[task_id]}\n"
    return {"role": "user", "content": body + "Call task_update with status done when finished."}


async def call(server: ScriptedServer, messages: list[dict[str, Any]]) -> Step:
    async with httpx.AsyncClient(timeout=5) as client:
        body = {"model": "penguin-demo", "messages": messages, "stream": False}
        response = await client.post(f"{server.base_url}/chat/completions", json=body)
    assert response.status_code == 200, response.text
    reply = response.json()
    message = reply["choices"][0]["message"]
    calls = tuple(
        (c["function"]["name"], json.loads(c["function"]["arguments"]))
        for c in message.get("tool_calls") or []
    )
    messages.append(message)
    for tool_call in message.get("tool_calls") or []:
        messages.append({"role": "tool", "tool_call_id": tool_call["id"], "content": "ok"})
    return Step(message["content"] or "", calls, reply["usage"]["completion_tokens"])


async def run_until_text(server: ScriptedServer, messages: list[dict[str, Any]]) -> list[Step]:
    """Call the model as run mode's tool loop does, until a reply calls no tool."""
    steps: list[Step] = []
    while not steps or steps[-1].calls:
        assert len(steps) < 10, "the script never stops calling tools"
        steps.append(await call(server, messages))
    return steps


def write_files(project: Path, steps: list[Step]) -> None:
    for name, arguments in (c for step in steps for c in step.calls):
        if name == "write_file":
            (project / arguments["path"]).write_text(arguments["content"], encoding="utf-8")


def check(project: Path, task_id: str) -> int:
    command = CHECKS[task_id].replace("python3", sys.executable, 1).split()
    return subprocess.run(command, cwd=project, capture_output=True, check=False).returncode


async def test_the_demo_script_carries_out_t2_t3_and_t4_in_run_mode(tmp_path: Path) -> None:
    project = make_demo_project(tmp_path)
    async with ScriptedServer(load_demo_script(), rate=0) as server:
        t2 = await run_until_text(server, [SYSTEM, task_message("T2", "Add mean() with a test")])
        t3_messages = [SYSTEM, task_message("T3", "Add median() with a test")]
        t3 = await run_until_text(server, t3_messages)
        t3_messages.append({"role": "user", "content": "The check of task T3 failed: exit 1"})
        gave_up = await run_until_text(server, t3_messages)
        t4 = await run_until_text(server, [SYSTEM, task_message("T4", "Say hello to everyone")])

    assert [s.names for s in t2] == [
        ["write_file", "write_file"],
        ["run_shell"],
        ["task_update"],
        [],
    ]
    assert [a["path"] for _, a in t2[0].calls] == ["stats.py", "test_stats.py"]
    assert t2[1].calls[0][1] == {"command": CHECKS["T2"]}
    assert t2[2].calls[0][1]["id"] == "T2" and t2[2].calls[0][1]["status"] == "done"
    assert t2[2].calls[0][1]["summary"]

    assert [s.names for s in t3] == [["write_file", "write_file"], ["task_update"], []]
    assert [a["path"] for _, a in t3[0].calls] == ["stats.py", "test_median.py"]
    assert t3[1].calls[0][1]["id"] == "T3" and t3[1].calls[0][1]["status"] == "done"
    assert [s.names for s in gave_up] == [["task_update"], []]
    failed = gave_up[0].calls[0][1]
    assert failed["id"] == "T3" and failed["status"] == "failed" and failed["notes"]
    assert "scripted demo model" in gave_up[0].text

    assert [s.names for s in t4] == [["write_file"], ["task_update"], []]
    assert t4[0].calls[0][1]["path"] == "hello.py"
    assert t4[1].calls[0][1] == {
        "id": "T4",
        "status": "done",
        "summary": t4[1].calls[0][1]["summary"],
    }

    # The writes make sense in the demo project: T2's and T4's checks pass, T3's fails.
    write_files(project, t2)
    assert check(project, "T2") == 0
    write_files(project, t3)
    assert check(project, "T3") != 0
    assert check(project, "T2") == 0
    write_files(project, t4)
    assert check(project, "T4") == 0
    # At the demo's 60 tokens a second, the whole run is well under a minute.
    steps = [*t2, *t3, *gave_up, *t4]
    assert sum(s.completion_tokens for s in steps) / load_demo_script().rate < 30
    assert all("scripted demo model" in s.text for s in steps if not s.calls)


async def test_a_resumed_task_does_the_same_work_again() -> None:
    title = "Say hello to everyone in a list"
    async with ScriptedServer(load_demo_script(), rate=0) as server:
        first = [SYSTEM, task_message("T4", title)]
        await call(server, first)  # the run stopped after the first call
        first.append(task_message("T4", title, opening="Go on with task"))
        resumed = await run_until_text(server, first)
        fresh = await run_until_text(server, [SYSTEM, task_message("T4", title)])
    assert [s.calls for s in resumed] == [s.calls for s in fresh]
    assert resumed[0].names == ["write_file"]


async def test_a_task_without_steps_gets_a_plain_reply() -> None:
    async with ScriptedServer(load_demo_script(), rate=0) as server:
        t5 = await run_until_text(server, [SYSTEM, {"role": "user", "content": "Task T5: Docs"}])
    assert [s.names for s in t5] == [[]]
    assert "scripted demo model" in t5[0].text


async def test_the_chat_demo_still_answers_an_unrelated_prompt_first() -> None:
    demo = load_demo_script()
    async with ScriptedServer(demo, rate=0) as server:
        messages: list[dict[str, Any]] = [SYSTEM, {"role": "user", "content": "Task list?"}]
        first = await call(server, messages)
        second = await call(server, messages)
    assert first.text == demo.turns[0].text
    assert first.names == ["list_files"]
    assert second.names == ["write_file", "write_file"]
