"""The async EventBus: one publisher side (the engine), many subscribers (panes, CLI, tests)."""

from __future__ import annotations

import asyncio
import itertools
from collections import deque
from collections.abc import AsyncIterator
from typing import Protocol

from penguin_tui.bus.events import Delta, Event


class DurableSink(Protocol):
    """Where durable events are written before anyone sees them (the store)."""

    async def append_event(self, event: Event) -> None: ...


class Subscription:
    """One subscriber's own queue: the publisher never waits for it.

    Consecutive deltas of the same message merge while they wait, so a slow reader gets
    fewer, larger deltas in the original order and the queue cannot grow with the token rate.
    """

    def __init__(self, bus: EventBus) -> None:
        self._bus = bus
        self._pending: deque[Event] = deque()
        self._ready = asyncio.Event()
        self._closed = False

    def push(self, event: Event) -> None:
        if self._closed:
            return
        if isinstance(event, Delta) and self._pending:
            last = self._pending[-1]
            if isinstance(last, Delta) and last.merges_with(event):
                self._pending[-1] = last.merged(event)
                return
        self._pending.append(event)
        self._ready.set()

    def pending(self) -> int:
        return len(self._pending)

    async def get(self) -> Event:
        """The next event, waiting for one if none is queued."""
        while not self._pending:
            if self._closed:
                raise StopAsyncIteration
            self._ready.clear()
            await self._ready.wait()
        return self._pending.popleft()

    def get_nowait(self) -> Event | None:
        return self._pending.popleft() if self._pending else None

    def close(self) -> None:
        self._closed = True
        self._ready.set()
        self._bus._unsubscribe(self)

    def __aiter__(self) -> AsyncIterator[Event]:
        return self

    async def __anext__(self) -> Event:
        return await self.get()


class EventBus:
    """Stamps events with a monotonic ``seq``, stores durable ones, fans out to subscribers."""

    def __init__(self, sink: DurableSink | None = None, first_seq: int = 1) -> None:
        self._sink = sink
        self._seq = itertools.count(first_seq)
        self._subscribers: list[Subscription] = []
        self._lock = asyncio.Lock()

    def subscribe(self) -> Subscription:
        subscription = Subscription(self)
        self._subscribers.append(subscription)
        return subscription

    def _unsubscribe(self, subscription: Subscription) -> None:
        if subscription in self._subscribers:
            self._subscribers.remove(subscription)

    async def publish(self, event: Event) -> Event:
        """Stamp, persist if durable, then deliver; returns the stamped event."""
        if event.durable and self._sink is not None:
            # The lock keeps seq order equal to store order when durable writes interleave.
            async with self._lock:
                stamped = event.model_copy(update={"seq": next(self._seq)})
                await self._sink.append_event(stamped)
        else:
            stamped = event.model_copy(update={"seq": next(self._seq)})
        for subscription in list(self._subscribers):
            subscription.push(stamped)
        return stamped

    def close(self) -> None:
        for subscription in list(self._subscribers):
            subscription.close()
