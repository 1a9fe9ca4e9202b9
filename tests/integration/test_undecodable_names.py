"""File names that are not UTF-8 (legal on Linux) are listed, searched, snapshotted and shown,
their bad bytes escaped as ``\\xNN``; nothing derived from them can break a turn."""

from __future__ import annotations

import asyncio
import json
import os
from pathlib import Path

import pytest

from penguin_tui.bus import CheckpointRestored
from penguin_tui.cli.main import main
from penguin_tui.engine.tools.base import ToolContext
from penguin_tui.engine.tools.list_files import UNDECODABLE_NOTE
from penguin_tui.engine.tools.registry import run_tool
from penguin_tui.testing import run_in_thread
from penguin_tui.workspace.watch import watch_project
from tests.conftest import script
from tests.integration.test_agent_run import run_agent
from tests.unit.tools.helpers import git

Captured = pytest.CaptureFixture[str]

SHOWN = "caf\\xe9.txt"  # how b"caf\xe9.txt" is shown


def write_bytes_named(project: Path, name: bytes, data: bytes) -> None:
    with open(os.fsencode(project) + b"/" + name, "wb") as handle:
        handle.write(data)


@pytest.fixture(params=["git", "plain"])
def named(request: pytest.FixtureRequest, project: Path) -> Path:
    """The project with a file named ``caf\\xe9.txt`` in Latin-1, in a git work tree or not."""
    if request.param == "git":
        git(project, "init", "-q")
    write_bytes_named(project, b"caf\xe9.txt", b"hello there\n")
    return project


async def test_list_files_shows_a_name_that_is_not_utf8_escaped(named: Path) -> None:
    result = await run_tool("list_files", {"path": "."}, ToolContext.for_project(named))
    assert result.status == "ok", result.output
    assert result.output.splitlines()[1:] == [SHOWN, "main.py", UNDECODABLE_NOTE]
    result.output.encode("utf-8")  # no lone surrogate left


async def test_search_finds_lines_in_a_file_whose_name_is_not_utf8(named: Path) -> None:
    result = await run_tool("search", {"pattern": "hello"}, ToolContext.for_project(named))
    assert result.status == "ok", result.output
    assert result.output.splitlines()[:2] == [
        f"{SHOWN}:1: hello there",
        "main.py:1: print('hello')",
    ]
    result.output.encode("utf-8")


LOOK = """
model = "m1"
rate = 0
[[turns]]
text = "Looking."
[[turns.tool_calls]]
name = "list_files"
arguments = '{"path": "."}'
[[turns.tool_calls]]
name = "search"
arguments = '{"pattern": "hello"}'
[[turns.tool_calls]]
name = "read_file"
arguments = '{"path": "main.py"}'
[[turns]]
text = "Seen."
[[turns]]
text = "Still here."
"""


def test_a_reply_that_meets_such_a_name_runs_every_call_and_the_session_goes_on(
    capsys: Captured, named: Path
) -> None:
    with run_in_thread(script(LOOK)) as server:
        code, events, err = run_agent(capsys, named, server, "look around")
        assert code == 0, err
        results = [e for e in events if e["type"] == "tool.result"]
        assert [r["status"] for r in results] == ["ok", "ok", "ok"]
        assert SHOWN in str(results[0]["preview"]).splitlines()
        assert f"{SHOWN}:1: hello there" in str(results[1]["preview"])
        code, events, err = run_agent(capsys, named, server, "--continue", "and now?")
        assert code == 0, err
        sent = server.requests[-1]["messages"]
    answers = [m["content"] for m in sent if m["role"] == "tool"]
    assert len(answers) == 3
    assert SHOWN in answers[0] and "cancelled" not in " ".join(answers)


ODD_PATHS = r"""
model = "m1"
rate = 0
[[turns]]
text = "Trying."
[[turns.tool_calls]]
name = "read_file"
arguments = '{"path": "\ud800.txt"}'
[[turns.tool_calls]]
name = "write_file"
arguments = '{"path": "caf\udce9.txt", "content": "written\n"}'
[[turns.tool_calls]]
name = "read_file"
arguments = '{"path": "main.py"}'
[[turns]]
text = "Done."
"""


def test_a_call_with_a_path_no_file_can_have_fails_alone(capsys: Captured, project: Path) -> None:
    """A lone surrogate in the arguments reaches the approval question, the audit and the
    events without breaking them; the other calls of the reply run."""
    with run_in_thread(script(ODD_PATHS)) as server:
        code, events, err = run_agent(capsys, project, server, "--approve", "all", "go")
    assert code == 0, err
    results = [e for e in events if e["type"] == "tool.result"]
    assert [r["status"] for r in results] == ["error", "ok", "ok"]
    assert "invalid path \\ud800.txt" in str(results[0]["preview"])
    assert results[1]["summary"] == f"write {SHOWN}: +1 -0"
    with open(os.fsencode(project) + b"/caf\xe9.txt", "rb") as handle:
        assert handle.read() == b"written\n"
    assert events[-2]["type"] == "message.completed" and events[-2]["text"] == "Done."


