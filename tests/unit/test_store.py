"""The SQLite store: migrations, refusals, the message tree, redaction, crash recovery."""

from __future__ import annotations

import asyncio
import sqlite3
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from penguin_tui.bus import ErrorOccurred
from penguin_tui.config import Redactor
from penguin_tui.errors import SessionNotFoundError, StoreError
from penguin_tui.store import MessageStatus, Role, Store, UsageRecord
from penguin_tui.store.schema import LATEST_VERSION, MIGRATIONS


async def open_store(tmp_path: Path, redact: Redactor | None = None) -> Store:
    return await Store.open(tmp_path / "data" / "penguin.db", redact=redact)


async def test_new_database_is_migrated_to_the_latest_schema(tmp_path: Path) -> None:
    store = await open_store(tmp_path)
    assert await store.schema_version() == LATEST_VERSION
    await store.close()
    with sqlite3.connect(tmp_path / "data" / "penguin.db") as db:
        assert db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"


async def test_programs_starting_together_on_a_new_database_all_open_it(tmp_path: Path) -> None:
    # The TUI and a CLI command started at the same moment on a fresh data directory: each
    # reads "schema 0"; only one may migrate, and the other must find the tables, not fail.
    for attempt in range(5):
        path = tmp_path / f"data{attempt}" / "penguin.db"
        stores = await asyncio.gather(*(Store.open(path) for _ in range(4)))
        for store in stores:
            assert await store.schema_version() == LATEST_VERSION
            await store.close()


async def test_newer_schema_is_refused_and_left_untouched(tmp_path: Path) -> None:
    path = tmp_path / "data" / "penguin.db"
    path.parent.mkdir()
    with sqlite3.connect(path) as db:
        db.execute("CREATE TABLE keep (x)")
        db.execute("PRAGMA user_version = 99")
    before = path.read_bytes()
    with pytest.raises(StoreError, match="newer penguin-tui"):
        await Store.open(path)
    assert path.read_bytes() == before


async def test_corrupt_database_is_reported_and_kept(tmp_path: Path) -> None:
    path = tmp_path / "data" / "penguin.db"
    path.parent.mkdir()
    path.write_bytes(b"this is not sqlite" * 100)
    with pytest.raises(StoreError, match="damaged") as raised:
        await Store.open(path)
    assert "\n" not in str(raised.value)
    assert path.read_bytes() == b"this is not sqlite" * 100


async def test_unwritable_data_directory_says_what_to_do(tmp_path: Path) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("x")
    with pytest.raises(StoreError, match="PENGUIN_HOME"):
        await Store.open(blocker / "sub" / "penguin.db")


