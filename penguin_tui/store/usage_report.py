"""The performance report: every recorded call, grouped (by model, provider, session, branch,
task or local day), with its sums, failure rate and timing percentiles."""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import TYPE_CHECKING, Literal

from penguin_tui.store.models import tokens_per_second

if TYPE_CHECKING:
    from penguin_tui.store.store import Store

Grouping = Literal["model", "provider", "session", "branch", "task", "day"]
GROUPINGS: tuple[Grouping, ...] = ("model", "provider", "session", "branch", "task", "day")

# The names a group's key goes by in JSON, per grouping.
KEY_NAMES: dict[Grouping, tuple[str, ...]] = {
    "model": ("model",),
    "provider": ("provider",),
    "session": ("session_id",),
    "branch": ("session_id", "branch"),
    "task": ("project", "task_id"),
    "day": ("day",),
}

OUTCOMES = ("ok", "retried", "failed", "interrupted", "fell back")


@dataclass(frozen=True)
class CallRow:
    """One recorded call, as the report reads it."""

    session_id: str
    project: str
    model: str
    provider: str
    branch: str
    task_id: str | None
    outcome: str
    input_tokens: int
    output_tokens: int
    cache_read_tokens: int
    cache_write_tokens: int
    reasoning_tokens: int
    cost_usd: float | None
    ttft_ms: float | None
    duration_ms: float
    created_at: float

    @property
    def tokens_per_s(self) -> float | None:
        return tokens_per_second(self.output_tokens, self.ttft_ms, self.duration_ms)

    @property
    def day(self) -> str:
        """The local calendar day the call was made on, ``YYYY-MM-DD``."""
        return datetime.fromtimestamp(self.created_at).date().isoformat()


@dataclass(frozen=True)
class UsageGroup:
    """The calls of one group: sums, how many were unpriced or failed, and timings (TTFT
    percentiles over the calls that had a first token, speed over those that streamed)."""

    key: tuple[str | None, ...]
    calls: int
    input_tokens: int
    output_tokens: int
    cache_read_tokens: int
    cache_write_tokens: int
    reasoning_tokens: int
    cost_usd: float | None
    unpriced_calls: int
    failed_calls: int
    outcomes: dict[str, int]
    ttft_p50_ms: float | None
    ttft_p95_ms: float | None
    tokens_per_s_p50: float | None

    @property
    def failure_rate(self) -> float:
        return self.failed_calls / self.calls if self.calls else 0.0

    @property
    def label(self) -> str:
        """The key as one line: ``main`` of a session shows as ``SESSION/main``."""
        return "/".join(part if part is not None else "(none)" for part in self.key)


def percentile(values: Sequence[float], q: float) -> float | None:
    """The ``q``-th percentile (0-100) by linear interpolation between the closest ranks (as
    numpy's default); None for no values."""
    if not values:
        return None
    ordered = sorted(values)
    position = (len(ordered) - 1) * q / 100
    low = math.floor(position)
    high = math.ceil(position)
    return ordered[low] + (ordered[high] - ordered[low]) * (position - low)


def key_of(row: CallRow, by: Grouping) -> tuple[str | None, ...]:
    """The group ``row`` belongs to."""
    keys: dict[Grouping, Callable[[CallRow], tuple[str | None, ...]]] = {
        "model": lambda r: (r.model,),
        "provider": lambda r: (r.provider,),
        "session": lambda r: (r.session_id,),
        "branch": lambda r: (r.session_id, r.branch),
        "task": lambda r: (r.project, r.task_id),
        "day": lambda r: (r.day,),
    }
    return keys[by](row)


def summarise(rows: Iterable[CallRow], by: Grouping) -> list[UsageGroup]:
    """The groups of ``rows``, in the order of their keys (calls without a task last)."""
    groups: dict[tuple[str | None, ...], list[CallRow]] = {}
    for row in rows:
        groups.setdefault(key_of(row, by), []).append(row)
    ordered = sorted(groups, key=lambda key: tuple((part is None, part or "") for part in key))
    return [_group(key, groups[key]) for key in ordered]


