"""How busy the machine was with other work while the benchmarks ran.

Compares the CPU time the whole machine spent (``/proc/stat``) with the CPU time of this
process and of every child it waited for (``getrusage``): the difference is other processes'
work. The hypervisor's steal time is reported on its own.
"""

from __future__ import annotations

import os
import resource
import time
from dataclasses import dataclass
from pathlib import Path

_TICK_S = 1 / os.sysconf("SC_CLK_TCK")


@dataclass(frozen=True)
class Snapshot:
    wall: float
    busy_s: float
    steal_s: float
    ours_s: float


def _ours() -> float:
    total = 0.0
    for who in (resource.RUSAGE_SELF, resource.RUSAGE_CHILDREN):
        usage = resource.getrusage(who)
        total += usage.ru_utime + usage.ru_stime
    return total


def take() -> Snapshot:
    busy = steal = 0.0
    try:
        fields = Path("/proc/stat").read_text(encoding="utf-8").splitlines()[0].split()[1:]
        ticks = [int(value) for value in fields]
        # user nice system idle iowait irq softirq steal ...
        busy = (ticks[0] + ticks[1] + ticks[2] + ticks[5] + ticks[6]) * _TICK_S
        steal = ticks[7] * _TICK_S if len(ticks) > 7 else 0.0
    except (OSError, ValueError, IndexError):
        pass
    return Snapshot(time.perf_counter(), busy, steal, _ours())


def describe(start: Snapshot, end: Snapshot) -> str:
    """One line: how much CPU other processes (and the hypervisor) took during the run."""
    wall = end.wall - start.wall
    if wall <= 0 or end.busy_s == 0:
        return "unknown (no /proc/stat)"
    cores = os.cpu_count() or 1
    others = max(0.0, (end.busy_s - start.busy_s) - (end.ours_s - start.ours_s))
    steal = end.steal_s - start.steal_s
    span = f"{wall / 60:.0f} minutes" if wall >= 120 else f"{wall:.0f} s"
    return (
        f"other processes used {others:,.0f} CPU-seconds in {span} "
        f"({others / (wall * cores):.0%} of the machine); hypervisor steal {steal:,.0f} s"
    )
