"""Event-loop lag: a task that sleeps 10 ms in a loop and records how late it wakes up."""

from __future__ import annotations

import asyncio
import contextlib
import time

INTERVAL_S = 0.010


class LagProbe:
    """Start it on the loop under test; ``lateness(a, b)`` gives the delays seen in [a, b]."""

    def __init__(self, interval_s: float = INTERVAL_S) -> None:
        self.interval_s = interval_s
        self.samples: list[tuple[float, float, float]] = []  # (slept at, woke at, seconds late)
        self._task: asyncio.Task[None] | None = None

    def start(self) -> None:
        self._task = asyncio.create_task(self._run(), name="lag-probe")

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None

    async def _run(self) -> None:
        while True:
            asleep = time.perf_counter()
            await asyncio.sleep(self.interval_s)
            woke = time.perf_counter()
            self.samples.append((asleep, woke, max(0.0, woke - asleep - self.interval_s)))

    def lateness(self, start: float, end: float) -> list[float]:
        """Delays of the wake-ups whose sleep overlapped [start, end] (perf_counter times)."""
        return [late for asleep, woke, late in self.samples if asleep <= end and woke >= start]
