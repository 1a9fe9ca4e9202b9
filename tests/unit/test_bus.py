"""The event bus: durable events stored first, per-subscriber queues, coalescing, JSON."""

from __future__ import annotations

import asyncio

from penguin_tui.bus import (
    ErrorOccurred,
    Event,
    EventBus,
    MessageDelta,
    MessageStarted,
    UsageRecorded,
    parse_event,
)


class RecordingSink:
    def __init__(self, bus_seen: list[Event]) -> None:
        self.stored: list[Event] = []
        self.seen_at_store_time: list[int] = []
        self._bus_seen = bus_seen

    async def append_event(self, event: Event) -> None:
        self.seen_at_store_time.append(len(self._bus_seen))
        self.stored.append(event)


async def test_durable_events_are_stored_before_subscribers_see_them() -> None:
    seen: list[Event] = []
    sink = RecordingSink(seen)
    bus = EventBus(sink=sink)
    subscription = bus.subscribe()
    await bus.publish(ErrorOccurred(session_id="s", message="boom"))
    assert [e.type for e in sink.stored] == ["error"]
    assert sink.seen_at_store_time == [0]
    seen.append(await subscription.get())
    assert seen[0].seq == sink.stored[0].seq


async def test_ephemeral_events_are_not_stored() -> None:
    sink = RecordingSink([])
    bus = EventBus(sink=sink)
    await bus.publish(MessageDelta(session_id="s", message_id="m", text="hi"))
    await bus.publish(MessageStarted(session_id="s", message_id="m", model="x"))
    assert sink.stored == []


async def test_seq_is_monotonic_across_event_kinds() -> None:
    bus = EventBus(first_seq=41)
    subscription = bus.subscribe()
    for index in range(5):
        await bus.publish(MessageDelta(session_id="s", message_id=f"m{index}", text="x"))
    seqs = [(await subscription.get()).seq for _ in range(5)]
    assert seqs == [41, 42, 43, 44, 45]


async def test_slow_subscriber_gets_deltas_merged_in_order_and_never_blocks() -> None:
    bus = EventBus()
    slow = bus.subscribe()
    fast_seen: list[str] = []
    fast = bus.subscribe()

    async def fast_reader() -> None:
        async for event in fast:
            if isinstance(event, MessageDelta):
                fast_seen.append(event.text)

    reader = asyncio.create_task(fast_reader())
    words = [f"w{i} " for i in range(1000)]
    for word in words:
        await bus.publish(MessageDelta(session_id="s", message_id="m", text=word))
        await asyncio.sleep(0)
    await bus.publish(ErrorOccurred(session_id="s", message="end"))
    # The slow reader never read: its queue holds one merged delta and the error.
    assert slow.pending() == 2
    merged = await slow.get()
    assert isinstance(merged, MessageDelta)
    assert merged.text == "".join(words)
    assert merged.tokens == 1000
    assert (await slow.get()).type == "error"
    bus.close()
    await reader
    assert "".join(fast_seen) == "".join(words)


async def test_deltas_of_different_messages_are_not_merged() -> None:
    bus = EventBus()
    subscription = bus.subscribe()
    await bus.publish(MessageDelta(session_id="s", message_id="a", text="1"))
    await bus.publish(MessageDelta(session_id="s", message_id="b", text="2"))
    await bus.publish(MessageDelta(session_id="s", message_id="a", text="3"))
    texts = [getattr(await subscription.get(), "text", "") for _ in range(3)]
    assert texts == ["1", "2", "3"]


def test_events_round_trip_through_one_json_line() -> None:
    event = UsageRecorded(
        session_id="s",
        seq=3,
        message_id="m",
        model="m1",
        input_tokens=10,
        output_tokens=5,
        cost_usd=None,
        cost_source="unknown",
        ttft_ms=12.5,
        duration_ms=40.0,
    )
    line = event.to_json()
    assert "\n" not in line
    back = parse_event(line)
    assert back == event
    assert '"cost_usd":null' in line
