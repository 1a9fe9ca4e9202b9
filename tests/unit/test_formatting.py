"""The plain-text formatters both front ends use: money, token counts, ages, sizes, checkpoint
labels, a message on one line, and the revert preview's lines."""

from __future__ import annotations

import subprocess
import sys

from penguin_tui.checkpoints.model import Checkpoint, CheckpointKind, RevertMode
from penguin_tui.checkpoints.service import RevertPreview
from penguin_tui.checkpoints.trees import FileStat
from penguin_tui.formatting import (
    COMMAND_LINE,
    WORKBENCH,
    Tone,
    age,
    checkpoint_label,
    first_line,
    line_counts,
    money,
    plain_lines,
    revert_preview_lines,
    size,
    tokens,
)
from penguin_tui.store import Message, MessageStatus, Role, ToolCallRequest, UsageTotals

NO_USAGE = UsageTotals(calls=0, input_tokens=0, output_tokens=0, cost_usd=None, unpriced_calls=0)


def message(text: str, role: Role = Role.USER, tools: tuple[str, ...] = ()) -> Message:
    return Message(
        id="m1",
        session_id="s",
        parent_id=None,
        role=role,
        content=text,
        reasoning="",
        status=MessageStatus.COMPLETE,
        model=None,
        created_at=0.0,
        tool_calls=tuple(ToolCallRequest(f"c{i}", tool, "{}") for i, tool in enumerate(tools)),
    )


