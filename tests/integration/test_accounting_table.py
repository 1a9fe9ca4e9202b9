"""The accounting table: scripted scenarios, each call's tokens and dollars as penguin-tui
records them against a bill computed here, independently, from the prices of the config and
of litellm's catalog — to 1e-9 USD per call, with the right ``cost_source``.

Every call goes over real HTTP to the scripted model through litellm, into a real SQLite file.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from penguin_tui.bus import MessageDelta, UsageRecorded
from penguin_tui.llm.loader import load_litellm
from penguin_tui.runtime import Runtime, open_runtime
from penguin_tui.testing import ServerThread, run_in_thread
from tests.conftest import script

# Dollars per million tokens: input, output, cache read, cache write.
PRICES = {
    "acct-a": (2.0, 8.0, 0.5, 2.5),
    "acct-b": (1.0, 4.0, None, None),  # the fallback, priced differently, no cache prices
}

CONFIG = """
[model.prices."acct-a"]
input_per_mtok = 2.0
output_per_mtok = 8.0
cache_read_per_mtok = 0.5
cache_write_per_mtok = 2.5

[model.prices."acct-b"]
input_per_mtok = 1.0
output_per_mtok = 4.0
"""

SCRIPT = """
rate = 0
[[turns]]
match = "^plain"
text = "A plain answer."
usage = {prompt_tokens = 1000, completion_tokens = 200}

[[turns]]
match = "^cached"
text = "From the cache."
[turns.usage]
prompt_tokens = 1000
completion_tokens = 100
cached_tokens = 600
cache_write_tokens = 200

[[turns]]
match = "^reasoning"
reasoning = "Let me think about it at some length first."
text = "Thought it through."
usage = {prompt_tokens = 500, completion_tokens = 300, reasoning_tokens = 200}

[[turns]]
match = "^tools"
step = 0
usage = {prompt_tokens = 700, completion_tokens = 40}
[[turns.tool_calls]]
name = "list_files"
arguments = '{"path": "."}'

[[turns]]
match = "^tools"
step = 1
text = "Listed."
usage = {prompt_tokens = 900, completion_tokens = 25}

[[turns]]
match = "^fallback"
text = "The fallback answers."
usage = {prompt_tokens = 400, completion_tokens = 60}
[turns.fault]
kind = "server_error"
count = 3

[[turns]]
match = "^interrupted"
text = "word "
repeat_text = 4000
chunk_tokens = 1

[[turns]]
match = "^provider"
text = "Billed by the provider."
usage = {prompt_tokens = 1200, completion_tokens = 90, cost = 0.0123}

[[turns]]
match = "^catalog"
text = "A model the catalog prices."
[turns.usage]
prompt_tokens = 1000
completion_tokens = 80
cached_tokens = 300
cache_write_tokens = 100

[[turns]]
match = "^unknown"
text = "Nobody knows my price."
usage = {prompt_tokens = 300, completion_tokens = 30}
"""


@dataclass(frozen=True)
class Call:
    """A call as recorded: its model, tokens and dollars."""

    model: str
    input_tokens: int
    output_tokens: int
    cache_read: int
    cache_write: int
    reasoning: int
    cost_usd: float | None
    cost_source: str
    tokens_source: str


def bill(model: str, call: Call) -> float:
    """What ``call`` costs at the prices above (config), worked out here."""
    price_in, price_out, price_read, price_write = PRICES[model]
    plain = call.input_tokens - call.cache_read - call.cache_write
    read = price_in if price_read is None else price_read
    write = price_in if price_write is None else price_write
    return (
        plain * price_in
        + call.cache_read * read
        + call.cache_write * write
        + call.output_tokens * price_out
    ) / 1_000_000


def catalog_bill(model: str, call: Call) -> float:
    """What ``call`` costs at litellm's catalog prices for ``model``, worked out here."""
    entry = load_litellm().model_cost[model]
    price_in = entry["input_cost_per_token"]
    read = entry.get("cache_read_input_token_cost") or price_in
    write = entry.get("cache_creation_input_token_cost") or price_in
    plain = call.input_tokens - call.cache_read - call.cache_write
    return float(
        plain * price_in
        + call.cache_read * read
        + call.cache_write * write
        + call.output_tokens * entry["output_cost_per_token"]
    )


@pytest.fixture
def server() -> Any:
    with run_in_thread(script(SCRIPT)) as served:
        yield served


@pytest.fixture(autouse=True)
def prices(penguin_home: Path) -> None:
    with (penguin_home / "config.toml").open("a", encoding="utf-8") as config:
        config.write(CONFIG)


