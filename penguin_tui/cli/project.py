"""Opening a project for one ``checkpoints`` or ``branches`` command, and the session it acts
on: the project's latest session, or ``--session``.

Reading commands open the project read-only when another instance holds it; commands that move
code or conversation need its lock, and fail with the lock's message when they cannot have it.
After a command that changed something, old checkpoints are thinned and an over-quota store is
said on stderr.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import TYPE_CHECKING

from penguin_tui.bus import SnapshotProgress, Subscription
from penguin_tui.errors import CheckpointError
from penguin_tui.formatting import size
from penguin_tui.store import Project, Store

if TYPE_CHECKING:
    from penguin_tui.checkpoints.service import CheckpointService


NO_SESSION = (
    "this project has no session yet, so no checkpoints; "
    "`penguin-tui checkpoints create` takes the first one"
)


@dataclass(frozen=True)
class OpenProject:
    """A project's checkpoints, opened for one command, and the session the command acts on."""

    service: CheckpointService
    session_id: str | None

    @property
    def session(self) -> str:
        if self.session_id is None:
            raise CheckpointError(NO_SESSION)
        return self.session_id


async def _pick_session(
    store: Store, project: Project, wanted: str | None, *, create: bool, model: str | None
) -> str | None:
    """``--session`` (which must be this project's), else the project's latest session, else
    a new one when ``create`` (for ``checkpoints create``) or None."""
    if wanted:
        session = await store.get_session(wanted)
        if session.project_id != project.id:
            raise CheckpointError(
                f"session {session.id} belongs to another project; "
                "give that project's folder with -C DIR"
            )
        return session.id
    latest = await store.latest_session(project.id)
    if latest is not None:
        return latest.id
    if not create:
        return None
    return (await store.create_session(project.id, model)).id


@asynccontextmanager
async def open_project(
    options: argparse.Namespace, *, write: bool, create_session: bool = False
) -> AsyncIterator[OpenProject]:
    """Open the project for a command; after a command that changed something, thin old
    checkpoints and warn when the store is over its quota."""
    from penguin_tui.runtime import open_runtime

    runtime = await open_runtime(options.directory, read_only_ok=not write)
    progress = asyncio.create_task(_print_progress(runtime.bus.subscribe()))
    try:
        service = runtime.checkpoints
        if service is None:
            raise CheckpointError(runtime.checkpoint_notice or "checkpoints are off")
        if notice := service.recovery_notice():
            print(f"penguin-tui: {notice}", file=sys.stderr, flush=True)
        session_id = await _pick_session(
            runtime.store,
            service.project,
            options.session,
            create=create_session,
            model=runtime.engine.model_name,
        )
        yield OpenProject(service, session_id)
        if write:
            await _apply_retention(service)
    finally:
        progress.cancel()
        await runtime.close()


async def _print_progress(events: Subscription) -> None:
    """A long snapshot says what it is doing on stderr (the first one of a big tree)."""
    async for event in events:
        if isinstance(event, SnapshotProgress):
            print(f"penguin-tui: {event.text}…", file=sys.stderr, flush=True)


async def _apply_retention(service: CheckpointService) -> None:
    await service.apply_retention()
    storage = await service.storage()
    if storage.over_quota:
        print(
            f"penguin-tui: warning: the checkpoint store is {size(storage.bytes)}, over its "
            f"quota of {size(storage.quota_bytes)}; raise [checkpoints] quota_mb or "
            "shorten the retention",
            file=sys.stderr,
            flush=True,
        )
