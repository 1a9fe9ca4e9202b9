"""Usage rows in the store: whether a call's tokens were the provider's or an estimate."""

from __future__ import annotations

import sqlite3
import time
from pathlib import Path

import pytest

from penguin_tui.store import Store, UsageRecord
from penguin_tui.store.schema import LATEST_VERSION, MIGRATIONS

TOKENS_SOURCE_VERSION = next(i for i, m in enumerate(MIGRATIONS, 1) if "tokens_source" in m)


def call(session_id: str, tokens_source: str, cost_source: str) -> UsageRecord:
    return UsageRecord(
        session_id=session_id,
        message_id=None,
        model="m1",
        input_tokens=1500,
        output_tokens=12,
        cache_read_tokens=0,
        cache_write_tokens=0,
        reasoning_tokens=0,
        cost_usd=None,
        cost_source=cost_source,
        ttft_ms=None,
        duration_ms=900.0,
        tokens_source=tokens_source,
    )


async def test_usage_rows_keep_whether_the_tokens_were_estimated(tmp_path: Path) -> None:
    store = await Store.open(tmp_path / "penguin.db")
    project = await store.ensure_project(tmp_path)
    session = await store.create_session(project.id, "m1")
    await store.record_usage(call(session.id, "estimate", "unknown"))
    await store.record_usage(call(session.id, "provider", "unknown"))
    rows = await store.usage_rows(session.id)
    await store.close()
    assert [row.tokens_source for row in rows] == ["estimate", "provider"]


async def test_older_estimated_rows_are_marked_estimate_by_the_migration(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "penguin.db"
    before = TOKENS_SOURCE_VERSION - 1
    monkeypatch.setattr("penguin_tui.store.migrate.MIGRATIONS", MIGRATIONS[:before])
    monkeypatch.setattr("penguin_tui.store.migrate.LATEST_VERSION", before)
    store = await Store.open(path)
    project = await store.ensure_project(tmp_path)
    session = await store.create_session(project.id, "m1")
    await store.close()
    with sqlite3.connect(path) as db:
        for cost_source in ("estimate", "litellm"):
            db.execute(
                "INSERT INTO usage (session_id, model, input_tokens, output_tokens, cost_usd,"
                " cost_source, duration_ms, created_at) VALUES (?, 'm1', 1, 5, 0.001, ?, 9, ?)",
                (session.id, cost_source, time.time()),
            )
    monkeypatch.undo()

    store = await Store.open(path)
    assert await store.schema_version() == LATEST_VERSION
    rows = await store.usage_rows(session.id)
    await store.close()
    assert [(r.cost_source, r.tokens_source) for r in rows] == [
        ("estimate", "estimate"),
        ("litellm", "provider"),
    ]
