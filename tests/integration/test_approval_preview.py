"""The approval question shows what a call will do, worked out by the tool's own code: the
change a user approves is the change written, or nothing is written."""

from __future__ import annotations

from pathlib import Path

import pytest

from penguin_tui.engine.approvals import ApprovalAnswer, ApprovalRequest
from penguin_tui.runtime import open_runtime
from penguin_tui.store import Role
from penguin_tui.testing import run_in_thread
from tests.conftest import script
from tests.integration.test_agent_run import run_agent

Captured = pytest.CaptureFixture[str]

CRLF_EDIT = r"""
model = "m1"
rate = 0
[[turns]]
[[turns.tool_calls]]
name = "edit_file"
arguments = '{"path": "win.txt", "old": "second\nthird", "new": "2\n3"}'
[[turns]]
text = "Edited."
"""

EDIT_X = r"""
model = "m1"
rate = 0
[[turns]]
[[turns.tool_calls]]
name = "edit_file"
arguments = '{"path": "x.py", "old": "x = 1", "new": "x = 2"}'
[[turns]]
text = "Done."
"""

MISSING_TEXT = r"""
model = "m1"
rate = 0
[[turns]]
[[turns.tool_calls]]
name = "edit_file"
arguments = '{"path": "main.py", "old": "print(\"bye\")", "new": "print(\"hi\")"}'
[[turns]]
text = "Done."
"""


def test_the_approved_edit_of_a_crlf_file_is_the_edit_written(
    capsys: Captured, project: Path
) -> None:
    """An edit written with ``\\n`` in a CRLF file: the question shows the CRLF change that
    edit_file makes (not "no change"), and the file ends up as shown."""
    (project / "win.txt").write_bytes(b"first\r\nsecond\r\nthird\r\n")
    with run_in_thread(script(CRLF_EDIT)) as server:
        code, events, err = run_agent(capsys, project, server, "--approve", "all", "edit it")
    assert code == 0, err
    [asked] = [e for e in events if e["type"] == "approval.requested"]
    [result] = [e for e in events if e["type"] == "tool.result"]
    assert result["status"] == "ok"
    assert asked["detail"] == result["diff"]
    assert "-second\r\n" in str(asked["detail"]) and "+3\r\n" in str(asked["detail"])
    assert (project / "win.txt").read_bytes() == b"first\r\n2\r\n3\r\n"
    assert asked["detail_is_diff"] is True


def test_a_call_that_will_fail_says_so_in_the_question(capsys: Captured, project: Path) -> None:
    with run_in_thread(script(MISSING_TEXT)) as server:
        code, events, err = run_agent(capsys, project, server, "--approve", "all", "edit it")
    assert code == 0, err
    [asked] = [e for e in events if e["type"] == "approval.requested"]
    assert str(asked["detail"]).startswith("This call will fail: old was not found in main.py.")
    assert asked["detail_is_diff"] is False


async def test_a_file_changed_while_the_question_is_open_is_not_edited(project: Path) -> None:
    """The user edits the file while asked: the approved change no longer holds, so nothing
    is written and the model is told to read the file again."""
    (project / "x.py").write_text("x = 1\n", encoding="utf-8")
    asked: list[ApprovalRequest] = []

    async def edit_then_allow(request: ApprovalRequest) -> ApprovalAnswer:
        asked.append(request)
        (project / "x.py").write_text("x = 10\n", encoding="utf-8")
        return ApprovalAnswer(True)

    with run_in_thread(script(EDIT_X)) as server:
        runtime = await open_runtime(project, model="m1", api_base=server.base_url)
        try:
            runtime.engine.set_approver(edit_then_allow)
            await runtime.engine.send("change x")
            history = await runtime.engine.history()
        finally:
            await runtime.close()
    assert (project / "x.py").read_text(encoding="utf-8") == "x = 10\n"
    [answer] = [m for m in history if m.role is Role.TOOL]
    assert answer.content.startswith("Error: what this call would do changed after the user")
    assert "-x = 1\n+x = 2\n" in asked[0].preview.text
