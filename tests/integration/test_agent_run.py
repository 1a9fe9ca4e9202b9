"""The agent loop headless: tool calls run in a real project, are judged, audited and reported."""

from __future__ import annotations

import json
from pathlib import Path
from typing import cast

import pytest

from penguin_tui.cli.main import main
from penguin_tui.testing import ServerThread, run_in_thread
from tests.conftest import script

Captured = pytest.CaptureFixture[str]

AGENT = (Path(__file__).parent / "scripts" / "agent.toml").read_text(encoding="utf-8")


def run_agent(
    capsys: Captured, project: Path, server: ServerThread, *args: str
) -> tuple[int, list[dict[str, object]], str]:
    """`penguin-tui run --json` on ``project`` with model m1 at the scripted ``server``."""
    return run(
        capsys,
        "run",
        "-C",
        str(project),
        "--model",
        "m1",
        "--api-base",
        server.base_url,
        "--json",
        *args,
    )


def run(capsys: Captured, *args: str) -> tuple[int, list[dict[str, object]], str]:
    code = main(list(args))
    out, err = capsys.readouterr()
    events = [json.loads(line) for line in out.splitlines() if line.startswith("{")]
    return code, events, err


def test_agent_writes_runs_and_fixes_with_everything_allowed(
    capsys: Captured, project: Path
) -> None:
    with run_in_thread(script(AGENT)) as server:
        code, events, err = run_agent(
            capsys,
            project,
            server,
            "--approve",
            "all",
            "write add() with a test and make it pass",
        )
    assert code == 0, err
    assert (project / "calc.py").read_text() == "def add(a, b):\n    return a + b\n"
    assert (project / "test_calc.py").exists()
    calls = [e for e in events if e["type"] == "tool.call"]
    results = [e for e in events if e["type"] == "tool.result"]
    assert [c["tool"] for c in calls] == [
        "list_files",
        "write_file",
        "write_file",
        "run_shell",
        "edit_file",
        "run_shell",
    ]
    assert [r["status"] for r in results][:3] == ["ok", "ok", "ok"]
    assert results[3]["exit_code"] == 1  # the first test run fails
    assert results[5]["exit_code"] == 0  # and passes after the edit
    assert "+    return a + b" in str(results[4]["diff"])
    asked = [e for e in events if e["type"] == "approval.requested"]
    assert len(asked) == 5  # writes, edit and shell are asked in the default mode; reads are not
    final = events[-2]
    assert final["type"] == "message.completed" and final["status"] == "complete"
    # The turn ran tools, so it ends with an automatic checkpoint of what it changed.
    checkpoint = events[-1]
    assert checkpoint["type"] == "checkpoint.created" and checkpoint["kind"] == "auto"
    assert checkpoint["files_changed"] == 2
    # Every request after a tool call carried its answer.
    for request in server.requests[1:]:
        messages = request["messages"]
        assert messages[-1]["role"] == "tool"

    assert main(["audit", "-C", str(project), "--json"]) == 0
    audit = json.loads(capsys.readouterr().out)
    assert [a["tool"] for a in audit] == [c["tool"] for c in calls]
    assert [a["decided_by"] for a in audit] == ["policy"] + ["flag"] * 5
    assert all(a["decision"] == "allow" for a in audit)
    assert audit[3]["exit_code"] == 1 and audit[5]["exit_code"] == 0


def test_default_approve_deny_runs_nothing_and_says_so(capsys: Captured, project: Path) -> None:
    with run_in_thread(script(AGENT)) as server:
        code, events, err = run_agent(
            capsys,
            project,
            server,
            "go",
        )
    assert code == 0, err
    assert not (project / "calc.py").exists()
    denied = [e for e in events if e["type"] == "approval.answered"]
    assert denied and all(not e["allowed"] for e in denied)
    assert "--approve deny" in str(denied[0]["reason"])
    results = [e for e in events if e["type"] == "tool.result"]
    assert results[0]["status"] == "ok"  # list_files is a read: allowed without asking
    assert all(r["status"] == "denied" for r in results[1:])


