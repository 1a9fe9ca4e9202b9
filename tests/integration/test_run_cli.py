"""`penguin-tui run` and `sessions` against the scripted model over real HTTP through litellm."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest

from penguin_tui.cli.main import main
from penguin_tui.testing import ServerThread, run_in_thread
from tests.conftest import script

Captured = pytest.CaptureFixture[str]


def run(capsys: Captured, *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


def ask(capsys: Captured, project: Path, api_base: str, *args: str) -> tuple[int, str, str]:
    """`penguin-tui run` on ``project`` with model m1 at ``api_base``."""
    return run(capsys, "run", "-C", str(project), "--model", "m1", "--api-base", api_base, *args)


def run_json(capsys: Captured, server: ServerThread, project: Path, *args: str) -> list[dict]:  # type: ignore[type-arg]
    code, out, err = ask(
        capsys,
        project,
        server.base_url,
        "--json",
        *args,
    )
    assert code == 0, err
    return [json.loads(line) for line in out.splitlines()]


def stored_session(capsys: Captured, session_id: str) -> dict:  # type: ignore[type-arg]
    code, out, err = run(capsys, "sessions", "show", session_id, "--json")
    assert code == 0, err
    document: dict = json.loads(out)  # type: ignore[type-arg]
    return document


def test_plain_run_streams_the_reply_to_stdout(
    capsys: Captured, server: ServerThread, project: Path
) -> None:
    code, out, err = ask(capsys, project, server.base_url, "hi")
    assert code == 0, err
    assert out == "Hello **there**, this is the scripted reply.\n"
    assert err == ""


def test_json_run_streams_events_and_stores_the_session(
    capsys: Captured, server: ServerThread, project: Path
) -> None:
    events = run_json(capsys, server, project, "hello")
    types = [e["type"] for e in events]
    assert types[0] == "session.started"
    assert types.index("reasoning.delta") < types.index("message.delta") < types.index("usage")
    assert types[-1] == "message.completed"
    assert all("type" in e and "session_id" in e for e in events)
    seqs = [e["seq"] for e in events]
    assert seqs == sorted(seqs)
    text = "".join(e["text"] for e in events if e["type"] == "message.delta")
    assert text == "Hello **there**, this is the scripted reply."
    usage = next(e for e in events if e["type"] == "usage")
    assert usage["model"] == "m1"
    assert usage["output_tokens"] > 0 and usage["input_tokens"] > 0
    assert usage["cost_usd"] is None  # an unpriced model is n/a, never $0.00
    assert usage["ttft_ms"] is not None and usage["duration_ms"] >= usage["ttft_ms"]
    final = events[-1]
    assert final["role"] == "assistant" and final["status"] == "complete"
    assert final["text"] == text

    code, out, _ = run(capsys, "sessions", "list", "-C", str(project), "--json")
    assert code == 0
    sessions = json.loads(out)
    assert [s["id"] for s in sessions] == [events[0]["session_id"]]
    assert sessions[0]["messages"] == 2
    assert sessions[0]["title"] == "hello"


LOOK_THEN_ANSWER = """
model = "m1"
rate = 0
[[turns]]
text = "Let me look."
[[turns.tool_calls]]
name = "list_files"
arguments = '{"path": "."}'
[[turns]]
text = "There is one file, main.py."
"""


def test_the_end_of_each_reply_is_announced_between_its_last_delta_and_its_usage(
    capsys: Captured, project: Path
) -> None:
    with run_in_thread(script(LOOK_THEN_ANSWER)) as server:
        events = run_json(capsys, server, project, "what is here?")
    types = [e["type"] for e in events]
    streamed = [i for i, kind in enumerate(types) if kind == "message.streamed"]
    completed = [
        i
        for i, e in enumerate(events)
        if e["type"] == "message.completed" and e["role"] == "assistant"
    ]
    assert len(streamed) == len(completed) == 2
    for at, done in zip(streamed, completed, strict=True):
        reply = events[done]["message_id"]
        deltas = [
            i
            for i, e in enumerate(events)
            if e["type"] == "message.delta" and e["message_id"] == reply
        ]
        usage = next(
            i for i, e in enumerate(events) if e["type"] == "usage" and e["message_id"] == reply
        )
        assert max(deltas) < at < usage < done
        assert events[at]["message_id"] == reply
    assert [events[i]["finish_reason"] for i in streamed] == ["tool_calls", "stop"]
    # Without it, the events come in the order they always came.
    kinds = [kind for kind in types if kind != "message.streamed"]
    runs = [kind for at, kind in enumerate(kinds) if at == 0 or kinds[at - 1] != kind]
    assert runs == [
        "session.started",
        "checkpoint.created",  # the project as it was found
        "message.completed",  # the prompt
        "message.started",
        "message.delta",
        "usage",
        "message.completed",
        "tool.call",
        "tool.result",
        "message.completed",  # the tool's answer
        "message.started",
        "message.delta",
        "usage",
        "message.completed",
        "checkpoint.created",  # after a turn that ran a tool
    ]


def test_continue_sends_the_earlier_exchange_as_history(
    capsys: Captured, server: ServerThread, project: Path
) -> None:
    first = run_json(capsys, server, project, "first question")
    second = run_json(capsys, server, project, "--continue", "second question")
    assert first[0]["session_id"] == second[0]["session_id"]
    sent = server.requests[-1]["messages"]
    assert [m["role"] for m in sent] == ["system", "user", "assistant", "user"]
    assert sent[1]["content"] == "first question"
    assert sent[2]["content"] == "Hello **there**, this is the scripted reply."
    assert "A second reply." in "".join(e.get("text", "") for e in second)


def test_configured_price_gives_dollars(
    capsys: Captured, server: ServerThread, project: Path
) -> None:
    (project / ".penguin").mkdir()
    (project / ".penguin" / "config.toml").write_text(
        "[model.prices.m1]\ninput_per_mtok = 1.0\noutput_per_mtok = 2.0\n"
    )
    usage = next(e for e in run_json(capsys, server, project, "hi") if e["type"] == "usage")
    expected = (usage["input_tokens"] * 1.0 + usage["output_tokens"] * 2.0) / 1e6
    assert usage["cost_usd"] == pytest.approx(expected)
    assert usage["cost_source"] == "config"


FAULTS = """
model = "m1"
rate = 0
[[turns]]
text = "one two three four five six seven eight nine ten"
[turns.fault]
kind = "{kind}"
count = {count}
after_tokens = {after}
retry_after = 1
"""


def fault_server(kind: str, count: int = 1, after: int = 0) -> ServerThread:
    return run_in_thread(script(FAULTS.format(kind=kind, count=count, after=after)))


def test_rate_limit_is_retried_after_retry_after(capsys: Captured, project: Path) -> None:
    with fault_server("rate_limit") as server:
        code, out, err = ask(
            capsys,
            project,
            server.base_url,
            "go",
        )
    assert code == 0, err
    assert out.startswith("one two three")
    assert "rate limit" in err and "retrying in 1.0s" in err
    assert len(server.requests) == 2


def test_server_error_is_retried_then_succeeds(capsys: Captured, project: Path) -> None:
    with fault_server("server_error") as server:
        code, out, err = ask(
            capsys,
            project,
            server.base_url,
            "go",
        )
    assert code == 0, err
    assert "retrying" in err
    assert out.strip().endswith("ten")


def test_persistent_server_error_ends_in_one_line_and_keeps_the_prompt(
    capsys: Captured, project: Path
) -> None:
    with fault_server("server_error", count=50) as server:
        code, out, err = ask(
            capsys,
            project,
            server.base_url,
            "--json",
            "keep me",
        )
    assert code == 1
    last = err.strip().splitlines()[-1]
    assert last.startswith("penguin-tui: ") and "server error" in last
    assert "Traceback" not in err
    events = [json.loads(line) for line in out.splitlines()]
    assert events[-1]["status"] == "error"
    document = stored_session(capsys, events[0]["session_id"])
    assert document["messages"][0]["text"] == "keep me"


@pytest.mark.parametrize("kind", ["drop", "malformed"])
def test_broken_stream_keeps_the_partial_reply_marked_interrupted(
    capsys: Captured, project: Path, kind: str
) -> None:
    with fault_server(kind, after=4) as server:
        code, out, err = ask(
            capsys,
            project,
            server.base_url,
            "--json",
            "go",
        )
        assert len(server.requests) == 1  # after the first token, never retried
    assert code == 1
    assert "broke off" in err and "Traceback" not in err
    events = [json.loads(line) for line in out.splitlines()]
    final = events[-1]
    assert final["type"] == "message.completed"
    assert final["status"] == "interrupted"
    assert final["text"] == "one two three four "
    assert any(e["type"] == "error" for e in events)
    document = stored_session(capsys, events[0]["session_id"])
    assert document["messages"][1]["status"] == "interrupted"
    assert document["messages"][1]["text"] == "one two three four "
    assert document["usage"][0]["cost_source"] in ("estimate", "unknown")


def test_server_that_never_answers_times_out(
    capsys: Captured, project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PENGUIN_TIMEOUT", "0.5")
    with fault_server("stall", count=50) as server:
        code, _, err = ask(
            capsys,
            project,
            server.base_url,
            "go",
        )
    assert code == 1
    last = err.strip().splitlines()[-1]
    assert "did not answer within 0.5s" in last and "PENGUIN_TIMEOUT" in last
    assert "Traceback" not in err


def test_unreachable_api_base(capsys: Captured, project: Path) -> None:
    code, _, err = run(
        capsys,
        "run",
        "-C",
        str(project),
        "--model",
        "m1",
        "--api-base",
        "http://127.0.0.1:9/v1",
        "go",
    )
    assert code == 1
    last = err.strip().splitlines()[-1]
    assert "cannot reach" in last and "--api-base" in last
    assert "Traceback" not in err


def test_unknown_model_says_how_to_name_one(capsys: Captured, project: Path) -> None:
    code, _, err = run(capsys, "run", "-C", str(project), "--model", "no-such-model-xyz", "go")
    assert code == 1
    assert "unknown model 'no-such-model-xyz'" in err
    assert len(err.strip().splitlines()) == 1


def test_missing_key_names_the_variable(capsys: Captured, project: Path) -> None:
    code, _, err = run(capsys, "run", "-C", str(project), "--model", "openai/gpt-4o-mini", "go")
    assert code == 1
    assert "OPENAI_API_KEY" in err and "PENGUIN_API_KEY" in err


def test_no_model_at_all_is_a_usage_error(capsys: Captured, project: Path) -> None:
    code, _, err = run(capsys, "run", "-C", str(project), "go")
    assert code == 2
    assert "no model is set" in err


def test_corrupt_database_is_reported_and_not_replaced(
    capsys: Captured, project: Path, penguin_home: Path
) -> None:
    database = penguin_home / "penguin.db"
    database.write_bytes(b"garbage" * 1000)
    code, _, err = run(capsys, "run", "-C", str(project), "--model", "m1", "go")
    assert code == 1
    assert "damaged" in err and "PENGUIN_HOME" in err
    assert database.read_bytes() == b"garbage" * 1000


def test_unwritable_data_directory(
    capsys: Captured, project: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    blocker = tmp_path / "not-a-dir"
    blocker.write_text("x")
    monkeypatch.setenv("PENGUIN_HOME", str(blocker / "home"))
    code, _, err = run(capsys, "sessions", "list", "-C", str(project))
    assert code == 1
    assert "PENGUIN_HOME" in err and len(err.strip().splitlines()) == 1


def test_megabyte_prompt_over_the_window_is_refused_before_anything_is_stored(
    capsys: Captured, server: ServerThread, project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (project / ".penguin").mkdir()
    (project / ".penguin" / "config.toml").write_text("[model.context_windows]\nm1 = 32768\n")
    big = "word " * 210_000
    code, _, err = ask(capsys, project, server.base_url, big)
    assert code == 1
    assert "more than m1's window of 32,768" in err
    assert server.requests == []


def test_megabyte_prompt_from_stdin_goes_through_when_it_fits(
    capsys: Captured, server: ServerThread, project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import io

    big = "word " * 210_000
    monkeypatch.setattr("sys.stdin", io.StringIO(big))
    code, out, err = ask(capsys, project, server.base_url, "-")
    assert code == 0, err
    assert server.requests[-1]["messages"][-1]["content"] == big
    assert out.startswith("Hello")


def test_export_redacts_secrets_everywhere(
    capsys: Captured,
    server: ServerThread,
    project: Path,
    penguin_home: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("DEPLOY_TOKEN", "very-private-token-value")
    prompt = "my key is sk-abcdefghijklmnopqrstuvwxyz0123 and very-private-token-value"
    events = run_json(capsys, server, project, prompt)
    session_id = events[0]["session_id"]
    for fmt in ("md", "json"):
        code, out, _ = run(capsys, "sessions", "export", session_id, "--format", fmt)
        assert code == 0
        assert "sk-abcdefghij" not in out and "very-private-token-value" not in out
        assert "[REDACTED]" in out
    raw = b"".join(p.read_bytes() for p in penguin_home.glob("penguin.db*"))
    assert b"sk-abcdefghij" not in raw and b"very-private-token-value" not in raw
    with sqlite3.connect(penguin_home / "penguin.db") as db:
        count = db.execute("SELECT COUNT(*) FROM events WHERE payload LIKE '%REDACTED%'")
        assert count.fetchone()[0] >= 1


def test_show_unknown_session(capsys: Captured) -> None:
    code, _, err = run(capsys, "sessions", "show", "nope")
    assert code == 1
    assert "no session 'nope'" in err


def test_a_run_that_cannot_start_leaves_no_empty_session(capsys: Captured, project: Path) -> None:
    code, _, _ = run(capsys, "run", "-C", str(project), "--model", "no-such-model-xyz", "go")
    assert code == 1
    code, out, _ = run(capsys, "sessions", "list", "-C", str(project), "--json")
    assert json.loads(out) == []


def test_model_names_with_a_slash_work_with_an_api_base(capsys: Captured, project: Path) -> None:
    with run_in_thread(script(SLASHED)) as server:
        code, out, err = run(
            capsys,
            "run",
            "-C",
            str(project),
            "--model",
            "Qwen/Qwen2.5-7B-Instruct",
            "--api-base",
            server.base_url,
            "hi",
        )
    assert code == 0, err
    assert out == "ok\n"
    assert server.requests[0]["model"] == "Qwen/Qwen2.5-7B-Instruct"


SLASHED = """
model = "Qwen/Qwen2.5-7B-Instruct"
rate = 0
[[turns]]
text = "ok"
"""
