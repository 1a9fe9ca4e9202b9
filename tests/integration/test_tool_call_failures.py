"""A bug on the way of one tool call becomes that call's error: the reply's other calls run,
and the next turn's history holds real answers, never "cancelled by the user"."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from penguin_tui.engine.history import UNANSWERED, to_openai
from penguin_tui.engine.permissions import PermissionPolicy
from penguin_tui.engine.permissions.models import Decision
from penguin_tui.store import Message, MessageStatus, Role, ToolCallRequest
from penguin_tui.testing import run_in_thread
from tests.conftest import script
from tests.integration.test_agent_run import run_agent

Captured = pytest.CaptureFixture[str]

THREE_READS = """
model = "m1"
rate = 0
[[turns]]
text = "Reading."
[[turns.tool_calls]]
name = "read_file"
arguments = '{"path": "bug.txt"}'
[[turns.tool_calls]]
name = "read_file"
arguments = '{"path": "main.py"}'
[[turns.tool_calls]]
name = "list_files"
arguments = '{}'
[[turns]]
text = "Read."
[[turns]]
text = "Again."
"""


@pytest.fixture
def buggy_policy(monkeypatch: pytest.MonkeyPatch) -> None:
    """A bug in judging one path (any code on the way of a call could have one)."""
    judge = PermissionPolicy.check

    def check(self: PermissionPolicy, tool: str, args: dict[str, Any]) -> Decision:
        if args.get("path") == "bug.txt":
            raise RuntimeError("a bug while judging bug.txt")
        return judge(self, tool, args)

    monkeypatch.setattr(PermissionPolicy, "check", check)


@pytest.mark.usefixtures("buggy_policy")
def test_one_call_s_unexpected_failure_is_its_error_and_the_turn_goes_on(
    capsys: Captured, project: Path
) -> None:
    with run_in_thread(script(THREE_READS)) as server:
        code, events, err = run_agent(capsys, project, server, "read them")
        assert code == 0, err
        results = [e for e in events if e["type"] == "tool.result"]
        assert [r["status"] for r in results] == ["error", "ok", "ok"]
        assert "internal error in read_file: RuntimeError: a bug while judging bug.txt" in str(
            results[0]["preview"]
        )
        assert events[-2]["type"] == "message.completed" and events[-2]["text"] == "Read."
        code, _events, err = run_agent(capsys, project, server, "--continue", "again")
        assert code == 0, err
        sent = server.requests[-1]["messages"]
    answers = [m["content"] for m in sent if m["role"] == "tool"]
    assert len(answers) == 3 and "print('hello')" in answers[1]
    assert not [answer for answer in answers if "cancelled" in answer]


def test_a_call_left_open_by_a_crash_is_not_called_cancelled_by_the_user() -> None:
    """After a kill mid-call, the next request still answers the call, and says what happened."""
    call = ToolCallRequest(call_id="c1", tool="read_file", arguments='{"path": "a.py"}')
    asked = Message(
        "m1", "s1", None, Role.ASSISTANT, "", "", MessageStatus.COMPLETE, "m1", 0.0, (call,)
    )
    (answer,) = [m for m in to_openai([asked]) if m["role"] == "tool"]
    assert answer == {"role": "tool", "tool_call_id": "c1", "content": UNANSWERED}
    assert "cancelled" not in UNANSWERED
