"""Stopping a command together with everything it started (its whole process group)."""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import time
from pathlib import Path

TERM_GRACE_S = 1.0
_POLL_S = 0.02
_PROC = Path("/proc")


def group_alive(pgid: int) -> bool:
    """Whether any process of the group is still running.

    Zombies do not count: an orphan killed with its group waits for init to reap it, and some
    container inits never do, so ``killpg(pgid, 0)`` alone would keep reporting it alive.
    """
    try:
        os.killpg(pgid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    if not _PROC.is_dir():
        return True
    return any(_running_in_group(stat_file, pgid) for stat_file in _PROC.glob("[0-9]*/stat"))


def _running_in_group(stat_file: Path, pgid: int) -> bool:
    try:
        text = stat_file.read_text()
    except OSError:
        return False
    # "pid (comm) state ppid pgrp ..."; comm may contain spaces and parentheses.
    fields = text[text.rfind(")") + 2 :].split()
    return len(fields) > 2 and fields[2] == str(pgid) and fields[0] not in ("Z", "X")


def signal_group(pgid: int, signum: signal.Signals) -> None:
    """Send ``signum`` to the group; a group that is already gone is fine."""
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(pgid, signum)


async def stop_group(process: asyncio.subprocess.Process, grace_s: float = TERM_GRACE_S) -> None:
    """SIGTERM the process's group, SIGKILL it after ``grace_s``, and reap the process.

    The process must have been started with ``start_new_session=True`` so that its pid is
    the group id. Returns within about ``grace_s`` + 0.5 s.
    """
    pgid = process.pid
    if group_alive(pgid):
        signal_group(pgid, signal.SIGTERM)
        deadline = time.monotonic() + grace_s
        while time.monotonic() < deadline:
            if not group_alive(pgid):
                break
            await asyncio.sleep(_POLL_S)
        else:
            signal_group(pgid, signal.SIGKILL)
    with contextlib.suppress(TimeoutError):
        await asyncio.wait_for(process.wait(), 0.5)
