"""The aiosqlite store: schema, migrations (PRAGMA user_version), queries; no Textual."""

from penguin_tui.store.models import (
    Message,
    MessageStatus,
    Project,
    Role,
    Session,
    SessionSummary,
    UsageRecord,
    UsageTotals,
)
from penguin_tui.store.store import Store

__all__ = [
    "Message",
    "MessageStatus",
    "Project",
    "Role",
    "Session",
    "SessionSummary",
    "Store",
    "UsageRecord",
    "UsageTotals",
]
