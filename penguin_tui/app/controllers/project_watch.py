"""The workbench's watcher: edits made outside penguin-tui, counted in the browser's title.

What counts is re-derived after every watcher batch (for the paths in it) and every
checkpoint or restore (for all of them; see ``checkpoints/outside_edits.py``): a path stays
"changed outside" only while it differs from the checkpoint the working state comes from, so
the files a revert, undo, switch or merge writes (and the temporary files it writes them
through) are never reported as the user's edits.
"""

from __future__ import annotations

import asyncio
import logging
from typing import TYPE_CHECKING

from penguin_tui.app.event_routes import handles
from penguin_tui.app.workers import background

if TYPE_CHECKING:
    from penguin_tui.app.app import PenguinApp
    from penguin_tui.bus import CheckpointCreated, CheckpointRestored

log = logging.getLogger("penguin_tui.app.watching")


class ProjectWatchController:
    """Follows the project with the watcher and keeps ``outside_changes`` true to the disk."""

    def __init__(self, app: PenguinApp) -> None:
        self.app = app
        # Files edited outside penguin-tui that differ from the current position.
        self.outside_changes: set[str] = set()
        # Paths the watcher reported since the last check.
        self.watched_paths: set[str] = set()
        # The position's tree ``outside_changes`` was worked out against.
        self._checked_tree: str | None = None
        self._stop: asyncio.Event | None = None
        self._check_wanted = asyncio.Event()

    @background("watch")
    async def start(self) -> None:
        """Follow edits made outside penguin-tui: the browser says so, f7 shows them."""
        from penguin_tui.workspace.watch import watch_project

        runtime = self.app.runtime
        if runtime is None or runtime.checkpoints is None or runtime.checkpoints.read_only:
            return
        self._stop = asyncio.Event()
        self._keep_checking()

        async def changed(paths: set[str]) -> None:
            runtime = self.app.runtime
            if runtime is None or runtime.engine.busy:
                return  # the agent's own edits end in its checkpoint
            self.watched_paths |= paths
            self.recheck()

        # penguin-tui's own files, not its whole data folder: the demo's project lives there.
        await watch_project(
            runtime.project_dir, changed, skip=runtime.paths.protected(), stop=self._stop
        )

    def stop(self) -> None:
        """Stop watching (the app is closing)."""
        if self._stop is not None:
            self._stop.set()

    @handles
    def position_moved(self, event: CheckpointCreated | CheckpointRestored) -> None:
        self.recheck()

    def recheck(self) -> None:
        """Ask for the outside edits to be worked out again: after a watcher batch, and after
        every checkpoint or restore (the position, or the files, moved)."""
        self._check_wanted.set()

    @background("outside-edits")
    async def _keep_checking(self) -> None:
        """One check at a time, run again whenever asked while it ran: a burst of events never
        piles up threads, and the last answer always comes from after the last request."""
        while True:
            await self._check_wanted.wait()
            self._check_wanted.clear()
            await self._check()

    async def _check(self) -> None:
        from penguin_tui.checkpoints.git import EMPTY_TREE
        from penguin_tui.errors import PenguinError

        runtime = self.app.runtime
        session = runtime.engine.session if runtime is not None else None
        if runtime is None or runtime.checkpoints is None or session is None:
            return
        service = runtime.checkpoints
        reported = frozenset(self.watched_paths)
        try:
            position = await service.position(session.id)
            tree = position.tree if position is not None else EMPTY_TREE
            if tree == self._checked_tree:
                # Same position: only the paths reported since can have changed their answer.
                kept = {path for path in self.outside_changes if not _within(path, reported)}
                asked = reported
            else:
                # The position (or the files, by a restore) moved: every answer is asked again.
                asked, kept = reported | self.outside_changes, set()
            edited = kept
            if asked:
                edited = kept | await service.edited_files(tree, asked)
        except PenguinError as error:
            log.warning("checking edits made outside failed: %s", error.message)
            return
        # Paths reported while this check ran stay for the next one.
        self.watched_paths -= reported
        self._checked_tree = tree
        self.outside_changes = edited
        from penguin_tui.app.widgets.checkpoints import CheckpointBrowser

        self.app.workbench.query_one(CheckpointBrowser).changed_outside = len(edited)


def _within(path: str, reported: frozenset[str]) -> bool:
    """Whether ``path`` or a folder above it was reported (a folder removed whole comes as
    one event)."""
    while True:
        if path in reported:
            return True
        if "/" not in path:
            return False
        path = path.rsplit("/", 1)[0]
