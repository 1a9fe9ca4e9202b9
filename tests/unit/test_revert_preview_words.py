"""The words of the revert preview and of a comparison's sides: one file, one message, in the
singular; a file only the revert's safety checkpoint will hold, said so."""

from __future__ import annotations

from penguin_tui.app.controllers.diff_viewer import side_summary
from penguin_tui.app.screens.revert import describe_preview
from penguin_tui.checkpoints.model import Checkpoint, CheckpointKind, RevertMode
from penguin_tui.checkpoints.results import RevertPreview, Side
from penguin_tui.checkpoints.trees import FileStat
from penguin_tui.store import Message, MessageStatus, Role, ToolCallRequest, UsageTotals

NO_USAGE = UsageTotals(calls=0, input_tokens=0, output_tokens=0, cost_usd=None, unpriced_calls=0)


def message(number: int) -> Message:
    return Message(
        id=f"m{number}",
        session_id="s",
        parent_id=None,
        role=Role.USER,
        content=f"prompt {number}",
        reasoning="",
        status=MessageStatus.COMPLETE,
        model=None,
        created_at=0.0,
    )


TARGET = Checkpoint(
    id="c1c1c1c1c1c1",
    session_id="s",
    branch="main",
    parent_id=None,
    message_id="m0",
    kind=CheckpointKind.MANUAL,
    label="base",
    tree="0" * 40,
    tasks="[]",
    usage=NO_USAGE,
    files_changed=1,
    lines_added=0,
    lines_removed=0,
    skipped=(),
    snapshot_ms=1.0,
    created_at=0.0,
)


def test_one_file_and_one_message_are_said_in_the_singular() -> None:
    preview = RevertPreview(TARGET, RevertMode.BOTH, (FileStat("a.py", 1, 1),), (message(1),))
    text = describe_preview(preview).plain
    assert "1 file changes:" in text
    assert "1 message leaves the branch (kept in the store; undo brings it back):" in text
    assert "(s)" not in text


def test_two_files_and_two_messages_are_said_in_the_plural() -> None:
    files = (FileStat("a.py", 1, 1), FileStat("b.py", 0, 2))
    preview = RevertPreview(TARGET, RevertMode.BOTH, files, (message(1), message(2)))
    text = describe_preview(preview).plain
    assert "2 files change:" in text
    assert "2 messages leave the branch (kept in the store; undo brings them back):" in text


def test_a_file_only_the_safety_checkpoint_will_hold_is_marked() -> None:
    files = (FileStat("neverseen.txt", 0, 1), FileStat("seen.txt", 0, 1), FileStat("a.py", 1, 1))
    preview = RevertPreview(
        TARGET,
        RevertMode.CODE,
        files,
        (),
        deleted=frozenset({"neverseen.txt", "seen.txt"}),
        only_in_safety=frozenset({"neverseen.txt"}),
        created_since=frozenset({"neverseen.txt"}),
    )
    lines = describe_preview(preview).plain.splitlines()
    assert lines[1] == (
        "  neverseen.txt  +0 −1  deleted — created since the last checkpoint; kept in the"
        " safety checkpoint; undo brings it back"
    )
    assert lines[2] == "  seen.txt  +0 −1  deleted"
    assert lines[3] == "  a.py  +1 −1"


def test_a_comparison_side_counts_one_message_in_the_singular() -> None:
    one = side_summary(Side("main", (message(1),), NO_USAGE)).plain
    two = side_summary(Side("main", (message(1), message(2)), NO_USAGE)).plain
    assert "  1 message · 0 tokens" in one
    assert "  2 messages · 0 tokens" in two


def test_a_message_that_only_calls_tools_is_named_by_them_as_on_the_command_line() -> None:
    calls = Message(
        id="m2",
        session_id="s",
        parent_id="m1",
        role=Role.ASSISTANT,
        content="",
        reasoning="",
        status=MessageStatus.COMPLETE,
        model="m",
        created_at=0.0,
        tool_calls=(ToolCallRequest("c1", "edit_file", "{}"),),
    )
    preview = RevertPreview(TARGET, RevertMode.CONVERSATION, (), (message(1), calls))
    assert describe_preview(preview).plain.splitlines()[1:] == [
        "  user: prompt 1",
        "  assistant: [edit_file]",
    ]
