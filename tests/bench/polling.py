"""Wait for a condition on the event loop by polling it (the app offers no event to await)."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable

POLL_S = 0.005


async def wait_for(condition: Callable[[], bool], timeout_s: float, what: str) -> None:
    """Return once ``condition()`` is true; ``TimeoutError`` naming ``what`` after the timeout."""
    deadline = time.perf_counter() + timeout_s
    while not condition():
        if time.perf_counter() > deadline:
            raise TimeoutError(f"timed out waiting for {what}")
        await asyncio.sleep(POLL_S)
