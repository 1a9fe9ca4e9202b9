"""Budgets at every scope, headless, against the scripted model over real HTTP with a real
SQLite file: the turn's, the session's, the project's (and its reset), the day's and a run's
`--max-cost` each stop `penguin-tui run` with exit 3 and one `budget.exceeded` naming the
scope, a call that crosses 80% of a budget says so once, and `budget show` reports them.

Prices: $100 per million tokens in and out, and each call bills 2,510 tokens ($0.251): the
guard's estimate of a call's input is about 2,100 tokens ($0.21), so a budget with less than
that left stops the next call before it is sent."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from penguin_tui.cli.main import main
from penguin_tui.testing import ServerThread, run_in_thread
from tests.conftest import script

Captured = pytest.CaptureFixture[str]

SCRIPT = """
model = "m1"
rate = 0
[[turns]]
match = "^loop"
step = 0
usage = {prompt_tokens = 2500, completion_tokens = 10}
[[turns.tool_calls]]
name = "list_files"
arguments = '{"path": "."}'

[[turns]]
match = "^loop"
text = "Listed."
usage = {prompt_tokens = 2500, completion_tokens = 10}

[[turns]]
text = "A short reply."
usage = {prompt_tokens = 2500, completion_tokens = 10}
"""

PRICES = """
[model.prices."m1"]
input_per_mtok = 100.0
output_per_mtok = 100.0
"""


@pytest.fixture
def server() -> Any:
    with run_in_thread(script(SCRIPT)) as served:
        yield served


def configure(home: Path, budget: str) -> None:
    with (home / "config.toml").open("a", encoding="utf-8") as config:
        config.write(PRICES + "\n[budget]\n" + budget + "\n")


def run(
    capsys: Captured, project: Path, server: ServerThread, prompt: str, *extra: str
) -> tuple[int, list[dict[str, Any]], str]:
    code = main(
        [
            "run",
            "-C",
            str(project),
            "--model",
            "m1",
            "--api-base",
            server.base_url,
            "--json",
            *extra,
            prompt,
        ]
    )
    out, err = capsys.readouterr()
    return code, [json.loads(line) for line in out.splitlines()], err


def stopped_by(events: list[dict[str, Any]], err: str) -> str:
    """The scope of the one ``budget.exceeded``; its message is the last line on stderr."""
    (stop,) = [e for e in events if e["type"] == "budget.exceeded"]
    assert err.strip().splitlines()[-1].startswith(f"penguin-tui: {stop['message'][:40]}")
    return str(stop["scope"])


def spent(events: list[dict[str, Any]]) -> float:
    return float(sum(e["cost_usd"] for e in events if e["type"] == "usage"))


def test_the_turns_budget_stops_a_tool_loop_before_its_second_call(
    capsys: Captured, project: Path, server: Any, penguin_home: Path
) -> None:
    configure(penguin_home, "turn_usd = 0.4")
    code, events, err = run(capsys, project, server, "loop")
    assert code == 3
    assert stopped_by(events, err) == "turn"
    assert spent(events) == pytest.approx(0.251)


def test_a_runs_max_cost_stops_a_tool_loop_with_exit_3(
    capsys: Captured, project: Path, server: Any, penguin_home: Path
) -> None:
    configure(penguin_home, "")
    code, events, err = run(capsys, project, server, "loop", "--max-cost", "0.4")
    assert code == 3
    assert stopped_by(events, err) == "run"
    assert spent(events) == pytest.approx(0.251)


def test_the_sessions_budget_stops_the_next_turn_of_the_session_only(
    capsys: Captured, project: Path, server: Any, penguin_home: Path
) -> None:
    configure(penguin_home, "session_usd = 0.4")
    assert run(capsys, project, server, "hi")[0] == 0
    code, events, err = run(capsys, project, server, "hi again", "--continue")
    assert code == 3
    assert stopped_by(events, err) == "session"
    assert spent(events) == 0  # nothing was sent
    assert run(capsys, project, server, "a new session")[0] == 0


def test_the_projects_budget_counts_every_session_until_it_is_reset(
    capsys: Captured, project: Path, server: Any, penguin_home: Path
) -> None:
    configure(penguin_home, "project_usd = 0.4")
    assert run(capsys, project, server, "hi")[0] == 0
    code, events, err = run(capsys, project, server, "another session")
    assert (code, stopped_by(events, err)) == (3, "project")
    assert main(["budget", "show", "-C", str(project), "--json"]) == 0
    (state,) = json.loads(capsys.readouterr().out)
    assert state["scope"] == "project" and state["spent_usd"] == pytest.approx(0.251)
    assert main(["budget", "reset", "-C", str(project)]) == 0
    capsys.readouterr()
    assert run(capsys, project, server, "after the reset")[0] == 0


def test_the_days_budget_counts_every_project(
    capsys: Captured, project: Path, server: Any, penguin_home: Path, tmp_path: Path
) -> None:
    configure(penguin_home, "daily_usd = 0.4")
    assert run(capsys, project, server, "hi")[0] == 0
    other = tmp_path / "other"
    other.mkdir()
    code, events, err = run(capsys, other, server, "hi from elsewhere")
    assert (code, stopped_by(events, err)) == (3, "day")


def test_a_call_that_crosses_80_percent_warns_once(
    capsys: Captured, project: Path, server: Any, penguin_home: Path
) -> None:
    configure(penguin_home, "session_usd = 0.3")
    code, events, _ = run(capsys, project, server, "hi")
    assert code == 0
    (warning,) = [e for e in events if e["type"] == "budget.warning"]
    assert warning["scope"] == "session"
    assert warning["message"] == "$0.2510 of the session's budget of $0.3000 spent (84%)"


def test_a_dollar_budget_refuses_an_unpriced_model_unless_allowed(
    capsys: Captured, project: Path, server: Any, penguin_home: Path
) -> None:
    with (penguin_home / "config.toml").open("a", encoding="utf-8") as config:
        config.write("\n[budget]\nsession_usd = 1.0\n")
    code, events, err = run(capsys, project, server, "hi", "--model", "not-priced")
    assert code == 3
    assert "has no known price" in err
    with (penguin_home / "config.toml").open("a", encoding="utf-8") as config:
        config.write("allow_unpriced = true\n")
    assert run(capsys, project, server, "hi", "--model", "not-priced")[0] == 0
