"""Compaction: a long conversation is summarised before the window fills; /compact on demand.
The originals stay in the store."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from penguin_tui.cli.main import main
from penguin_tui.testing import ServerThread, run_in_thread
from tests.conftest import script

Captured = pytest.CaptureFixture[str]

LONG_REPLIES = """
model = "m1"
rate = 0
[[turns]]
match = "Summarise the conversation above"
text = "- The user asked three questions about penguins; all were answered."
[[turns]]
text = "{long}"
""".replace("{long}", " ".join(f"penguin{i}" for i in range(120)))


def ask(capsys: Captured, server: ServerThread, project: Path, *args: str) -> list[dict]:  # type: ignore[type-arg]
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
            "--continue",
            *args,
        ]
    )
    out, err = capsys.readouterr()
    assert code == 0, err
    return [json.loads(line) for line in out.splitlines()]


def test_a_full_window_is_compacted_before_the_next_turn(capsys: Captured, project: Path) -> None:
    (project / ".penguin").mkdir()
    (project / ".penguin" / "config.toml").write_text("[model.context_windows]\nm1 = 600\n")
    with run_in_thread(script(LONG_REPLIES)) as server:
        ask(capsys, server, project, "first question")
        ask(capsys, server, project, "second question")
        events = ask(capsys, server, project, "third question")
        compacted = [e for e in events if e["type"] == "context.compacted"]
        assert len(compacted) == 1
        assert compacted[0]["messages"] == 4
        assert compacted[0]["tokens_after"] < compacted[0]["tokens_before"]
        last = server.requests[-1]["messages"]
        # The model now gets: system prompt, the summary, and the new question only.
        assert [m["role"] for m in last] == ["system", "system", "user"]
        assert "three questions about penguins" in last[1]["content"]
        assert last[2]["content"] == "third question"
    session_id = events[0]["session_id"]
    assert main(["sessions", "show", session_id, "--json"]) == 0
    stored = json.loads(capsys.readouterr().out)["messages"]
    assert [m["text"] for m in stored if m["role"] == "user"] == [
        "first question",
        "second question",
        "third question",
    ]


def test_compact_command_summarises_on_demand(capsys: Captured, project: Path) -> None:
    with run_in_thread(script(LONG_REPLIES)) as server:
        ask(capsys, server, project, "first question")
        events = ask(capsys, server, project, "/compact")
        assert [e["type"] for e in events if e["type"] == "context.compacted"] == [
            "context.compacted"
        ]
        completed = [e for e in events if e["type"] == "message.completed"]
        assert [(e["role"], e["status"]) for e in completed] == [("system", "complete")]
        ask(capsys, server, project, "next")
        assert [m["role"] for m in server.requests[-1]["messages"]] == [
            "system",
            "system",
            "user",
        ]


def test_compact_on_an_empty_session_says_there_is_nothing_to_do(
    capsys: Captured, project: Path, server: ServerThread
) -> None:
    code = main(
        ["run", "-C", str(project), "--model", "m1", "--api-base", server.base_url, "/compact"]
    )
    _, err = capsys.readouterr()
    assert code == 1
    assert "nothing to compact" in err
