"""Retention: manual and safety checkpoints are kept; automatic ones are thinned by age.

Policy (``[checkpoints]`` in config): every automatic checkpoint younger than
``keep_all_auto_hours`` is kept; older ones keep the newest of each day until
``keep_daily_auto_days``; older still are dropped. A checkpoint that is a branch's position or
part of an undoable operation is never dropped.
"""

from __future__ import annotations

import time

from penguin_tui.checkpoints.records import CheckpointRecords
from penguin_tui.config.settings import CheckpointSettings

DAY_S = 24 * 3600


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
