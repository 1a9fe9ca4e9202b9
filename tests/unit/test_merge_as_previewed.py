"""A merge confirmed after its preview is made exactly as previewed, or not at all: real files,
a real shadow git and a real SQLite file."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from penguin_tui.checkpoints.model import CheckpointKind
from penguin_tui.checkpoints.service import CheckpointService
from penguin_tui.errors import CheckpointError
from penguin_tui.store import Store
from tests.conftest import open_checkpoint_service


@pytest.fixture
async def service(tmp_path: Path) -> AsyncIterator[CheckpointService]:
    root = tmp_path / "project"
    root.mkdir()
    (root / "notes.txt").write_text("one\n")
    store = await Store.open(tmp_path / "data" / "penguin.db")
    opened = await open_checkpoint_service(store, root, tmp_path / "data")
    try:
        yield opened
    finally:
        await opened.close()
        await store.close()


async def on_two_branches(service: CheckpointService) -> str:
    """``try-2`` forks from ``base`` and adds extra.txt; back on main. The session's id."""
    root = Path(service.project.root)
    session = (await service.store.create_session(service.project.id, None)).id
    base = await service.create(session, CheckpointKind.MANUAL, "base")
    await service.branch_from(session, base.id, "try-2")
    (root / "extra.txt").write_text("extra\n")
    await service.create(session, CheckpointKind.MANUAL, "theirs")
    await service.switch(session, "main")
    return session


async def test_a_merge_as_previewed_applies_what_the_preview_showed(
    service: CheckpointService,
) -> None:
    session = await on_two_branches(service)
    preview = await service.preview_merge(session, "try-2")
    done = await service.merge_as_previewed(session, preview)
    assert done.changed and done.checkpoint.tree == preview.merged_tree
    assert (Path(service.project.root) / "extra.txt").read_text() == "extra\n"


async def test_a_branch_that_moved_since_the_preview_is_not_merged(
    service: CheckpointService,
) -> None:
    session = await on_two_branches(service)
    preview = await service.preview_merge(session, "try-2")
    root = Path(service.project.root)
    await service.switch(session, "try-2")  # try-2 takes one more change meanwhile
    (root / "later.txt").write_text("later\n")
    await service.create(session, CheckpointKind.MANUAL, "later")
    await service.switch(session, "main")
    rows = await service.checkpoints(session)

    with pytest.raises(CheckpointError, match="the branches changed since the preview"):
        await service.merge_as_previewed(session, preview)
    assert await service.checkpoints(session) == rows
    assert not (root / "extra.txt").exists() and not (root / "later.txt").exists()