def test_allow_pattern_lets_matching_commands_through(capsys: Captured, project: Path) -> None:
    with run_in_thread(script(AGENT)) as server:
        code, events, err = run_agent(
            capsys,
            project,
            server,
            "--allow",
            "write_file:*.py",
            "--allow",
            "python -m pytest*",
            "go",
        )
    assert code == 0, err
    results = [e for e in events if e["type"] == "tool.result"]
    assert [r["status"] for r in results] == ["ok", "ok", "ok", "ok", "denied", "ok"]
    assert (project / "calc.py").read_text().endswith("a - b\n")  # the edit was not allowed


BROKEN_CALL = """
model = "m1"
rate = 0
[[turns]]
text = "Writing it now."
[[turns.tool_calls]]
name = "write_file"
arguments = '{"path": "half.py", "content": "print(1)"}'
[turns.fault]
kind = "{kind}"
after_tokens = 5
"""


@pytest.mark.parametrize("kind", ["drop", "malformed"])
def test_a_half_streamed_tool_call_is_never_run(capsys: Captured, project: Path, kind: str) -> None:
    with run_in_thread(script(BROKEN_CALL.replace("{kind}", kind))) as server:
        code, events, err = run_agent(
            capsys,
            project,
            server,
            "--approve",
            "all",
            "go",
        )
    assert code == 1
    assert "broke off" in err
    assert not (project / "half.py").exists()
    assert not [e for e in events if e["type"] in ("tool.call", "tool.result")]
    assert events[-1]["status"] == "interrupted"


@pytest.mark.parametrize(
    "fault",
    ['kind = "rate_limit"\nretry_after = 0', 'kind = "server_error"', 'kind = "drop"'],
)
def test_faults_before_the_first_token_mid_loop_are_retried_and_the_loop_goes_on(
    capsys: Captured, project: Path, fault: str
) -> None:
    done = 'text = "Done: `add` is fixed and its test passes."'
    flaky = AGENT.replace(done, done + "\n[turns.fault]\n" + fault)
    assert flaky != AGENT
    with run_in_thread(script(flaky)) as server:
        code, events, err = run_agent(
            capsys,
            project,
            server,
            "--approve",
            "all",
            "go",
        )
    assert code == 0, err
    assert [e["attempt"] for e in events if e["type"] == "retry"] == [1]
    assert [e for e in events if e["type"] == "message.completed"][-1]["status"] == "complete"
    assert (project / "calc.py").read_text().endswith("a + b\n")


def test_step_limit_ends_the_turn_with_a_message(
    capsys: Captured, project: Path, penguin_home: Path
) -> None:
    config = penguin_home / "config.toml"
    config.write_text(config.read_text() + "\n[agent]\nmax_steps = 2\n")
    with run_in_thread(script(AGENT)) as server:
        code, events, err = run_agent(
            capsys,
            project,
            server,
            "--approve",
            "all",
            "go",
        )
    assert code == 3  # a budget stopped it
    assert "limit of 2 model calls" in err
    assert len(server.requests) == 2
    (stop,) = [e for e in events if e["type"] == "budget.exceeded"]
    assert (stop["scope"], stop["limit"], stop["spent"]) == ("turn", "2 model calls", "2 calls")
    assert not [e for e in events if e["type"] == "error"]  # one event says it, not two


