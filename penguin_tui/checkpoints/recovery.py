"""Opening a project's checkpoints, and finishing what a crash cut short.

A restore is journaled before its first file is touched and its records are committed with a
token (see ``CheckpointRecords.commit_restore``). At start, and before every snapshot, a
journal whose token is committed is finished; one whose token never was is dropped: the crash
came before any file changed.
"""

from __future__ import annotations

import asyncio
from pathlib import Path

from penguin_tui.checkpoints.locks import InstanceLock, OneAtATime
from penguin_tui.checkpoints.records import CheckpointRecords
from penguin_tui.checkpoints.shadow import RestoreResult, ShadowRepo
from penguin_tui.config.settings import CheckpointSettings
from penguin_tui.errors import CheckpointError, ProjectLockedError, UnsafeProjectError


def check_project_root(root: Path, settings: CheckpointSettings) -> None:
    """Refuse a home directory or ``/`` unless the settings allow it explicitly."""
    resolved = root.resolve()
    if settings.allow_home_or_root:
        return
    if resolved == Path("/") or resolved == Path.home().resolve():
        raise UnsafeProjectError(
            f"checkpoints are off: {resolved} is a home directory or /; open a project folder, "
            "or set [checkpoints] allow_home_or_root = true to snapshot it anyway"
        )


class Recovery:
    """Opens the project (its instance lock, read-only beside another instance) and settles
    the restore a crash or a full disk interrupted; ``recovered`` and ``dropped_restore`` say
    what it found."""

    def __init__(
        self,
        project_id: str,
        records: CheckpointRecords,
        shadow: ShadowRepo,
        instance: InstanceLock,
        gate: OneAtATime,
    ) -> None:
        self.project_id = project_id
        self.records = records
        self.shadow = shadow
        self.instance = instance
        self.gate = gate
        self.recovered: RestoreResult | None = None
        self.dropped_restore = False  # a crash came before a restore's first file

    async def open(self, *, read_only_ok: bool) -> None:
        """Take the project's instance lock and finish any restore a crash interrupted.

        With ``read_only_ok`` a project locked by another instance opens for browsing only;
        without it the lock error is raised.
        """
        try:
            self.instance.acquire()
        except ProjectLockedError:
            if not read_only_ok:
                raise
            self.gate.read_only = True
        if not self.gate.read_only:
            await self._recover()
        elif not (self.shadow.git_dir / "HEAD").exists():
            raise CheckpointError("this project has no checkpoints yet")
        self.shadow.read_only = self.gate.read_only

    async def _recover(self) -> None:
        """At start: settle a restore a crash interrupted, then open the shadow repository."""
        await self.settle()
        opened = await asyncio.to_thread(self.shadow.open)  # creates the repository if needed
        self.recovered = self.recovered or opened
        await self.records.forget_restore_commits(self.project_id)

    async def settle(self) -> None:
        """Finish a journaled restore whose records landed, or drop one whose records never
        did (the crash came before any file was touched). Runs at start and before every
        snapshot, so a restore that stopped mid-way (a full disk) is finished by the next
        checkpoint operation, with what an undo of it needs."""
        if self.gate.read_only or not self.shadow.journal.pending:
            return
        pending = await asyncio.to_thread(self.shadow.journal.read)
        if pending is None:
            return
        commit = await self.records.restore_commit(pending.token) if pending.token else None
        if pending.token and commit is None:
            await asyncio.to_thread(self.shadow.journal.clear)
            self.dropped_restore = True
            return
        if pending.token:
            self.shadow.committed_tokens.add(pending.token)
        finished = await asyncio.to_thread(self.shadow.open)
        self.recovered = finished
        if finished is not None and finished.surfaced and commit and commit.operation_id:
            surfaced = list(finished.surfaced)
            await self.records.add_to_detail(commit.operation_id, {"surfaced": surfaced})

    def notice(self) -> str | None:
        """One line about what the start did with an operation a crash cut short, if any."""
        if self.recovered is not None:
            return (
                f"a restore cut short by a crash was finished ({len(self.recovered.written)}"
                f" written, {len(self.recovered.deleted)} deleted)"
            )
        if self.dropped_restore:
            return (
                "an operation cut short by a crash before it changed any file was dropped;"
                " the files and branches are as they were"
            )
        return None
