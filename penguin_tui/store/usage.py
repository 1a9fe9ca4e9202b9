"""The usage table: one row per LLM call (tokens, dollars, timings) and its sums."""

from __future__ import annotations

import time

from penguin_tui.store.database import Database
from penguin_tui.store.models import UsageRecord, UsageTotals


def totals(
    calls: int, input_tokens: int, output_tokens: int, cost: float | None, unpriced: int
) -> UsageTotals:
    """Sums of usage rows; the cost is None when no call had a known price."""
    return UsageTotals(
        calls=calls,
        input_tokens=input_tokens,
        output_tokens=output_tokens,
        cost_usd=None if (calls and unpriced == calls) else (cost or 0.0 if calls else None),
        unpriced_calls=unpriced,
    )


class UsageLog:
    """Reads and writes the usage rows through the one connection."""

    def __init__(self, db: Database) -> None:
        self._db = db

    async def record_usage(self, usage: UsageRecord) -> None:
        await self._db.write(
            "INSERT INTO usage (session_id, message_id, model, input_tokens, output_tokens,"
            " cache_read_tokens, cache_write_tokens, reasoning_tokens, cost_usd, cost_source,"
            " tokens_source, ttft_ms, duration_ms, created_at, provider, outcome, branch,"
            " task_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (
                usage.session_id,
                usage.message_id,
                usage.model,
                usage.input_tokens,
                usage.output_tokens,
                usage.cache_read_tokens,
                usage.cache_write_tokens,
                usage.reasoning_tokens,
                usage.cost_usd,
                usage.cost_source,
                usage.tokens_source,
                usage.ttft_ms,
                usage.duration_ms,
                time.time(),
                usage.provider,
                usage.outcome,
                usage.branch,
                usage.task_id,
            ),
        )

    async def usage_rows(self, session_id: str) -> list[UsageRecord]:
        rows = await self._db.rows(
            "SELECT * FROM usage WHERE session_id = ? ORDER BY id", (session_id,)
        )
        return [
            UsageRecord(
                session_id=row["session_id"],
                message_id=row["message_id"],
                model=row["model"],
                input_tokens=row["input_tokens"],
                output_tokens=row["output_tokens"],
                cache_read_tokens=row["cache_read_tokens"],
                cache_write_tokens=row["cache_write_tokens"],
                reasoning_tokens=row["reasoning_tokens"],
                cost_usd=row["cost_usd"],
                cost_source=row["cost_source"],
                ttft_ms=row["ttft_ms"],
                duration_ms=row["duration_ms"],
                tokens_source=row["tokens_source"],
                provider=row["provider"],
                outcome=row["outcome"],
                branch=row["branch"],
                task_id=row["task_id"],
            )
            for row in rows
        ]

    async def session_usage(self, session_id: str) -> UsageTotals:
        rows = await self._db.rows(
            "SELECT COUNT(*) AS calls, COALESCE(SUM(input_tokens), 0) AS i,"
            " COALESCE(SUM(output_tokens), 0) AS o, SUM(cost_usd) AS cost,"
            " SUM(CASE WHEN cost_usd IS NULL THEN 1 ELSE 0 END) AS unpriced"
            " FROM usage WHERE session_id = ?",
            (session_id,),
        )
        row = rows[0]
        return totals(row["calls"], row["i"], row["o"], row["cost"], row["unpriced"] or 0)
