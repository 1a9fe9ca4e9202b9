"""Where Esc may cut a turn short.

A turn's steps that wait on the outside world — the model's stream, a tool (and the user's
answer to its question) — stop at once when the user cancels. The steps between them (the
final save of a reply, a usage row, a checkpoint) always run to their end: a cancel that comes
during one is carried out at the start of the next cancellable step, or not at all when none
is left (the reply had finished). So a cancel never leaves a reply saved halfway, still marked
``streaming``, or escapes the turn as an error.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Iterator
from typing import Any


class TurnCancel:
    """One turn's cancel: asked for by the user, carried out only inside a cancellable step."""

    def __init__(self) -> None:
        self.requested = False
        self._task: asyncio.Task[Any] | None = None
        self._open_steps = 0

    def start(self, task: asyncio.Task[Any]) -> None:
        """A new turn runs in ``task``: nothing is asked yet."""
        self.requested = False
        self._task = task
        self._open_steps = 0

    def request(self) -> None:
        """The user cancels: the step under way stops now, else the next one at its start."""
        self.requested = True
        if self._open_steps and self._task is not None and not self._task.done():
            self._task.cancel()

    @contextlib.contextmanager
    def step(self) -> Iterator[None]:
        """A step the cancel may cut short; one asked for before it cuts it at its start (as
        ``CancelledError``, which the step's owner handles as it would a cancel within)."""
        if self.requested:
            raise asyncio.CancelledError
        self._open_steps += 1
        try:
            yield
        finally:
            self._open_steps -= 1