def checkpoint(label: str = "before the fix") -> Checkpoint:
    return Checkpoint(
        id="8875d1a1c0de",
        session_id="s",
        branch="main",
        parent_id=None,
        message_id=None,
        kind=CheckpointKind.MANUAL,
        label=label,
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


def test_an_unknown_price_is_na_never_zero_dollars() -> None:
    assert money(None) == "n/a"
    assert money(None, unpriced=3) == "n/a"
    assert money(0.0) == "$0.0000"


def test_dollars_have_four_decimals_under_a_dollar_cents_from_one_on_and_name_calls_left_out() -> (
    None
):
    assert money(0.00214) == "$0.0021"
    assert money(12.5) == "$12.50"
    assert money(1234.567) == "$1,234.57"
    assert money(0.99994) == "$0.9999"
    assert money(0.5, unpriced=2) == "$0.5000 (+2 n/a)"


def test_token_counts_are_shortened_from_a_threshold() -> None:
    assert tokens(1_234) == "1,234"
    assert tokens(200_000) == "200.0k"
    assert tokens(1_234, shorten_from=1000) == "1.2k"
    assert tokens(999, shorten_from=1000) == "999"
    assert tokens(1_234_567, shorten_from=None) == "1,234,567"


def test_ages_are_rounded_down_to_their_unit() -> None:
    assert [age(s) for s in (0, 59.9, 60, 150, 3599, 7200, 86399, 3 * 86400)] == [
        "0s",
        "59s",
        "1m",
        "2m",
        "59m",
        "2h",
        "23h",
        "3d",
    ]
    assert age(-5) == "0s"  # a clock set back


def test_sizes_are_in_binary_units() -> None:
    assert size(512) == "0.5 KiB"
    assert size(3 * 1024 * 1024) == "3.0 MiB"
    assert size(2.1 * 1024**3) == "2.1 GiB"


def test_the_checkpoint_stores_size_can_start_at_mib() -> None:
    assert size(23_961, smallest="MiB") == "0.0 MiB"
    assert size(3 * 1024 * 1024, smallest="MiB") == "3.0 MiB"
    assert size(2.1 * 1024**3, smallest="MiB") == "2.1 GiB"


def test_line_counts_take_the_front_ends_minus_sign() -> None:
    assert line_counts(6, 1) == "+6 -1"
    assert line_counts(6, 1, "−") == "+6 −1"
    assert line_counts(None, None) == "binary"


def test_the_checkpoint_browsers_tight_rows_set_line_counts_without_a_gap() -> None:
    assert line_counts(12, 4, "−", gap="") == "+12−4"
    assert line_counts(None, None, "−", gap="") == "binary"


def test_a_checkpoint_is_named_by_its_short_id_branch_and_label() -> None:
    assert checkpoint_label(checkpoint()) == "8875d1a1 (main) 'before the fix'"
    assert checkpoint_label(checkpoint("")) == "8875d1a1 (main)"


def test_a_message_is_one_line_cut_at_the_width_asked() -> None:
    long = message("Fixed it.\n\n  The test   passes now, " + "x" * 100)
    assert first_line(long, 20) == "Fixed it. The test p…"
    assert first_line(long, 200).startswith("Fixed it. The test passes now, xxx")
    assert first_line(message("short"), 70) == "short"


def test_a_message_that_only_calls_tools_names_them() -> None:
    calls = message("", Role.ASSISTANT, ("read_file", "edit_file"))
    assert first_line(calls, 70) == "[read_file, edit_file]"


def preview(mode: RevertMode = RevertMode.BOTH) -> RevertPreview:
    files = (
        FileStat("scratch.py", 0, 1),
        FileStat("calc.py", 1, 1),
        FileStat("logo.png", None, None),
    )
    leaving = (message("fix add"), message("", Role.ASSISTANT, ("edit_file",)))
    return RevertPreview(
        checkpoint(),
        mode,
        files,
        leaving,
        deleted=frozenset({"scratch.py"}),
        only_in_safety=frozenset({"scratch.py"}),
        created_since=frozenset({"scratch.py"}),
    )


def test_the_command_lines_revert_preview_is_in_columns() -> None:
    kept = "created since the last checkpoint; kept in the safety checkpoint; undo brings it back"
    assert plain_lines(revert_preview_lines(preview(), COMMAND_LINE)) == [
        "3 files change:",
        f"  scratch.py  +0 -1  deleted — {kept}",
        "  calc.py     +1 -1",
        "  logo.png    binary",
        "2 messages leave the branch (kept in the store; undo brings them back):",
        "  user       fix add",
        "  assistant  [edit_file]",
    ]


def test_the_workbenchs_revert_preview_says_the_same_in_its_own_layout() -> None:
    kept = "created since the last checkpoint; kept in the safety checkpoint; undo brings it back"
    assert plain_lines(revert_preview_lines(preview(), WORKBENCH)) == [
        "3 files change:",
        f"  scratch.py  +0 −1  deleted — {kept}",
        "  calc.py  +1 −1",
        "  logo.png  binary",
        "2 messages leave the branch (kept in the store; undo brings them back):",
        "  user: fix add",
        "  assistant: [edit_file]",
    ]


def test_the_file_only_the_safety_checkpoint_holds_is_stressed() -> None:
    lines = revert_preview_lines(preview(RevertMode.CODE), WORKBENCH)
    assert lines[1][-1].tone is Tone.STRONG
    assert all(span.tone is not Tone.STRONG for span in lines[2])


def test_a_revert_that_changes_nothing_says_so_in_both_parts() -> None:
    empty = RevertPreview(checkpoint(), RevertMode.BOTH, (), ())
    assert plain_lines(revert_preview_lines(empty, COMMAND_LINE)) == [
        "no file changes",
        "no message leaves the branch",
    ]


def test_the_workbench_cuts_a_long_list_and_counts_the_rest() -> None:
    files = tuple(FileStat(f"f{i}.py", 1, 0) for i in range(205))
    many = RevertPreview(checkpoint(), RevertMode.CODE, files, ())
    shown = plain_lines(revert_preview_lines(many, WORKBENCH))
    assert len(shown) == 1 + 200 + 1 and shown[-1] == "  … and 5 more"
    assert len(plain_lines(revert_preview_lines(many, COMMAND_LINE))) == 1 + 205


def test_the_formatters_load_nothing_but_the_standard_library_and_words() -> None:
    """The workbench draws its usage pane with them on its first frame: they must not bring
    the store's records (and pydantic) or the checkpoint model onto the start-up path."""
    code = (
        "import sys, penguin_tui.formatting\n"
        "print(sorted(m for m in sys.modules if m.startswith(('penguin_tui.', 'pydantic'))))"
    )
    shown = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=60
    )
    assert shown.stdout.strip() == "['penguin_tui.formatting', 'penguin_tui.words']"