async def test_migration_from_an_older_schema_backs_up_first(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    store = await open_store(tmp_path)
    project = await store.ensure_project(tmp_path)
    await store.create_session(project.id, "m1")
    await store.close()
    extra = "CREATE TABLE later_feature (id INTEGER PRIMARY KEY);"
    monkeypatch.setattr("penguin_tui.store.migrate.MIGRATIONS", [*MIGRATIONS, extra])
    monkeypatch.setattr("penguin_tui.store.migrate.LATEST_VERSION", LATEST_VERSION + 1)
    store = await open_store(tmp_path)
    assert await store.schema_version() == LATEST_VERSION + 1
    sessions = await store.list_sessions()
    await store.close()
    assert len(sessions) == 1
    backups = list((tmp_path / "data" / "backups").glob("*.db"))
    assert len(backups) == 1
    with sqlite3.connect(backups[0]) as db:
        assert db.execute("PRAGMA user_version").fetchone()[0] == LATEST_VERSION
        assert db.execute("SELECT COUNT(*) FROM sessions").fetchone()[0] == 1


async def test_branch_path_runs_from_root_to_head(tmp_path: Path) -> None:
    store = await open_store(tmp_path)
    project = await store.ensure_project(tmp_path)
    session = await store.create_session(project.id, "m1")
    first = await store.add_message(session.id, None, Role.USER, "one", MessageStatus.COMPLETE)
    second = await store.add_message(
        session.id, first.id, Role.ASSISTANT, "two", MessageStatus.COMPLETE
    )
    path = await store.branch_path(session.id)
    assert [m.content for m in path] == ["one", "two"]
    assert path[-1].id == second.id
    await store.close()


async def test_streaming_replies_left_by_a_crash_become_interrupted(tmp_path: Path) -> None:
    store = await open_store(tmp_path)
    project = await store.ensure_project(tmp_path)
    session = await store.create_session(project.id, "m1")
    reply = await store.add_message(
        session.id, None, Role.ASSISTANT, "half a rep", MessageStatus.STREAMING
    )
    await store.close()  # the "crash": nobody finished the reply
    store = await open_store(tmp_path)
    assert await store.interrupt_streaming() == 1
    kept = await store.get_message(reply.id)
    assert kept.status is MessageStatus.INTERRUPTED
    assert kept.content == "half a rep"
    await store.close()


async def test_secrets_never_reach_the_database_file(tmp_path: Path) -> None:
    secret = "sk-proj-abcdefghijklmnopqrstuvwxyz0123"
    configured = "hunter2-but-longer"
    store = await open_store(tmp_path, Redactor([configured]))
    project = await store.ensure_project(tmp_path)
    session = await store.create_session(project.id, "m1")
    await store.add_message(
        session.id, None, Role.USER, f"key {secret} and {configured}", MessageStatus.COMPLETE
    )
    await store.append_event(ErrorOccurred(session_id=session.id, message=f"bad key {secret}"))
    await store.close()
    raw = b"".join(p.read_bytes() for p in (tmp_path / "data").glob("penguin.db*"))
    assert secret.encode() not in raw
    assert configured.encode() not in raw
    assert b"[REDACTED]" in raw


async def test_usage_totals_show_unknown_cost_as_none_not_zero(tmp_path: Path) -> None:
    store = await open_store(tmp_path)
    project = await store.ensure_project(tmp_path)
    session = await store.create_session(project.id, "m1")

    def usage(cost: float | None) -> UsageRecord:
        return UsageRecord(
            session_id=session.id,
            message_id=None,
            model="m1",
            input_tokens=10,
            output_tokens=5,
            cache_read_tokens=0,
            cache_write_tokens=0,
            reasoning_tokens=0,
            cost_usd=cost,
            cost_source="unknown" if cost is None else "config",
            ttft_ms=1.0,
            duration_ms=2.0,
        )

    await store.record_usage(usage(None))
    totals = await store.session_usage(session.id)
    assert totals.cost_usd is None
    await store.record_usage(usage(0.25))
    totals = await store.session_usage(session.id)
    assert totals.cost_usd == pytest.approx(0.25)
    assert totals.unpriced_calls == 1
    assert totals.input_tokens == 20
    await store.close()


async def test_session_lookup_by_prefix_and_unknown_id(tmp_path: Path) -> None:
    store = await open_store(tmp_path)
    project = await store.ensure_project(tmp_path)
    session = await store.create_session(project.id, "m1")
    assert (await store.get_session(session.id[:6])).id == session.id
    with pytest.raises(SessionNotFoundError, match="sessions list"):
        await store.get_session("zzzz-missing")
    await store.close()


@settings(max_examples=25, deadline=None)
@given(st.lists(st.integers(min_value=0, max_value=50), min_size=1, max_size=25))
def test_every_branch_path_is_the_chain_of_parents(parent_choices: list[int]) -> None:
    """Whatever tree is built, the path to any head follows parent links back to a root."""
    import asyncio
    import tempfile

    async def check() -> None:
        with tempfile.TemporaryDirectory() as folder:
            store = await Store.open(Path(folder) / "p.db")
            project = await store.ensure_project(Path(folder))
            session = await store.create_session(project.id, "m")
            ids: list[str] = []
            parents: dict[str, str | None] = {}
            for index, choice in enumerate(parent_choices):
                parent = ids[choice % len(ids)] if ids and choice % 3 else None
                message = await store.add_message(
                    session.id, parent, Role.USER, f"m{index}", MessageStatus.COMPLETE
                )
                ids.append(message.id)
                parents[message.id] = parent
                path = await store.branch_path(session.id)
                expected: list[str] = []
                cursor: str | None = message.id
                while cursor is not None:
                    expected.append(cursor)
                    cursor = parents[cursor]
                assert [m.id for m in path] == list(reversed(expected))
            await store.close()

    asyncio.run(check())
