"""Where a checkpoint operation's time goes: each git child penguin-tui runs, timed.

``traced()`` wraps ``Git.run_raw`` (every git call of the shadow repository goes through it)
for the duration of a ``with`` block; ``describe`` sums a run up by git command.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from subprocess import CompletedProcess

from penguin_tui.checkpoints.git import Git
from tests.bench.stats import median

Calls = list[tuple[str, float]]


@contextmanager
def traced() -> Iterator[Calls]:
    """Record ``(git command, seconds)`` for every git child started inside the block."""
    calls: Calls = []
    original = Git.run_raw

    def run_raw(
        self: Git, *args: str, stdin: bytes | None = None, env: dict[str, str] | None = None
    ) -> CompletedProcess[bytes]:
        started = time.perf_counter()
        try:
            return original(self, *args, stdin=stdin, env=env)
        finally:
            calls.append((args[0] if args else "?", time.perf_counter() - started))

    Git.run_raw = run_raw  # type: ignore[method-assign]
    try:
        yield calls
    finally:
        Git.run_raw = original  # type: ignore[method-assign]


def by_command(calls: Calls, total_s: float) -> dict[str, tuple[float, int]]:
    """Seconds and calls per git command, and the rest (``(outside git)``: Python, file
    writes, pipes to a long-running git such as ``cat-file --batch``, the database)."""
    out: dict[str, tuple[float, int]] = {}
    for command, seconds in calls:
        spent, count = out.get(command, (0.0, 0))
        out[command] = (spent + seconds, count + 1)
    out["(outside git)"] = (max(0.0, total_s - sum(seconds for _, seconds in calls)), 0)
    return out


def describe(runs: list[dict[str, tuple[float, int]]]) -> str:
    """Medians over runs, per git command in the order first seen:
    ``ls-files 85 ms (2 calls), write-tree 10 ms, ...``."""
    names: list[str] = []
    for run in runs:
        names += [name for name in run if name not in names]
    parts = []
    for name in names:
        spent = median([run.get(name, (0.0, 0))[0] for run in runs])
        calls = median([run.get(name, (0.0, 0))[1] for run in runs])
        many = f" ({calls:g} calls)" if calls > 1 else ""
        parts.append(f"{name} {spent * 1000:,.0f} ms{many}")
    return ", ".join(parts)