def _group(key: tuple[str | None, ...], rows: list[CallRow]) -> UsageGroup:
    priced = [r.cost_usd for r in rows if r.cost_usd is not None]
    ttfts = [r.ttft_ms for r in rows if r.ttft_ms is not None]
    speeds = [s for r in rows if (s := r.tokens_per_s) is not None]
    outcomes = {name: sum(1 for r in rows if r.outcome == name) for name in OUTCOMES}
    return UsageGroup(
        key=key,
        calls=len(rows),
        input_tokens=sum(r.input_tokens for r in rows),
        output_tokens=sum(r.output_tokens for r in rows),
        cache_read_tokens=sum(r.cache_read_tokens for r in rows),
        cache_write_tokens=sum(r.cache_write_tokens for r in rows),
        reasoning_tokens=sum(r.reasoning_tokens for r in rows),
        cost_usd=math.fsum(priced) if priced else None,
        unpriced_calls=len(rows) - len(priced),
        failed_calls=outcomes["failed"],
        outcomes=outcomes,
        ttft_p50_ms=percentile(ttfts, 50),
        ttft_p95_ms=percentile(ttfts, 95),
        tokens_per_s_p50=percentile(speeds, 50),
    )


def group_json(group: UsageGroup, by: Grouping) -> dict[str, object]:
    """A group as ``usage --json`` prints it (docs/cli.md lists the keys)."""
    document: dict[str, object] = dict(zip(KEY_NAMES[by], group.key, strict=True))
    document.update(
        calls=group.calls,
        input_tokens=group.input_tokens,
        output_tokens=group.output_tokens,
        cache_read_tokens=group.cache_read_tokens,
        cache_write_tokens=group.cache_write_tokens,
        reasoning_tokens=group.reasoning_tokens,
        cost_usd=group.cost_usd,
        unpriced_calls=group.unpriced_calls,
        failed_calls=group.failed_calls,
        failure_rate=group.failure_rate,
        outcomes=group.outcomes,
        ttft_p50_ms=group.ttft_p50_ms,
        ttft_p95_ms=group.ttft_p95_ms,
        tokens_per_s_p50=group.tokens_per_s_p50,
    )
    return document


def local_midnight(day: date) -> float:
    """The timestamp a local calendar day starts at."""
    return time.mktime(datetime(day.year, day.month, day.day).timetuple())


_CALLS = """
    SELECT u.*, p.root AS project FROM usage u
    JOIN sessions s ON s.id = u.session_id JOIN projects p ON p.id = s.project_id
    WHERE (? IS NULL OR s.project_id = ?) AND (? IS NULL OR u.session_id = ?)
        AND u.created_at >= ?
    ORDER BY u.id
"""


async def recorded_calls(
    store: Store,
    *,
    project_id: str | None = None,
    session_id: str | None = None,
    since: float | None = None,
) -> list[CallRow]:
    """The calls of a project (None: of every project) or of one session, from ``since``."""
    rows = await store.query(_CALLS, (project_id, project_id, session_id, session_id, since or 0.0))
    return [
        CallRow(
            session_id=row["session_id"],
            project=row["project"],
            model=row["model"],
            provider=row["provider"],
            branch=row["branch"],
            task_id=row["task_id"],
            outcome=row["outcome"],
            input_tokens=row["input_tokens"],
            output_tokens=row["output_tokens"],
            cache_read_tokens=row["cache_read_tokens"],
            cache_write_tokens=row["cache_write_tokens"],
            reasoning_tokens=row["reasoning_tokens"],
            cost_usd=row["cost_usd"],
            ttft_ms=row["ttft_ms"],
            duration_ms=row["duration_ms"],
            created_at=row["created_at"],
        )
        for row in rows
    ]
