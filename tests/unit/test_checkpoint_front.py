"""The service is the one way into a project's checkpoints: diffs, line counts and edits made
outside come through it, so nothing above checkpoints/ reaches the shadow repository."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path

import pytest

from penguin_tui.bus import EventBus
from penguin_tui.checkpoints.model import CheckpointKind, RevertMode
from penguin_tui.checkpoints.service import CheckpointService
from penguin_tui.config.paths import DataPaths
from penguin_tui.config.settings import CheckpointSettings
from penguin_tui.errors import ProjectLockedError
from penguin_tui.store import Store
from tests.conftest import open_checkpoint_service


@pytest.fixture
async def service(tmp_path: Path) -> AsyncIterator[CheckpointService]:
    root, home = tmp_path / "project", tmp_path / "home"
    root.mkdir()
    store = await Store.open(home / "penguin.db")
    service = await open_checkpoint_service(store, root, home)
    yield service
    await service.close()
    await store.close()


async def test_the_service_shows_what_changed_between_two_checkpoints(
    service: CheckpointService,
) -> None:
    root = Path(service.project.root)
    session = (await service.store.create_session(service.project.id, None)).id
    (root / "a.txt").write_text("one\n")
    first = await service.create(session, CheckpointKind.MANUAL, "first")
    (root / "a.txt").write_text("one\ntwo\n")
    second = await service.create(session, CheckpointKind.MANUAL, "second")

    patch = await service.patch(first.tree, second.tree)
    stats = await service.numstat(first.tree, second.tree)

    assert "+two" in patch
    assert [(stat.path, stat.added, stat.removed) for stat in stats] == [("a.txt", 1, 0)]


async def test_the_service_finds_files_edited_outside_since_a_checkpoint(
    service: CheckpointService,
) -> None:
    root = Path(service.project.root)
    session = (await service.store.create_session(service.project.id, None)).id
    (root / "same.txt").write_text("same\n")
    (root / "edited.txt").write_text("before\n")
    made = await service.create(session, CheckpointKind.MANUAL, "made")
    (root / "edited.txt").write_text("after\n")

    edited = await service.edited_files(made.tree, {"same.txt", "edited.txt"})

    assert edited == {"edited.txt"}


async def test_a_service_closed_after_a_failed_open_frees_the_project(tmp_path: Path) -> None:
    root, home = tmp_path / "project", tmp_path / "home"
    root.mkdir()
    store = await Store.open(home / "penguin.db")
    first = await open_checkpoint_service(store, root, home)
    first.close_repository()

    second = await open_checkpoint_service(store, root, home)

    assert not second.read_only
    await second.close()
    await store.close()


async def test_a_read_only_instance_refuses_every_operation_and_changes_nothing(
    service: CheckpointService,
) -> None:
    root = Path(service.project.root)
    session = (await service.store.create_session(service.project.id, None)).id
    (root / "a.txt").write_text("one\n")
    first = await service.create(session, CheckpointKind.MANUAL, "first")
    await service.branch_from(session, first.id, "other")
    (root / "a.txt").write_text("two\n")
    await service.create(session, CheckpointKind.MANUAL, "second")
    home = Path(service.paths.root)
    beside = CheckpointService(
        service.store,
        EventBus(sink=service.store),
        CheckpointSettings(),
        service.project,
        DataPaths(root=home, config_dir=home),
    )
    await beside.open(allow_read_only=True)
    operations: list[Callable[[], Awaitable[object]]] = [
        lambda: beside.create(session, CheckpointKind.MANUAL, "refused"),
        lambda: beside.revert(session, first.id, RevertMode.BOTH),
        lambda: beside.undo(session),
        lambda: beside.redo(session),
        lambda: beside.branch_from(session, first.id, "refused"),
        lambda: beside.switch(session, "main"),
        lambda: beside.merge(session, "main"),
    ]

    for operation in operations:
        with pytest.raises(ProjectLockedError, match="this one is read-only"):
            await operation()

    assert beside.read_only
    assert (root / "a.txt").read_text() == "two\n"
    assert len(await service.checkpoints(session)) == 3
    await beside.close()
