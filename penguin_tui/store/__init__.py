"""The aiosqlite store: schema, migrations (PRAGMA user_version), queries; no Textual."""

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
