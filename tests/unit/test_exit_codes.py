"""The exit codes docs/cli.md documents are exactly the ones the command line uses."""

from __future__ import annotations

import re
from pathlib import Path

from penguin_tui.cli.exit_codes import ExitCode

CLI_DOC = Path(__file__).resolve().parents[2] / "docs" / "cli.md"


def documented_codes() -> list[int]:
    """The first column of the table under ``## Exit codes``."""
    section = CLI_DOC.read_text(encoding="utf-8").split("## Exit codes", 1)[1]
    section = section.split("\n## ", 1)[0]
    return [int(code) for code in re.findall(r"^\|\s*(\d+)\s*\|", section, re.MULTILINE)]


def test_the_documented_exit_codes_are_the_enums() -> None:
    assert documented_codes() == [code.value for code in ExitCode]