def checkpoint_ids(capsys: Captured, project: Path) -> list[str]:
    assert main(["checkpoints", "list", "-C", str(project), "--json"]) == 0
    return [c["id"] for c in json.loads(capsys.readouterr().out)]


def test_checkpoints_snapshot_compare_and_revert_such_a_file(capsys: Captured, named: Path) -> None:
    assert main(["checkpoints", "create", "-C", str(named), "--label", "before"]) == 0
    write_bytes_named(named, b"caf\xe9.txt", b"hello there\nand more\n")
    write_bytes_named(named, b"new\xff.txt", b"new\n")
    assert main(["checkpoints", "create", "-C", str(named), "--label", "after"]) == 0
    capsys.readouterr()
    after, before = checkpoint_ids(capsys, named)[:2]

    assert main(["checkpoints", "diff", "-C", str(named), before, after]) == 0
    out = capsys.readouterr().out
    assert f"+++ b/{SHOWN}" in out and "+and more" in out and "+++ b/new\\xff.txt" in out
    assert main(["checkpoints", "diff", "-C", str(named), before, after, "--stat"]) == 0
    assert f" {SHOWN} | +1 -0" in capsys.readouterr().out
    assert main(["checkpoints", "diff", "-C", str(named), before, after, "--json"]) == 0
    document = json.loads(capsys.readouterr().out)
    assert {f["path"] for f in document["files"]} == {SHOWN, "new\\xff.txt"}

    assert main(["checkpoints", "revert", "-C", str(named), before, "--code", "--yes"]) == 0
    out = capsys.readouterr().out
    assert f"written  {SHOWN}" in out and "deleted  new\\xff.txt" in out
    with open(os.fsencode(named) + b"/caf\xe9.txt", "rb") as handle:
        assert handle.read() == b"hello there\n"
    assert not os.path.exists(os.fsencode(named) + b"/new\xff.txt")


def test_a_big_file_whose_name_is_not_utf8_is_said_to_be_left_out(
    capsys: Captured, project: Path
) -> None:
    write_bytes_named(project, b"big\xfe.bin", b"x" * (6 * 1024 * 1024))
    assert main(["checkpoints", "create", "-C", str(project)]) == 0
    assert "left out of the snapshot: big\\xfe.bin (over 5 MiB)" in capsys.readouterr().err
    assert main(["checkpoints", "list", "-C", str(project), "--json"]) == 0
    (checkpoint,) = json.loads(capsys.readouterr().out)
    assert checkpoint["skipped"] == [{"path": "big\\xfe.bin", "reason": "over 5 MiB"}]


async def test_the_watcher_reports_such_a_name_and_keeps_watching(project: Path) -> None:
    batches: list[set[str]] = []
    stop = asyncio.Event()

    async def changed(paths: set[str]) -> None:
        batches.append(paths)

    async def seen(path: str) -> bool:
        for _ in range(100):
            if path in set().union(*batches):
                return True
            await asyncio.sleep(0.05)
        return False

    watcher = asyncio.create_task(watch_project(project, changed, debounce_ms=50, stop=stop))
    try:
        await asyncio.sleep(0.5)  # let the watcher start before the edits
        write_bytes_named(project, b"caf\xe9.txt", b"x\n")
        assert await seen(os.fsdecode(b"caf\xe9.txt"))
        await asyncio.sleep(0.3)
        write_bytes_named(project, b"notes.md", b"an edit\n")
        assert await seen("notes.md")
    finally:
        stop.set()
        await asyncio.wait_for(watcher, 5)


def test_a_project_folder_whose_name_is_not_utf8_works(capsys: Captured, tmp_path: Path) -> None:
    folder = Path(os.fsdecode(os.fsencode(tmp_path) + b"/proj\xe9"))
    folder.mkdir()
    (folder / "main.py").write_text("print('hello')\n", encoding="utf-8")
    with run_in_thread(script(LOOK)) as server:
        code, events, err = run_agent(capsys, folder, server, "look around")
    assert code == 0, err
    assert events[0]["project"] == str(tmp_path / "proj\\xe9")
    assert [e["status"] for e in events if e["type"] == "tool.result"] == ["ok", "ok", "ok"]
    assert len(checkpoint_ids(capsys, folder)) == 2  # before the first turn, and after it


def test_an_event_that_holds_such_a_name_is_still_one_json_line() -> None:
    restored = CheckpointRestored(
        session_id="s1",
        action="merge",
        checkpoint_id="c1",
        branch="main",
        mode="code",
        conflicts=[os.fsdecode(b"caf\xe9.txt")],
    )
    assert json.loads(restored.to_json())["conflicts"] == [SHOWN]
