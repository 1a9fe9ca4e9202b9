"""The aiosqlite store: schema, migrations (PRAGMA user_version), queries; no Textual.

The records are plain dataclasses, imported at once; ``Store`` (and with it aiosqlite) is
loaded on first use, so a module that only needs a record does not open the database layer.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

from penguin_tui.store.models import (
    AuditEntry,
    Message,
    MessageStatus,
    Project,
    Role,
    Session,
    SessionSummary,
    ToolCallRequest,
    UsageRecord,
    UsageTotals,
)

if TYPE_CHECKING:
    from penguin_tui.store.store import Store

__all__ = [
    "AuditEntry",
    "Message",
    "MessageStatus",
    "Project",
    "Role",
    "Session",
    "SessionSummary",
    "Store",
    "ToolCallRequest",
    "UsageRecord",
    "UsageTotals",
]


def __getattr__(name: str) -> Any:
    if name != "Store":
        raise AttributeError(f"module 'penguin_tui.store' has no attribute {name!r}")
    return import_module("penguin_tui.store.store").Store
