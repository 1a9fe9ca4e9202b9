"""The usage report's maths (percentiles, tokens per second, groups), each call's provider and
outcome, and the migration that gives older usage rows their provider and outcome."""

from __future__ import annotations

import sqlite3
import statistics
import time
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from penguin_tui.engine.call_outcome import CallTrail, provider_of
from penguin_tui.llm.target import ModelTarget
from penguin_tui.store import MessageStatus, Store
from penguin_tui.store.models import tokens_per_second
from penguin_tui.store.schema import LATEST_VERSION, MIGRATIONS
from penguin_tui.store.usage_report import CallRow, percentile, summarise

PERFORMANCE_VERSION = next(i for i, m in enumerate(MIGRATIONS, 1) if "outcome" in m)


def test_percentiles_interpolate_between_the_closest_ranks() -> None:
    assert percentile([], 50) is None
    assert percentile([7.0], 95) == 7.0
    assert percentile([1.0, 2.0, 3.0, 4.0], 50) == 2.5
    assert percentile([10.0, 20.0, 30.0, 40.0, 50.0], 95) == pytest.approx(48.0)
    assert percentile([5.0, 1.0, 3.0], 0) == 1.0 and percentile([5.0, 1.0, 3.0], 100) == 5.0


@given(st.lists(st.floats(0, 1e6, allow_nan=False), min_size=2, max_size=40))
def test_percentiles_agree_with_the_standard_library(values: list[float]) -> None:
    assert percentile(values, 50) == pytest.approx(statistics.median(values), abs=1e-6)
    inclusive = statistics.quantiles(values, n=100, method="inclusive")
    assert percentile(values, 95) == pytest.approx(inclusive[94], abs=1e-6)


def test_tokens_per_second_count_only_the_time_after_the_first_token() -> None:
    # 300 tokens streamed in the 1.5 s after a first token at 0.5 s.
    assert tokens_per_second(300, 500.0, 2000.0) == pytest.approx(200.0)
    assert tokens_per_second(300, None, 2000.0) is None  # no first token: nothing streamed
    assert tokens_per_second(0, 500.0, 2000.0) is None
    assert tokens_per_second(5, 800.0, 800.0) is None  # all in one piece: no speed to tell


def row(model: str, outcome: str, cost: float | None, ttft: float | None, out: int) -> CallRow:
    return CallRow(
        session_id="s1",
        project="/p",
        model=model,
        provider="openai",
        branch="main",
        task_id=None,
        outcome=outcome,
        input_tokens=100,
        output_tokens=out,
        cache_read_tokens=10,
        cache_write_tokens=0,
        reasoning_tokens=0,
        cost_usd=cost,
        ttft_ms=ttft,
        duration_ms=1100.0,
        created_at=time.time(),
    )


def test_a_group_sums_its_calls_and_leaves_failures_out_of_the_timings() -> None:
    rows = [
        row("a", "ok", 0.01, 100.0, 100),  # 100 tokens in 1 s
        row("a", "retried", None, 300.0, 160),  # 160 tokens in 0.8 s
        row("a", "failed", 0.0, None, 0),
        row("b", "ok", None, 50.0, 21),
    ]
    a, b = summarise(rows, "model")
    assert (a.calls, a.input_tokens, a.output_tokens, a.cache_read_tokens) == (3, 300, 260, 30)
    assert (a.cost_usd, a.unpriced_calls) == (0.01, 1)
    assert a.failed_calls == 1 and a.failure_rate == pytest.approx(1 / 3)
    assert a.ttft_p50_ms == 200.0 and a.tokens_per_s_p50 == pytest.approx(150.0)
    assert (b.cost_usd, b.unpriced_calls) == (None, 1)  # no known price: n/a, never $0


def target(model: str, api_base: str | None = None) -> ModelTarget:
    return ModelTarget(name=model, litellm_model=model, api_base=api_base)


def test_the_provider_comes_from_the_model_prefix_or_the_api_base() -> None:
    assert provider_of(target("anthropic/claude-sonnet-4")) == "anthropic"
    assert provider_of(target("ollama_chat/llama3", "http://localhost:11434")) == "ollama"
    assert provider_of(target("openai/qwen", "http://127.0.0.1:8000/v1")) == "openai-compatible"
    assert provider_of(target("openai/gpt-4o", "https://api.openai.com/v1")) == "openai"
    assert provider_of(target("gpt-4o-mini")) == "openai"
    assert provider_of(target("claude-3-haiku")) == "anthropic"


def test_the_outcome_says_how_the_call_ended() -> None:
    trail = CallTrail("main", None, (target("a"), target("b")))
    assert trail.outcome(MessageStatus.COMPLETE, failed=False) == "ok"
    trail.retries = 1
    assert trail.outcome(MessageStatus.COMPLETE, failed=False) == "retried"
    trail.fell_back_to = "b"
    assert trail.outcome(MessageStatus.COMPLETE, failed=False) == "fell back"
    assert trail.last_tried(target("a")) == target("b")
    assert trail.outcome(MessageStatus.INTERRUPTED, failed=False) == "interrupted"
    assert trail.outcome(MessageStatus.INTERRUPTED, failed=True) == "failed"
    assert trail.outcome(MessageStatus.ERROR, failed=True) == "failed"


async def test_older_rows_get_their_provider_and_outcome_from_the_migration(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "penguin.db"
    before = PERFORMANCE_VERSION - 1
    monkeypatch.setattr("penguin_tui.store.migrate.MIGRATIONS", MIGRATIONS[:before])
    monkeypatch.setattr("penguin_tui.store.migrate.LATEST_VERSION", before)
    store = await Store.open(path)
    project = await store.ensure_project(tmp_path)
    session = await store.create_session(project.id, "m1")
    await store.close()
    models = ("anthropic/claude-3-5-haiku", "gpt-4o", "claude-3-opus", "ollama/llama3")
    with sqlite3.connect(path) as db:
        for model in models:
            db.execute(
                "INSERT INTO usage (session_id, model, input_tokens, output_tokens, cost_usd,"
                " cost_source, duration_ms, created_at)"
                " VALUES (?, ?, 1, 5, 0.001, 'litellm', 9, ?)",
                (session.id, model, time.time()),
            )
    monkeypatch.undo()

    store = await Store.open(path)
    assert await store.schema_version() == LATEST_VERSION
    rows = await store.usage_rows(session.id)
    await store.close()
    assert [(r.provider, r.outcome, r.branch, r.task_id) for r in rows] == [
        ("anthropic", "ok", "main", None),
        ("openai", "ok", "main", None),
        ("anthropic", "ok", "main", None),
        ("ollama", "ok", "main", None),
    ]
