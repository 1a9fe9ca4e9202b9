"""Typed events and the async EventBus; no Textual, no SQL."""

from penguin_tui.bus.bus import DurableSink, EventBus, Subscription
from penguin_tui.bus.events import (
    ErrorOccurred,
    Event,
    MessageCompleted,
    MessageDelta,
    MessageStarted,
    ReasoningDelta,
    Retrying,
    SessionStarted,
    UsageRecorded,
    parse_event,
)

__all__ = [
    "DurableSink",
    "ErrorOccurred",
    "Event",
    "EventBus",
    "MessageCompleted",
    "MessageDelta",
    "MessageStarted",
    "ReasoningDelta",
    "Retrying",
    "SessionStarted",
    "Subscription",
    "UsageRecorded",
    "parse_event",
]