async def calls_of(
    project: Path, server: ServerThread, model: str, prompt: str, *, cancel: bool = False
) -> list[Call]:
    """Send ``prompt`` to ``model`` (cancelled once the reply streams, with ``cancel``); the
    calls the turn recorded, as their ``usage`` events say."""
    runtime: Runtime = await open_runtime(project, model=model, api_base=server.base_url)
    try:
        events = runtime.bus.subscribe()
        sending = asyncio.create_task(runtime.engine.send(prompt))
        while cancel:
            cancel = not isinstance(await events.get(), MessageDelta)
            if not cancel:
                runtime.engine.cancel()
        await sending
        found: list[Call] = []
        while (event := events.get_nowait()) is not None:
            if isinstance(event, UsageRecorded):
                found.append(
                    Call(
                        event.model,
                        event.input_tokens,
                        event.output_tokens,
                        event.cache_read_tokens,
                        event.cache_write_tokens,
                        event.reasoning_tokens,
                        event.cost_usd,
                        event.cost_source,
                        event.tokens_source,
                    )
                )
        events.close()
        return found
    finally:
        await runtime.close()


def exact(call: Call, expected: float) -> None:
    assert call.cost_usd is not None
    assert abs(call.cost_usd - expected) <= 1e-9, (call, expected)


async def test_a_plain_call_is_billed_at_the_config_price(project: Path, server: Any) -> None:
    (call,) = await calls_of(project, server, "acct-a", "plain")
    assert (call.input_tokens, call.output_tokens, call.cost_source) == (1000, 200, "config")
    exact(call, bill("acct-a", call))


async def test_cache_reads_and_writes_are_billed_at_their_own_prices(
    project: Path, server: Any
) -> None:
    (call,) = await calls_of(project, server, "acct-a", "cached")
    assert (call.cache_read, call.cache_write) == (600, 200)
    exact(call, (200 * 2.0 + 600 * 0.5 + 200 * 2.5 + 100 * 8.0) / 1e6)
    exact(call, bill("acct-a", call))


async def test_reasoning_tokens_are_counted_once_as_the_output_they_are_part_of(
    project: Path, server: Any
) -> None:
    (call,) = await calls_of(project, server, "acct-a", "reasoning")
    assert (call.output_tokens, call.reasoning) == (300, 200)
    exact(call, (500 * 2.0 + 300 * 8.0) / 1e6)


async def test_each_call_of_a_tool_loop_is_billed(project: Path, server: Any) -> None:
    first, second = await calls_of(project, server, "acct-a", "tools")
    assert [(c.input_tokens, c.output_tokens) for c in (first, second)] == [(700, 40), (900, 25)]
    exact(first, (700 * 2.0 + 40 * 8.0) / 1e6)
    exact(second, (900 * 2.0 + 25 * 8.0) / 1e6)


async def test_a_fallback_is_billed_as_the_model_that_answered(project: Path, server: Any) -> None:
    project_config = project / ".penguin" / "config.toml"
    project_config.parent.mkdir()
    project_config.write_text('[model]\nfallback_models = ["acct-b"]\n', encoding="utf-8")
    (call,) = await calls_of(project, server, "acct-a", "fallback")
    assert (call.model, call.cost_source) == ("acct-b", "config")
    exact(call, (400 * 1.0 + 60 * 4.0) / 1e6)


async def test_an_interrupted_reply_is_billed_on_its_estimate(project: Path) -> None:
    # Paced, so the cancel lands while the reply streams (at full speed it could land while
    # the finished reply is being saved, which is not this scenario).
    with run_in_thread(script(SCRIPT), rate=200) as paced:
        (call,) = await calls_of(project, paced, "acct-a", "interrupted", cancel=True)
    assert (call.tokens_source, call.cost_source) == ("estimate", "estimate")
    assert 0 < call.output_tokens < 4000
    exact(call, bill("acct-a", call))


async def test_a_cost_the_provider_reports_is_used_as_it_is(project: Path, server: Any) -> None:
    (call,) = await calls_of(project, server, "acct-a", "provider")
    assert call.cost_source == "provider"
    exact(call, 0.0123)


async def test_a_model_the_catalog_knows_is_billed_at_its_catalog_prices(
    project: Path, server: Any
) -> None:
    (call,) = await calls_of(project, server, "gpt-4o-mini", "catalog")
    assert (call.cost_source, call.cache_read, call.cache_write) == ("litellm", 300, 100)
    exact(call, catalog_bill("gpt-4o-mini", call))


async def test_a_model_with_no_known_price_costs_nothing_known(project: Path, server: Any) -> None:
    (call,) = await calls_of(project, server, "acct-unknown", "unknown")
    assert (call.cost_usd, call.cost_source) == (None, "unknown")
