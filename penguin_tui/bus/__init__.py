"""Typed events and the async EventBus; no Textual, no SQL.

Names are loaded on first use: importing ``penguin_tui.bus.events`` must not pull in the bus
(and asyncio) too.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from penguin_tui.bus.bus import DurableSink, EventBus, Subscription
    from penguin_tui.bus.events import (
        ApprovalAnswered,
        ApprovalRequested,
        BudgetExceeded,
        BudgetWarning,
        CheckpointCreated,
        CheckpointFailed,
        CheckpointRestored,
        ContextCompacted,
        ErrorOccurred,
        Event,
        MessageCompleted,
        MessageDelta,
        MessageStarted,
        MessageStreamed,
        ModelSwitched,
        ReasoningDelta,
        Retrying,
        RunModeFinished,
        RunModeStarted,
        SessionStarted,
        SnapshotProgress,
        TaskCreated,
        TaskFinished,
        TaskStarted,
        TaskUpdated,
        ToolCallFinished,
        ToolCallStarted,
        UsageRecorded,
        parse_event,
    )

__all__ = [
    "ApprovalAnswered",
    "ApprovalRequested",
    "BudgetExceeded",
    "BudgetWarning",
    "CheckpointCreated",
    "CheckpointFailed",
    "CheckpointRestored",
    "ContextCompacted",
    "SnapshotProgress",
    "TaskCreated",
    "TaskFinished",
    "TaskStarted",
    "TaskUpdated",
    "RunModeFinished",
    "RunModeStarted",
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
    "MessageStreamed",
    "ReasoningDelta",
    "Retrying",
    "SessionStarted",
    "Subscription",
    "UsageRecorded",
    "parse_event",
]

_IN_BUS = frozenset({"DurableSink", "EventBus", "Subscription"})


def __getattr__(name: str) -> Any:
    if name not in __all__:
        raise AttributeError(f"module 'penguin_tui.bus' has no attribute {name!r}")
    module = "bus" if name in _IN_BUS else "events"
    return getattr(import_module(f"penguin_tui.bus.{module}"), name)
