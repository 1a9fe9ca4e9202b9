"""An operation's records and its files move together: never files without records or the
reverse, whatever fails in between."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from penguin_tui.checkpoints.journal import RestorePlan, TreeEntry
from penguin_tui.checkpoints.model import (
    Checkpoint,
    CheckpointKind,
    OperationKind,
    OperationState,
    RevertMode,
)
from penguin_tui.checkpoints.service import CheckpointService
from penguin_tui.errors import StoreError
from penguin_tui.store import Store
from tests.conftest import open_checkpoint_service


@dataclass
class Project:
    """A project with two checkpoints: ``a.txt`` holds "one", then "two"."""

    root: Path
    home: Path
    store: Store
    service: CheckpointService
    session: str
    first: Checkpoint
    second: Checkpoint


@pytest.fixture
async def project(tmp_path: Path) -> AsyncIterator[Project]:
    root, home = tmp_path / "project", tmp_path / "home"
    root.mkdir()
    store = await Store.open(home / "penguin.db")
    service = await open_checkpoint_service(store, root, home)
    session = (await store.create_session(service.project.id, None)).id
    (root / "a.txt").write_text("one")
    first = await service.create(session, CheckpointKind.MANUAL, "first")
    (root / "a.txt").write_text("two")
    second = await service.create(session, CheckpointKind.MANUAL, "second")
    project = Project(root, home, store, service, session, first, second)
    yield project
    await project.service.close()  # a test may have reopened it
    await store.close()


async def test_a_revert_whose_records_cannot_be_saved_changes_no_file(
    project: Project, monkeypatch: pytest.MonkeyPatch
) -> None:
    saving = project.store.transaction

    async def full_disk(
        statements: list[tuple[str, tuple[Any, ...]]], durable: bool = False
    ) -> None:
        if any("restore_commits" in sql for sql, _params in statements):
            raise StoreError("the disk is full")
        await saving(statements, durable=durable)

    monkeypatch.setattr(project.store, "transaction", full_disk)
    with pytest.raises(StoreError):
        await project.service.revert(project.session, project.first.id, RevertMode.BOTH)

    assert (project.root / "a.txt").read_text() == "two"
    assert not project.service.shadow.journal.pending
    assert (
        await project.service.records.last_operation(project.session, OperationState.DONE) is None
    )
    position = await project.service.position(project.session)
    assert position is not None and position.kind is CheckpointKind.SAFETY


async def test_a_journal_whose_records_never_landed_is_dropped_at_the_next_start(
    project: Project,
) -> None:
    """A crash between the journal and the records: the next start drops the journal and
    says so; no file is written and nothing became undoable."""
    entries = project.service.shadow.tree_entries(project.first.tree)
    plan = RestorePlan(
        target=project.first.tree,
        before=project.second.tree,
        writes=[("a.txt", TreeEntry(entries["a.txt"].mode, entries["a.txt"].sha))],
        deletes=[],
        token="never-committed",
    )
    project.service.shadow.journal.write(plan)
    await project.service.close()

    again = await open_checkpoint_service(project.store, project.root, project.home)
    try:
        assert again.dropped_restore and again.recovered is None
        assert again.recovery_notice() is not None
        assert "dropped" in (again.recovery_notice() or "")
        assert (project.root / "a.txt").read_text() == "two"
        assert not again.shadow.journal.pending
        assert await again.records.last_operation(project.session, OperationState.DONE) is None
    finally:
        project.service = again


async def test_a_revert_stopped_mid_way_is_finished_by_the_next_operation_and_undoable(
    project: Project, monkeypatch: pytest.MonkeyPatch
) -> None:
    def disk_full(*_args: object, **_kwargs: object) -> None:
        raise OSError(28, "No space left on device")

    with monkeypatch.context() as patched:
        patched.setattr("penguin_tui.checkpoints.restoring.write_entry", disk_full)
        with pytest.raises(Exception, match="restore stopped"):
            await project.service.revert(project.session, project.first.id, RevertMode.CODE)
    assert (project.root / "a.txt").read_text() == "two"  # nothing written yet
    assert project.service.shadow.journal.pending

    await project.service.create(project.session, CheckpointKind.MANUAL, "after the disk")
    assert (project.root / "a.txt").read_text() == "one", "the next operation finishes it"
    assert not project.service.shadow.journal.pending

    await project.service.undo(project.session)
    assert (project.root / "a.txt").read_text() == "two"


async def test_a_merged_file_this_sides_gitignore_ignores_is_on_disk_but_not_checkpointed(
    project: Project,
) -> None:
    """The merge writes the other branch's file, but its checkpoint (and every snapshot
    after it) holds what a snapshot sees: this side's .gitignore ignores the file."""
    service, session, root = project.service, project.session, project.root
    await service.branch_from(session, project.second.id, "idea")
    (root / "build").mkdir()
    (root / "build" / "gen.js").write_text("generated on the idea branch\n")
    await service.create(session, CheckpointKind.MANUAL, "idea: gen.js")
    await service.switch(session, "main")
    (root / ".gitignore").write_text("build/\n")
    await service.create(session, CheckpointKind.MANUAL, "main: ignore build/")

    merged = await service.merge(session, "idea")

    assert (root / "build" / "gen.js").read_text() == "generated on the idea branch\n"
    assert "build/gen.js" not in service.shadow.tree_entries(merged.checkpoint.tree)
    later = await service.create(session, CheckpointKind.MANUAL, "later")
    assert "build/gen.js" not in service.shadow.tree_entries(later.tree)
    assert later.tree == merged.checkpoint.tree  # nothing else changed: no phantom change
    await service.undo(session)
    assert not (root / "build" / "gen.js").exists(), "undo takes back what the merge wrote"


