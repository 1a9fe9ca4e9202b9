"""An agent run in a project whose ``.git/config`` names programs: the read tools run none."""

from __future__ import annotations

from pathlib import Path

import pytest

from penguin_tui.testing import run_in_thread
from tests.conftest import script
from tests.integration.test_agent_run import run_agent
from tests.unit.tools.hostile_repo import make_hostile_repository

Captured = pytest.CaptureFixture[str]

LOOK_AROUND = """
model = "m1"
rate = 0
[[turns]]
text = "Looking."
[[turns.tool_calls]]
name = "list_files"
arguments = '{"path": "."}'
[[turns.tool_calls]]
name = "search"
arguments = '{"pattern": "needle"}'
[[turns]]
text = "Seen."
"""


def test_reading_a_hostile_repository_runs_none_of_its_programs(
    capsys: Captured, project: Path, tmp_path: Path
) -> None:
    ran_log = make_hostile_repository(project, tmp_path / "outside")
    with run_in_thread(script(LOOK_AROUND)) as server:
        code, events, err = run_agent(capsys, project, server, "look around")
    assert code == 0, err
    results = [e for e in events if e["type"] == "tool.result"]
    assert [r["status"] for r in results] == ["ok", "ok"]
    assert "app.py" in str(results[0]["preview"])
    assert "app.py:1: needle = 2" in str(results[1]["preview"])
    assert not ran_log.exists(), ran_log.read_text()