def test_a_dollar_limit_caps_each_call_and_stops_before_it_is_passed(
    capsys: Captured, project: Path, penguin_home: Path
) -> None:
    """At $1 per million tokens in and out, $0.003 is 3,000 tokens: each call's max_tokens is
    what is left after its (estimated) input, and the turn stops before a call whose input
    alone would not fit."""
    config = penguin_home / "config.toml"
    config.write_text(
        config.read_text()
        + "\n[agent]\nmax_turn_cost_usd = 0.003\n"
        + "[model.prices.m1]\ninput_per_mtok = 1.0\noutput_per_mtok = 1.0\n"
    )
    with run_in_thread(script(AGENT)) as server:
        code, events, err = run_agent(capsys, project, server, "--approve", "all", "go")
    assert code == 3, err
    caps = [int(request["max_tokens"]) for request in server.requests]
    assert caps and all(cap >= 1 for cap in caps)
    assert caps == sorted(caps, reverse=True)  # less room after each call
    spent = sum(float(cast(float, e["cost_usd"])) for e in events if e["type"] == "usage")
    (stop,) = [cast(dict[str, str], e) for e in events if e["type"] == "budget.exceeded"]
    assert (stop["scope"], stop["limit"]) == ("turn", "$0.0030")
    assert "no room for another model call" in stop["message"]
    assert 1 < len(caps) < 6  # some calls went, the last of the script's six did not
    assert spent <= 0.003


def test_stall_mid_loop_times_out_and_keeps_what_was_done(
    capsys: Captured, project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PENGUIN_TIMEOUT", "0.5")
    done = 'text = "Done: `add` is fixed and its test passes."'
    stalled = AGENT.replace(done, done + '\n[turns.fault]\nkind = "stall"\ncount = 10')
    with run_in_thread(script(stalled)) as server:
        code, events, err = run_agent(
            capsys,
            project,
            server,
            "--approve",
            "all",
            "go",
        )
    assert code == 1
    assert "did not answer within 0.5s" in err
    assert (project / "calc.py").read_text().endswith("a + b\n")
    assert len([e for e in events if e["type"] == "tool.result"]) == 6


def test_fallback_model_takes_over_and_says_so(
    capsys: Captured, project: Path, penguin_home: Path
) -> None:
    config = penguin_home / "config.toml"
    text = config.read_text().replace("[model]\n", '[model]\nfallback_models = ["m2"]\n', 1)
    config.write_text(text)
    failing = 'model = "m1"\nrate = 0\n[[turns]]\ntext = "from m2"\n[turns.fault]\n'
    failing += 'kind = "server_error"\ncount = 3\n'
    with run_in_thread(script(failing)) as server:
        code, events, err = run_agent(
            capsys,
            project,
            server,
            "go",
        )
    assert code == 0, err
    switched = [e for e in events if e["type"] == "model.fallback"]
    assert [(e["from_model"], e["to_model"]) for e in switched] == [("m1", "m2")]
    assert [r["model"] for r in server.requests] == ["m1", "m1", "m1", "m2"]
    usage = next(e for e in events if e["type"] == "usage")
    assert usage["model"] == "m2"


def test_bad_permissions_config_fails_fast_without_hanging(project: Path) -> None:
    import os
    import subprocess
    import sys

    (project / ".penguin").mkdir()
    (project / ".penguin" / "config.toml").write_text('[permissions]\nmode = "yolo"\n')
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "penguin_tui.cli",
            "run",
            "-C",
            str(project),
            "--model",
            "m1",
            "--api-base",
            "http://127.0.0.1:9/v1",
            "go",
        ],
        capture_output=True,
        text=True,
        timeout=60,
        env=os.environ.copy(),
    )
    assert done.returncode == 2
    assert "permissions.mode" in done.stderr
    assert len(done.stderr.strip().splitlines()) == 1


def test_sessions_export_shows_the_tool_calls(capsys: Captured, project: Path) -> None:
    with run_in_thread(script(AGENT)) as server:
        code, events, err = run_agent(
            capsys,
            project,
            server,
            "--approve",
            "all",
            "go",
        )
    assert code == 0, err
    session_id = str(events[0]["session_id"])
    assert main(["sessions", "export", session_id, "--format", "md"]) == 0
    markdown = capsys.readouterr().out
    assert "Tool call `edit_file`" in markdown and "## Tool" in markdown
    assert main(["sessions", "show", session_id, "--json"]) == 0
    shown = json.loads(capsys.readouterr().out)["messages"]
    assert [c["tool"] for m in shown for c in m["tool_calls"]][:2] == ["list_files", "write_file"]
