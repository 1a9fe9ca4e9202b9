"""The SQL of run mode: a run (one session) and each attempt at a task in it, over the store's
one connection. An attempt's row is written before its branch or its status changes, so a run
killed at any point knows on its next start what each task was doing."""

from __future__ import annotations

import sqlite3
import time
from dataclasses import dataclass
from enum import StrEnum

from penguin_tui.store.store import Store
from penguin_tui.tasks.model import task_number


class AttemptState(StrEnum):
    """Where an attempt at a task stands: at work (the agent or its check), its branch being
    merged, or finished one way or another."""

    WORKING = "working"
    MERGING = "merging"
    DONE = "done"
    FAILED = "failed"
    BLOCKED = "blocked"
    CANCELLED = "cancelled"

    @property
    def open(self) -> bool:
        return self in (AttemptState.WORKING, AttemptState.MERGING)


@dataclass(frozen=True)
class Run:
    """One run of run mode: the session it works in, and how it stopped (None: not yet)."""

    id: int
    session_id: str
    started_at: float
    finished_at: float | None
    stop_reason: str | None


@dataclass(frozen=True)
class Attempt:
    """One try at one task, on its own branch, with what it has spent so far."""

    id: int
    run_id: int
    task_id: str
    branch: str
    state: AttemptState
    reason: str
    check_rounds: int
    check_exit_code: int | None
    input_tokens: int
    output_tokens: int
    cost_usd: float | None
    steps: int
    time_s: float
    started_at: float


def _run(row: sqlite3.Row) -> Run:
    return Run(
        row["id"], row["session_id"], row["started_at"], row["finished_at"], row["stop_reason"]
    )


def _attempt(row: sqlite3.Row) -> Attempt:
    return Attempt(
        id=row["id"],
        run_id=row["run_id"],
        task_id=f"T{row['number']}",
        branch=row["branch"],
        state=AttemptState(row["state"]),
        reason=row["reason"],
        check_rounds=row["check_rounds"],
        check_exit_code=row["check_exit_code"],
        input_tokens=row["input_tokens"],
        output_tokens=row["output_tokens"],
        cost_usd=row["cost_usd"],
        steps=row["steps"],
        time_s=row["time_s"],
        started_at=row["started_at"],
    )


class RunRecords:
    """The runs and attempts of one project."""

    def __init__(self, store: Store, project_id: str) -> None:
        self.store = store
        self.project_id = project_id

    async def unfinished_run(self) -> Run | None:
        """The project's last run, when it has not finished (a crash, a kill, an interrupt)."""
        rows = await self.store.query(
            "SELECT * FROM task_runs WHERE project_id = ? ORDER BY id DESC LIMIT 1",
            (self.project_id,),
        )
        if not rows or rows[0]["finished_at"] is not None:
            return None
        return _run(rows[0])

    async def start_run(self, session_id: str) -> Run:
        await self.store.transaction(
            [
                (
                    "INSERT INTO task_runs (project_id, session_id, started_at) VALUES (?, ?, ?)",
                    (self.project_id, session_id, time.time()),
                )
            ],
            durable=True,
        )
        run = await self.unfinished_run()
        assert run is not None
        return run

    async def finish_run(self, run: Run, stop_reason: str) -> None:
        await self.store.transaction(
            [
                (
                    "UPDATE task_runs SET finished_at = ?, stop_reason = ? WHERE id = ?",
                    (time.time(), stop_reason, run.id),
                )
            ],
            durable=True,
        )

    async def attempts(self, task_id: str | None = None) -> list[Attempt]:
        """Every attempt of the project (or of one task), oldest first."""
        if task_id is None:
            rows = await self.store.query(
                "SELECT * FROM task_attempts WHERE project_id = ? ORDER BY id",
                (self.project_id,),
            )
        else:
            rows = await self.store.query(
                "SELECT * FROM task_attempts WHERE project_id = ? AND number = ? ORDER BY id",
                (self.project_id, task_number(task_id)),
            )
        return [_attempt(row) for row in rows]

    async def open_attempt(self, run: Run) -> Attempt | None:
        """The run's attempt that was under way when it stopped, if any."""
        rows = await self.store.query(
            "SELECT * FROM task_attempts WHERE run_id = ? AND state IN ('working', 'merging')"
            " ORDER BY id DESC LIMIT 1",
            (run.id,),
        )
        return _attempt(rows[0]) if rows else None

    async def start_attempt(self, run: Run, task_id: str, branch: str) -> Attempt:
        await self.store.transaction(
            [
                (
                    "INSERT INTO task_attempts (run_id, project_id, number, branch, state,"
                    " started_at) VALUES (?, ?, ?, ?, 'working', ?)",
                    (run.id, self.project_id, task_number(task_id), branch, time.time()),
                )
            ],
            durable=True,
        )
        attempt = await self.open_attempt(run)
        assert attempt is not None
        return attempt

    async def save(self, attempt: Attempt) -> None:
        """An attempt's state, reason, check and spend as they are now."""
        finished = None if attempt.state.open else time.time()
        await self.store.transaction(
            [
                (
                    "UPDATE task_attempts SET state = ?, reason = ?, check_rounds = ?,"
                    " check_exit_code = ?, input_tokens = ?, output_tokens = ?, cost_usd = ?,"
                    " steps = ?, time_s = ?, finished_at = ? WHERE id = ?",
                    (
                        attempt.state.value,
                        attempt.reason,
                        attempt.check_rounds,
                        attempt.check_exit_code,
                        attempt.input_tokens,
                        attempt.output_tokens,
                        attempt.cost_usd,
                        attempt.steps,
                        attempt.time_s,
                        finished,
                        attempt.id,
                    ),
                )
            ],
            durable=True,
        )
