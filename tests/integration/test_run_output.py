"""What plain `penguin-tui run` prints: the streamed text, each message ending its line."""

from __future__ import annotations

from pathlib import Path

import pytest

from penguin_tui.cli.main import main
from penguin_tui.testing import run_in_thread
from tests.conftest import script

Captured = pytest.CaptureFixture[str]

SUMMARY = "- The user asked about penguins; it was answered."

REPLIES = f"""
model = "m1"
rate = 0
[[turns]]
match = "Summarise the conversation above"
text = "{SUMMARY}"
[[turns]]
text = "Penguins live in the southern hemisphere."
"""


def test_compact_prints_the_summary_and_ends_its_line(capsys: Captured, project: Path) -> None:
    with run_in_thread(script(REPLIES)) as server:
        base = ["run", "-C", str(project), "--model", "m1", "--api-base", server.base_url]
        assert main([*base, "where do penguins live?"]) == 0
        capsys.readouterr()
        assert main([*base, "--continue", "/compact"]) == 0
    out, err = capsys.readouterr()
    assert out == SUMMARY + "\n"
    assert err == ""


CALLS = """
model = "m1"
rate = 0
[[turns]]
[[turns.tool_calls]]
name = "run_shell"
arguments = '{"command": "rm -rf build"}'
[[turns.tool_calls]]
name = "read_file"
arguments = '{"path": "no-such-file.txt"}'
[[turns]]
text = "Done."
"""


def test_each_tool_call_outcome_says_its_status_once(capsys: Captured, project: Path) -> None:
    with run_in_thread(script(CALLS)) as server:
        code = main(
            ["run", "-C", str(project), "--model", "m1", "--api-base", server.base_url, "go"]
        )
    _out, err = capsys.readouterr()
    assert code == 0, err
    lines = err.splitlines()
    assert any(line.startswith("[run_shell] denied — not approved") for line in lines), err
    assert any(line.startswith("[read_file] error: ") for line in lines), err
    assert "denied: denied" not in err
    assert "error: error" not in err
