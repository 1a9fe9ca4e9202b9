"""run_shell: exit codes, bounded output, timeouts and cancels that stop the whole group."""

from __future__ import annotations

import asyncio
import time
from pathlib import Path

import pytest

from penguin_tui.engine.tools.base import ToolContext

from .helpers import call, context, live_group_members, read_pid


async def wait_for_group(pid_file: Path, members: int) -> int:
    """The command's group id (it writes ``$$``), once ``members`` processes are running."""
    for _ in range(250):
        pgid = read_pid(pid_file)
        if pgid is not None and len(live_group_members(pgid)) >= members:
            return pgid
        await asyncio.sleep(0.02)
    raise AssertionError("the command did not start")


async def test_output_and_exit_code(root: Path, ctx: ToolContext) -> None:
    result = await call("run_shell", {"command": "echo out; echo err >&2; exit 3"}, ctx)
    assert result.status == "ok"
    assert result.exit_code == 3
    assert result.output == "out\nerr\n\n[exit code 3]"
    assert result.summary.startswith("exit 3 · 2 lines · ")
    assert result.summary.endswith(" s")


async def test_runs_in_the_project_root_with_empty_stdin(root: Path, ctx: ToolContext) -> None:
    result = await call("run_shell", {"command": "pwd; cat; echo done", "timeout_s": 5}, ctx)
    assert result.output == f"{root}\ndone\n\n[exit code 0]"
    silent = await call("run_shell", {"command": "true"}, ctx)
    assert silent.output == "(no output)\n\n[exit code 0]"
    assert silent.summary.startswith("exit 0 · 0 lines")


async def test_long_output_keeps_head_and_tail(root: Path) -> None:
    ctx = context(root, output_max_chars=1000)
    result = await call("run_shell", {"command": "seq 1 100000"}, ctx)
    assert result.exit_code == 0
    assert result.output.startswith("1\n2\n3\n")
    assert "100000\n\n[exit code 0]" in result.output
    assert "characters omitted …" in result.output
    assert len(result.output) < 1100
    assert "100000 lines" in result.summary


async def test_timeout_kills_the_command_and_its_children(root: Path, ctx: ToolContext) -> None:
    command = "echo $$ > pid; sleep 60 & sleep 60"
    started = time.monotonic()
    result = await call("run_shell", {"command": command, "timeout_s": 0.3}, ctx)
    assert time.monotonic() - started < 0.3 + 2
    assert result.status == "timeout"
    assert result.exit_code is None
    assert "Timed out after 0.3 s" in result.output
    assert result.summary == "timed out after 0.3 s · 0 lines"
    assert live_group_members(read_pid(root / "pid") or 0) == []


async def test_timeout_is_capped_at_the_maximum(root: Path) -> None:
    ctx = context(root, shell_max_timeout_s=0.3)
    result = await call("run_shell", {"command": "sleep 60", "timeout_s": 9999}, ctx)
    assert result.status == "timeout"
    assert "timeout_s is at most 0.3" in result.output


async def test_cancel_kills_the_group_and_reraises(root: Path, ctx: ToolContext) -> None:
    command = "echo $$ > pid; sleep 60 & sleep 60"
    task = asyncio.create_task(call("run_shell", {"command": command}, ctx))
    pgid = await wait_for_group(root / "pid", members=3)
    started = time.monotonic()
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    assert time.monotonic() - started < 2
    assert live_group_members(pgid) == []


async def test_background_processes_do_not_outlive_the_command(
    root: Path, ctx: ToolContext
) -> None:
    command = "echo $$ > pid; sleep 60 > /dev/null 2>&1 & echo started"
    result = await call("run_shell", {"command": command}, ctx)
    assert result.output.startswith("started")
    assert live_group_members(read_pid(root / "pid") or 0) == []


async def test_secrets_are_not_in_the_commands_environment(
    root: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("MY_SERVICE_TOKEN", "canary-123456")
    monkeypatch.setenv("OPENAI_API_KEY", "sk-canary-abcdefghijklmnopqrstuvwxyz")
    monkeypatch.setenv("INNOCENT_LOOKING", "sk-ant-canary0123456789abcdefghij")
    monkeypatch.setenv("PROJECT_COLOUR", "blue")
    ctx = ToolContext.for_project(root)
    result = await call("run_shell", {"command": "env"}, ctx)
    assert "canary" not in result.output
    assert "MY_SERVICE_TOKEN" not in result.output
    assert "PENGUIN_TUI_AGENT=1" in result.output.splitlines()
    assert "PROJECT_COLOUR=blue" in result.output.splitlines()
    assert any(line.startswith("PATH=") for line in result.output.splitlines())