@pytest.mark.parametrize("ticks", [0, 1, 3, 10, 30])
async def test_a_revert_whose_caller_stops_waiting_still_finishes_whole(
    project: Project, ticks: int
) -> None:
    """A new action in the TUI cancels the one running (ctrl+c does the same headless): the
    revert goes on to its end, files and records together, and the next operation waits."""
    reverting = asyncio.ensure_future(
        project.service.revert(project.session, project.first.id, RevertMode.CODE)
    )
    for _ in range(ticks):
        await asyncio.sleep(0)
    reverting.cancel()
    with contextlib.suppress(asyncio.CancelledError):
        await reverting
    # The next operation waits for the revert; then it is either whole or (cancelled before
    # it began) not there at all.
    await project.service.create(project.session, CheckpointKind.MANUAL, "after")
    done = await project.service.records.last_operation(project.session, OperationState.DONE)
    assert not project.service.shadow.journal.pending
    if done is None:
        assert ticks == 0 and (project.root / "a.txt").read_text() == "two"
        return
    assert (project.root / "a.txt").read_text() == "one"
    await project.service.undo(project.session)
    assert (project.root / "a.txt").read_text() == "two"


async def test_a_transaction_whose_caller_stops_waiting_leaves_the_store_usable(
    project: Project,
) -> None:
    statement = ("UPDATE sessions SET title = ? WHERE id = ?", ("cancelled", project.session))
    writing = asyncio.ensure_future(project.store.transaction([statement]))
    await asyncio.sleep(0)
    writing.cancel()
    with contextlib.suppress(asyncio.CancelledError):
        await writing
    await project.store.transaction(
        [("UPDATE sessions SET title = ? WHERE id = ?", ("after", project.session))]
    )
    rows = await project.store.query("SELECT title FROM sessions WHERE id = ?", (project.session,))
    assert rows[0]["title"] == "after"


async def test_an_operation_reads_back_as_a_revert_done_then_undone_stored_in_words(
    project: Project,
) -> None:
    """An operation's kind and state are enums in the program, the same words in the table."""
    await project.service.revert(project.session, project.first.id, RevertMode.BOTH)
    done = await project.service.records.last_operation(project.session, OperationState.DONE)
    assert done is not None
    assert (done.kind, done.state) == (OperationKind.REVERT, OperationState.DONE)
    assert await _stored_operations(project) == [("revert", "done")]

    await project.service.undo(project.session)
    undone = await project.service.records.last_operation(project.session, OperationState.UNDONE)
    assert undone is not None
    assert (undone.kind, undone.state) == (OperationKind.REVERT, OperationState.UNDONE)
    assert await _stored_operations(project) == [("revert", "undone")]


async def _stored_operations(project: Project) -> list[tuple[str, str]]:
    rows = await project.store.query("SELECT kind, state FROM checkpoint_ops ORDER BY id")
    return [(row["kind"], row["state"]) for row in rows]
