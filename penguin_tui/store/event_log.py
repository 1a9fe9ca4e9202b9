"""Durable events as they were published: one JSON line (redacted) per event, in ``seq`` order."""

from __future__ import annotations

from typing import TYPE_CHECKING

from penguin_tui.store.database import Database, Redact

if TYPE_CHECKING:
    from penguin_tui.bus.events import Event


class EventLog:
    """Reads and writes the events table through the one connection."""

    def __init__(self, db: Database, redact: Redact) -> None:
        self._db = db
        self._redact = redact

    async def append_event(self, event: Event) -> None:
        """Persist a durable event (redacted) before the bus delivers it."""
        await self._db.write(
            "INSERT INTO events (session_id, seq, type, payload, ts) VALUES (?, ?, ?, ?, ?)",
            (event.session_id, event.seq, event.type, self._redact(event.to_json()), event.ts),
        )

    async def max_event_seq(self) -> int:
        rows = await self._db.rows("SELECT COALESCE(MAX(seq), 0) AS seq FROM events")
        return int(rows[0]["seq"])

    async def event_payloads(self, session_id: str) -> list[str]:
        rows = await self._db.rows(
            "SELECT payload FROM events WHERE session_id = ? ORDER BY seq", (session_id,)
        )
        return [row["payload"] for row in rows]
