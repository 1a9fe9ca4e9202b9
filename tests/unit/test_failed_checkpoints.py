"""An automatic checkpoint that failed is remembered for its own session, until that session
takes one: real files, a real shadow git and a real SQLite file; the failure is a snapshot
that raises once, as a full disk makes it."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from pathlib import Path

import pytest

from penguin_tui.checkpoints.model import CheckpointKind
from penguin_tui.checkpoints.service import CheckpointService
from penguin_tui.checkpoints.shadow import ShadowRepo, Snapshot
from penguin_tui.errors import CheckpointError
from penguin_tui.store import Store
from tests.conftest import open_checkpoint_service


@dataclass
class Project:
    """A project, its checkpoint service and two sessions on it."""

    root: Path
    home: Path
    store: Store
    service: CheckpointService
    first: str
    second: str

    async def reopen(self) -> None:
        """As the next ``penguin-tui run`` does: a new service reads what is pending."""
        await self.service.close()
        self.service = await open_checkpoint_service(self.store, self.root, self.home)

    async def labels(self, session_id: str) -> list[str]:
        return [c.label for c in await self.service.checkpoints(session_id)]


@pytest.fixture
async def project(tmp_path: Path) -> AsyncIterator[Project]:
    root = tmp_path / "project"
    root.mkdir()
    (root / "main.py").write_text("print('hello')\n")
    home = tmp_path / "data"
    store = await Store.open(home / "penguin.db")
    service = await open_checkpoint_service(store, root, home)
    opened = Project(root, home, store, service, "", "")
    try:
        for name in ("first", "second"):
            session = (await store.create_session(service.project.id, None)).id
            setattr(opened, name, session)
            await service.create(session, CheckpointKind.MANUAL, "start")
        yield opened
    finally:
        await opened.service.close()
        await store.close()


def disk_full_once(monkeypatch: pytest.MonkeyPatch) -> None:
    """The next snapshot fails as on a full disk; the ones after it work."""
    real: Callable[..., Snapshot] = ShadowRepo.snapshot
    failed = False

    def snapshot(self: ShadowRepo, progress: Callable[[str], None] | None = None) -> Snapshot:
        nonlocal failed
        if not failed:
            failed = True
            raise CheckpointError("git update-index failed: disk full")
        return real(self, progress)

    monkeypatch.setattr(ShadowRepo, "snapshot", snapshot)


async def test_a_failed_checkpoint_with_nothing_changed_since_adds_no_empty_row(
    project: Project, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The turn changed no file (or its change was undone by hand): the last checkpoint holds
    the files, so the retry only forgets the failure instead of adding a '0 files' row."""
    disk_full_once(monkeypatch)
    assert await project.service.after_turn(project.first, "look around") is None
    assert project.service.failure(project.first) is not None

    assert await project.service.capture_outside_edits(project.first) is None
    assert await project.labels(project.first) == ["start"]
    assert project.service.failure(project.first) is None
    await project.reopen()
    assert project.service.failure(project.first) is None  # forgotten on disk too


async def test_a_checkpoint_in_another_session_leaves_this_sessions_failure_to_retry(
    project: Project, monkeypatch: pytest.MonkeyPatch
) -> None:
    (project.root / "made.py").write_text("made by the turn\n")
    disk_full_once(monkeypatch)
    await project.service.after_turn(project.first, "make it")

    await project.service.create(project.second, CheckpointKind.MANUAL, "elsewhere")
    assert project.service.failure(project.first) is not None

    retried = await project.service.capture_outside_edits(project.first)
    assert retried is not None and retried.label == "make it (retried)"
    assert retried.files_changed == 1
    assert project.service.failure(project.first) is None


async def test_failures_in_two_sessions_are_each_retried_in_their_own_after_a_restart(
    project: Project, monkeypatch: pytest.MonkeyPatch
) -> None:
    (project.root / "one.py").write_text("1\n")
    disk_full_once(monkeypatch)
    await project.service.after_turn(project.first, "write one")
    (project.root / "two.py").write_text("2\n")
    disk_full_once(monkeypatch)
    await project.service.after_turn(project.second, "write two")

    await project.reopen()
    first = await project.service.capture_outside_edits(project.first)
    second = await project.service.capture_outside_edits(project.second)
    assert first is not None and first.label == "write one (retried)"
    assert second is not None and second.label == "write two (retried)"
    assert project.service.failure(project.first) is None
    assert project.service.failure(project.second) is None
