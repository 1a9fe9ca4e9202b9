"""What plain `penguin-tui run` prints: the streamed text, each message ending its line."""

from __future__ import annotations

from pathlib import Path

import pytest

from penguin_tui.cli import main
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
