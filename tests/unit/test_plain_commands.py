"""The slash commands of `penguin-tui --plain`, parsed, and the lines a turn's events print."""

from __future__ import annotations

import io
import stat
from pathlib import Path

import pytest

from penguin_tui.bus import (
    ErrorOccurred,
    MessageCompleted,
    MessageDelta,
    ReasoningDelta,
    ToolCallFinished,
    ToolCallStarted,
)
from penguin_tui.bus.events import ToolCallStatus
from penguin_tui.checkpoints.model import RevertMode
from penguin_tui.line.plain_commands import (
    CommandError,
    Help,
    ListCheckpoints,
    Quit,
    Revert,
    ShowModel,
    ShowTasks,
    ShowUsage,
    SwitchModel,
    Undo,
    is_command,
    parse_command,
)
from penguin_tui.line.plain_output import TurnPrinter
from penguin_tui.line.plain_prompts import RedactedHistory


@pytest.mark.parametrize(
    ("line", "command"),
    [
        ("/model", ShowModel()),
        ("/model openai/gpt-4o-mini", SwitchModel("openai/gpt-4o-mini")),
        ("/usage", ShowUsage()),
        ("/checkpoints", ListCheckpoints()),
        ("/undo", Undo()),
        ("/tasks", ShowTasks()),
        ("/help", Help()),
        ("/quit", Quit()),
        ("  /QUIT  ", Quit()),
        ("/revert 1a2b3c", Revert("1a2b3c", RevertMode.BOTH)),
        ("/revert 1a2b3c --code", Revert("1a2b3c", RevertMode.CODE)),
        ("/revert --conversation 1a2b3c", Revert("1a2b3c", RevertMode.CONVERSATION)),
        ("/revert 1a2b3c --tasks", Revert("1a2b3c", RevertMode.TASKS)),
        ("/revert 1a2b3c --code --tasks", Revert("1a2b3c", RevertMode.CODE_AND_TASKS)),
        ("/revert 1a2b3c --all", Revert("1a2b3c", RevertMode.ALL)),
    ],
)
def test_slash_lines_parse_into_commands(line: str, command: object) -> None:
    assert is_command(line)
    assert parse_command(line) == command


@pytest.mark.parametrize(
    ("line", "said"),
    [
        ("/frobnicate", "unknown command /frobnicate; /help lists the commands"),
        ("/model a b", "/model takes one name"),
        ("/undo now", "/undo takes no arguments"),
        ("/revert", "which checkpoint?"),
        ("/revert a b", "which checkpoint?"),
        ("/revert a --everything", "unknown flag --everything"),
    ],
)
def test_a_wrong_command_is_one_line_saying_how_to_type_it(line: str, said: str) -> None:
    with pytest.raises(CommandError) as raised:
        parse_command(line)
    assert said in raised.value.message
    assert "\n" not in raised.value.message


def test_a_prompt_is_not_a_command() -> None:
    assert not is_command("fix the bug in /src/main.py")


def test_a_turn_prints_reasoning_in_one_line_the_reply_as_text_and_each_call_as_one_line() -> None:
    out = io.StringIO()
    printer = TurnPrinter(out, dim=False)
    for event in [
        ReasoningDelta(session_id="s", message_id="m", text="let me think about "),
        ReasoningDelta(session_id="s", message_id="m", text="this"),
        MessageDelta(session_id="s", message_id="m", text="Writing "),
        MessageDelta(session_id="s", message_id="m", text="it."),
        ToolCallStarted(
            session_id="s", message_id="m", call_id="c", tool="write_file", args='{"path": "a"}'
        ),
        ToolCallFinished(
            session_id="s",
            call_id="c",
            tool="write_file",
            status=ToolCallStatus.OK,
            summary="write a: +1 -0",
        ),
        MessageCompleted(
            session_id="s",
            message_id="m",
            parent_id=None,
            role="assistant",
            text="Writing it.",
            status="complete",
        ),
        ErrorOccurred(session_id="s", message="turn cancelled", kind="cancelled"),
    ]:
        printer.show(event)
    assert out.getvalue().splitlines() == [
        "(reasoned: 5 words)",
        "Writing it.",
        '[write_file] {"path": "a"}',
        "[write_file] ok: write a: +1 -0",
        "cancelled: turn cancelled",
    ]


def test_the_prompt_history_file_is_private_and_keeps_no_key(tmp_path: Path) -> None:
    from penguin_tui.config.secrets import Redactor

    path = tmp_path / "prompt-history"
    history = RedactedHistory(path, Redactor())
    history.store_string("use the key sk-test-plain-4c9e1b7a20d64f3e8a51 for this")
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    text = path.read_text(encoding="utf-8")
    assert "use the key" in text and "[REDACTED]" in text
    assert "4c9e1b7a20d64f3e8a51" not in text
