"""Retention: manual and safety checkpoints are kept; automatic ones are thinned by age.

Policy (``[checkpoints]`` in config): every automatic checkpoint younger than
``keep_all_auto_hours`` is kept; older ones keep the newest of each day until
``keep_daily_auto_days``; older still are dropped. A checkpoint that is a branch's position or
part of an undoable operation is never dropped. The trees no checkpoint holds any more are
let go, and git collects the garbage in the background at most once a day.
"""

from __future__ import annotations

import asyncio
import time

from penguin_tui.checkpoints.locks import OneAtATime
from penguin_tui.checkpoints.records import CheckpointRecords
from penguin_tui.checkpoints.shadow import GC_MARKER, ShadowRepo
from penguin_tui.config.settings import CheckpointSettings

DAY_S = 24 * 3600
GC_EVERY_S = DAY_S


def choose_dropped(
    auto: list[tuple[str, float]], protected: set[str], settings: CheckpointSettings, now: float
) -> list[str]:
    """The ids (from ``(id, created_at)`` of automatic checkpoints) the policy drops."""
    keep_all_after = now - settings.keep_all_auto_hours * 3600
    keep_daily_after = now - settings.keep_daily_auto_days * DAY_S
    newest_of_day: dict[int, tuple[float, str]] = {}
    for checkpoint_id, created in auto:
        if keep_daily_after <= created < keep_all_after:
            day = int(created // DAY_S)
            if day not in newest_of_day or created > newest_of_day[day][0]:
                newest_of_day[day] = (created, checkpoint_id)
    daily = {checkpoint_id for _created, checkpoint_id in newest_of_day.values()}
    dropped = []
    for checkpoint_id, created in auto:
        if created >= keep_all_after or checkpoint_id in protected or checkpoint_id in daily:
            continue
        dropped.append(checkpoint_id)
    return dropped


async def thin(
    records: CheckpointRecords,
    settings: CheckpointSettings,
    project_id: str,
    now: float | None = None,
) -> int:
    """Drop the project's automatic checkpoints its policy no longer keeps; returns how many.
    Other projects are left to their own policy (a project's config may set its own)."""
    moment = time.time() if now is None else now
    auto = await records.auto_checkpoints(project_id)
    dropped = choose_dropped(auto, await records.protected_ids(), settings, moment)
    await records.delete(dropped)
    return len(dropped)


class Retention:
    """Thins one project's automatic checkpoints and collects its shadow repository's
    garbage."""

    def __init__(
        self,
        records: CheckpointRecords,
        shadow: ShadowRepo,
        settings: CheckpointSettings,
        project_id: str,
        gate: OneAtATime,
    ) -> None:
        self.records = records
        self.shadow = shadow
        self.settings = settings
        self.project_id = project_id
        self.gate = gate
        self._gc_task: asyncio.Task[None] | None = None

    async def apply(self, now: float | None = None) -> int:
        """Thin old automatic checkpoints; collect the shadow repository's garbage in the
        background at most once a day. Returns how many checkpoints were dropped."""
        if self.gate.read_only:
            return 0
        async with self.gate.lock:
            dropped = await thin(self.records, self.settings, self.project_id, now or time.time())
            if dropped:
                used = await self.records.all_trees()
                kept = await asyncio.to_thread(self.shadow.kept_trees)
                await asyncio.to_thread(
                    self.shadow.forget, [f"trees/{tree}" for tree in kept - used]
                )
        marker = self.shadow.git_dir / GC_MARKER
        try:
            last = marker.stat().st_mtime
        except FileNotFoundError:
            last = 0.0
        if dropped or time.time() - last > GC_EVERY_S:
            marker.touch()
            self._gc_task = asyncio.create_task(asyncio.to_thread(self.shadow.gc))
        return dropped

    async def finish(self) -> None:
        """Wait for a garbage collection still running."""
        if self._gc_task is not None:
            await asyncio.gather(self._gc_task, return_exceptions=True)
