"""Tokens and dollars of a call, as `penguin-tui run --json` reports and stores them: whose
figures they are (the provider's or an estimate) and whose price (provider, config, litellm)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from penguin_tui.cli.main import main
from penguin_tui.llm.loader import load_litellm
from penguin_tui.testing import ServerThread, run_in_thread
from tests.conftest import script

Captured = pytest.CaptureFixture[str]
Event = dict[str, Any]

# A model litellm's offline price table knows, served by the scripted model.
KNOWN_MODEL = "gpt-4o"

REPLY = """
model = "gpt-4o"
rate = 0
[[turns]]
text = "one two three four five six seven eight nine ten"
{extra}
"""


def reply_server(extra: str = "") -> ServerThread:
    return run_in_thread(script(REPLY.format(extra=extra)))


def run_json(
    capsys: Captured, project: Path, server: ServerThread, model: str = KNOWN_MODEL
) -> tuple[int, list[Event], str]:
    """`penguin-tui run --json go` on ``project``, against the scripted ``server``."""
    code = main(
        ["run", "-C", str(project), "--model", model, "--api-base", server.base_url, "--json", "go"]
    )
    out, err = capsys.readouterr()
    return code, [json.loads(line) for line in out.splitlines()], err


def only(events: list[Event], kind: str) -> Event:
    [event] = [e for e in events if e["type"] == kind]
    return event


def stored_usage(capsys: Captured, session_id: str) -> list[Event]:
    assert main(["sessions", "show", session_id, "--json"]) == 0
    usage: list[Event] = json.loads(capsys.readouterr().out)["usage"]
    return usage


def add_user_config(home: Path, text: str) -> None:
    config = home / "config.toml"
    config.write_text(config.read_text(encoding="utf-8") + text, encoding="utf-8")


def table_price(model: str, input_tokens: int, output_tokens: int) -> float:
    prompt, completion = load_litellm().cost_per_token(
        model=model, prompt_tokens=input_tokens, completion_tokens=output_tokens
    )
    return float(prompt) + float(completion)


def request_floor(request: dict[str, Any]) -> int:
    """The system prompt and the tool schemas the server received, at 4 characters a token:
    the least an estimate of that request may say."""
    system = "".join(m["content"] for m in request["messages"] if m["role"] == "system")
    return (len(system) + len(json.dumps(request["tools"]))) // 4


# -- whose price -------------------------------------------------------------------------


def test_a_config_price_beats_litellm_for_a_model_it_knows(
    capsys: Captured, project: Path, penguin_home: Path
) -> None:
    add_user_config(
        penguin_home,
        '\n[model.prices."gpt-4o"]\ninput_per_mtok = 100.0\noutput_per_mtok = 1000.0\n',
    )
    with reply_server() as server:
        code, events, err = run_json(capsys, project, server)
    assert code == 0, err
    usage = only(events, "usage")
    assert usage["cost_source"] == "config"
    expected = (usage["input_tokens"] * 100.0 + usage["output_tokens"] * 1000.0) / 1e6
    assert usage["cost_usd"] == pytest.approx(expected)


def test_litellm_table_price_is_labelled_litellm_not_provider(
    capsys: Captured, project: Path
) -> None:
    with reply_server() as server:
        code, events, err = run_json(capsys, project, server)
    assert code == 0, err
    usage = only(events, "usage")
    # The scripted provider sent token counts and no cost: litellm's figure is not its own.
    assert usage["cost_source"] == "litellm"
    expected = table_price("openai/gpt-4o", usage["input_tokens"], usage["output_tokens"])
    assert usage["cost_usd"] == pytest.approx(expected)
    assert usage["tokens_source"] == "provider"


def test_a_cost_the_provider_reports_is_used_and_labelled_provider(
    capsys: Captured, project: Path, penguin_home: Path
) -> None:
    add_user_config(
        penguin_home, '\n[model.prices."gpt-4o"]\ninput_per_mtok = 1.0\noutput_per_mtok = 1.0\n'
    )
    with reply_server("usage = {cost = 0.0125}") as server:
        code, events, err = run_json(capsys, project, server)
    assert code == 0, err
    usage = only(events, "usage")
    assert (usage["cost_usd"], usage["cost_source"]) == (0.0125, "provider")


# -- whose tokens ------------------------------------------------------------------------


def test_the_estimate_while_streaming_counts_system_prompt_and_tool_schemas(
    capsys: Captured, project: Path
) -> None:
    with reply_server() as server:
        code, events, err = run_json(capsys, project, server)
        request = server.requests[0]
    assert code == 0, err
    started = only(events, "message.started")
    assert started["estimated_input_tokens"] >= request_floor(request) > 100


def test_a_reply_without_a_usage_chunk_is_stored_as_an_estimate(
    capsys: Captured, project: Path
) -> None:
    with reply_server("usage_chunk = false") as server:
        code, events, err = run_json(capsys, project, server)
        request = server.requests[0]
    assert code == 0, err
    started, usage = only(events, "message.started"), only(events, "usage")
    # The figures shown while it streamed stand: the whole request, and one token a chunk.
    assert usage["input_tokens"] >= request_floor(request)
    assert usage["input_tokens"] == started["estimated_input_tokens"]
    assert usage["output_tokens"] == 10
    assert usage["tokens_source"] == "estimate"
    # Priced from litellm's table, but on estimated tokens: an estimate, not the provider's.
    assert usage["cost_source"] == "estimate"
    assert usage["cost_usd"] == pytest.approx(
        table_price("openai/gpt-4o", usage["input_tokens"], usage["output_tokens"])
    )
    [stored] = stored_usage(capsys, events[0]["session_id"])
    assert stored["tokens_source"] == "estimate"
    assert stored["input_tokens"] == usage["input_tokens"]


def test_an_unpriced_reply_without_a_usage_chunk_is_unknown_not_provider(
    capsys: Captured, project: Path
) -> None:
    with reply_server("usage_chunk = false") as server:
        code, events, err = run_json(capsys, project, server, model="m1")
    assert code == 0, err
    usage = only(events, "usage")
    assert (usage["cost_usd"], usage["cost_source"]) == (None, "unknown")
    assert usage["tokens_source"] == "estimate"


def test_an_interrupted_reply_stores_the_estimate_of_the_whole_request(
    capsys: Captured, project: Path
) -> None:
    with reply_server('[turns.fault]\nkind = "drop"\nafter_tokens = 4') as server:
        code, events, err = run_json(capsys, project, server)
        request = server.requests[0]
    assert code == 1
    assert "broke off" in err
    assert events[-1]["type"] == "message.completed" and events[-1]["status"] == "interrupted"
    [stored] = stored_usage(capsys, events[0]["session_id"])
    assert stored["input_tokens"] >= request_floor(request)
    assert stored["output_tokens"] == 4
    assert stored["cost_source"] == "estimate"
    assert stored["tokens_source"] == "estimate"
