"""Typed events and the async EventBus; no Textual, no SQL."""

from penguin_tui.bus.bus import DurableSink, EventBus, Subscription
from penguin_tui.bus.events import (
    ApprovalAnswered,
    ApprovalRequested,
    ContextCompacted,
    ErrorOccurred,
    Event,
    MessageCompleted,
    MessageDelta,
    MessageStarted,
    ModelSwitched,
    ReasoningDelta,
    Retrying,
    SessionStarted,
    ToolCallFinished,
    ToolCallStarted,
    UsageRecorded,
    parse_event,
)

__all__ = [
    "ApprovalAnswered",
    "ApprovalRequested",
    "ContextCompacted",
    "ModelSwitched",
    "ToolCallFinished",
    "ToolCallStarted",
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
