"""``[model.roles]``: summaries asked of the compaction model, and an opt-in generated title
for a new session (one extra call, recorded); without the title role no extra call is made."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from penguin_tui.cli.main import main
from penguin_tui.testing import ServerThread, run_in_thread
from tests.conftest import script

Captured = pytest.CaptureFixture[str]

REPLIES = """
model = "m1"
rate = 0
[[turns]]
match = "Summarise the conversation above"
text = "- The user asked about penguins."
[[turns]]
match = "Write a title of at most six words"
text = "\\"Penguins on the ice.\\""
[[turns]]
text = "Penguins live in the south. {long}"
""".replace("{long}", " ".join(f"penguin{i}" for i in range(120)))


def configure(project: Path, text: str) -> None:
    (project / ".penguin").mkdir(exist_ok=True)
    (project / ".penguin" / "config.toml").write_text(text, encoding="utf-8")


def ask(capsys: Captured, server: ServerThread, project: Path, prompt: str) -> list[dict]:  # type: ignore[type-arg]
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
            prompt,
        ]
    )
    out, err = capsys.readouterr()
    assert code == 0, err
    return [json.loads(line) for line in out.splitlines()]


def session_titles(capsys: Captured, project: Path) -> list[str]:
    assert main(["sessions", "list", "-C", str(project), "--json"]) == 0
    return [s["title"] for s in json.loads(capsys.readouterr().out)]


def test_compact_asks_the_compaction_role_for_the_summary(capsys: Captured, project: Path) -> None:
    configure(project, '[model.roles]\ncompaction = "cheap-summariser"\n')
    with run_in_thread(script(REPLIES)) as server:
        ask(capsys, server, project, "tell me about penguins")
        events = ask(capsys, server, project, "/compact")
        assert [e["type"] for e in events].count("context.compacted") == 1
        models = [request["model"] for request in server.requests]
    assert models == ["m1", "cheap-summariser"]
    summary = next(e for e in events if e["type"] == "message.completed")
    assert summary["model"] == "cheap-summariser"
    usage = next(e for e in events if e["type"] == "usage")
    assert usage["model"] == "cheap-summariser"


def test_automatic_compaction_uses_the_compaction_role(capsys: Captured, project: Path) -> None:
    configure(
        project,
        '[model.roles]\ncompaction = "cheap-summariser"\n[model.context_windows]\nm1 = 600\n',
    )
    with run_in_thread(script(REPLIES)) as server:
        ask(capsys, server, project, "tell me about penguins")
        ask(capsys, server, project, "and about their eggs")
        events = ask(capsys, server, project, "and about the ice")
        assert [e["type"] for e in events].count("context.compacted") == 1
        models = [request["model"] for request in server.requests]
    assert models == ["m1", "m1", "cheap-summariser", "m1"]


def test_the_title_role_names_a_new_session_with_one_extra_call(
    capsys: Captured, project: Path
) -> None:
    configure(project, '[model.roles]\ntitle = "titler"\n')
    with run_in_thread(script(REPLIES)) as server:
        ask(capsys, server, project, "tell me about penguins")
        ask(capsys, server, project, "and about their eggs")
        models = [request["model"] for request in server.requests]
        title_request = server.requests[1]["messages"][-1]["content"]
    # One title call, after the first reply only; it is sent the first prompt.
    assert models == ["m1", "titler", "m1"]
    assert "tell me about penguins" in title_request
    assert session_titles(capsys, project) == ["Penguins on the ice"]
    assert main(["usage", "-C", str(project), "--by", "model", "--json"]) == 0
    by_model = {row["model"]: row for row in json.loads(capsys.readouterr().out)}
    assert by_model["titler"]["calls"] == 1


def test_without_the_title_role_no_prompt_goes_to_another_model(
    capsys: Captured, project: Path
) -> None:
    with run_in_thread(script(REPLIES)) as server:
        ask(capsys, server, project, "tell me about penguins")
        ask(capsys, server, project, "and about their eggs")
        models = [request["model"] for request in server.requests]
    assert models == ["m1", "m1"]
    assert session_titles(capsys, project) == ["tell me about penguins"]


COSTLY = """
model = "m1"
rate = 0
[[turns]]
match = "Write a title of at most six words"
text = "Penguins on the ice"
[[turns]]
text = "Penguins live in the south."
usage = {prompt_tokens = 2500, completion_tokens = 10}
"""

# The reply costs $0.251 of the session's $0.30; the title request alone would cost more than
# the $0.049 left.
BUDGETED = """
[model.prices."m1"]
input_per_mtok = 100.0
output_per_mtok = 100.0
[model.prices."titler"]
input_per_mtok = 10000.0
output_per_mtok = 10000.0
[budget]
session_usd = 0.3
"""


def test_no_title_is_asked_for_when_the_budget_has_no_room_left_for_it(
    capsys: Captured, project: Path, penguin_home: Path
) -> None:
    with (penguin_home / "config.toml").open("a", encoding="utf-8") as config:
        config.write(BUDGETED)
    configure(project, '[model.roles]\ntitle = "titler"\n')
    with run_in_thread(script(COSTLY)) as server:
        ask(capsys, server, project, "tell me about penguins")
        models = [request["model"] for request in server.requests]
    assert models == ["m1"]  # the title call would have gone over the session's budget
    assert session_titles(capsys, project) == ["tell me about penguins"]
