"""The dollar budgets that outlive a turn — a session's, a project's, a local calendar day's —
as spend guards for one turn, each starting from what the store has recorded so far.

A project's budget counts from the moment it was set (or changed, or reset with
``penguin-tui budget reset``): that moment is kept in ``budget_marks``. A day's budget counts
every project's calls since local midnight. Calls with no known price count as nothing here
(the guard refuses such a model under a dollar budget unless ``allow_unpriced``).

The turn's own announcements come from here too: the 80% warning and the stop, each one event.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import datetime

from penguin_tui.bus import BudgetExceeded, BudgetWarning, EventBus
from penguin_tui.config.settings import BudgetSettings, Settings
from penguin_tui.engine.spend_guard import (
    Budget,
    BudgetExceededError,
    SpendGuard,
    Spent,
    UnitPrice,
)
from penguin_tui.llm.pricing import unit_price
from penguin_tui.llm.target import ModelTarget
from penguin_tui.store import Store
from penguin_tui.words import dollars


@dataclass(frozen=True)
class BudgetState:
    """One money budget as it stands: its scope, limit, what was spent, and since when."""

    scope: str
    limit_usd: float
    spent_usd: float
    since: float | None = None

    @property
    def left_usd(self) -> float:
        return max(self.limit_usd - self.spent_usd, 0.0)


def local_midnight(now: float) -> float:
    """The start of the local calendar day ``now`` falls in."""
    moment = datetime.fromtimestamp(now)
    return moment.replace(hour=0, minute=0, second=0, microsecond=0).timestamp()


async def project_since(store: Store, project_id: str, limit: float, now: float) -> float:
    """When the project's budget of ``limit`` counts from: kept from an earlier turn, or now
    when it was never set or its limit changed."""
    rows = await store.query(
        "SELECT since, limit_usd FROM budget_marks WHERE project_id = ?", (project_id,)
    )
    if rows and rows[0]["limit_usd"] == limit:
        return float(rows[0]["since"])
    await reset_project(store, project_id, limit, now)
    return now


async def reset_project(store: Store, project_id: str, limit: float | None, now: float) -> None:
    """The project's budget counts from ``now`` (``penguin-tui budget reset``)."""
    await store.transaction(
        [
            (
                "INSERT INTO budget_marks (project_id, since, limit_usd) VALUES (?, ?, ?)"
                " ON CONFLICT (project_id) DO UPDATE SET since = excluded.since,"
                " limit_usd = excluded.limit_usd",
                (project_id, now, limit),
            )
        ]
    )


async def _spent(store: Store, where: str, params: tuple[object, ...]) -> float:
    rows = await store.query(
        "SELECT COALESCE(SUM(u.cost_usd), 0) AS usd FROM usage u"
        f" JOIN sessions s ON s.id = u.session_id WHERE {where}",
        params,
    )
    return float(rows[0]["usd"])


async def budget_states(
    store: Store,
    settings: BudgetSettings,
    session_id: str | None,
    project_id: str,
    now: float | None = None,
) -> list[BudgetState]:
    """Each money budget that is set, with what has been spent against it so far."""
    now = time.time() if now is None else now
    states: list[BudgetState] = []
    if settings.session_usd is not None and session_id is not None:
        spent = await _spent(store, "u.session_id = ?", (session_id,))
        states.append(BudgetState("session", settings.session_usd, spent))
    if settings.project_usd is not None:
        since = await project_since(store, project_id, settings.project_usd, now)
        spent = await _spent(store, "s.project_id = ? AND u.created_at >= ?", (project_id, since))
        states.append(BudgetState("project", settings.project_usd, spent, since))
    if settings.daily_usd is not None:
        midnight = local_midnight(now)
        spent = await _spent(store, "u.created_at >= ?", (midnight,))
        states.append(BudgetState("day", settings.daily_usd, spent, midnight))
    return states


async def money_guards(
    store: Store, settings: BudgetSettings, session_id: str, project_id: str
) -> list[SpendGuard]:
    """One guard per money budget that is set, starting from what was spent before."""
    return [
        SpendGuard(
            [Budget(state.scope, usd=state.limit_usd)],
            spent=Spent(usd=state.spent_usd),
            allow_unpriced=settings.allow_unpriced,
        )
        for state in await budget_states(store, settings, session_id, project_id)
    ]


def turn_budget(settings: Settings) -> Budget:
    """A turn's limits of ``[agent]`` (and ``[budget] turn_usd``, the lower of the two dollar
    limits) as the spend guard's budget of scope ``turn``."""
    agent = settings.agent
    dollars = [d for d in (agent.max_turn_cost_usd, settings.budget.turn_usd) if d is not None]
    return Budget(
        "turn",
        steps=agent.max_steps,
        tokens=agent.max_turn_tokens,
        usd=min(dollars) if dollars else None,
        seconds=agent.max_turn_seconds,
    )


def call_prices(targets: list[ModelTarget], settings: Settings) -> list[UnitPrice | None]:
    """The price of each model a call may be answered by (the model and its fallbacks)."""
    prices: list[UnitPrice | None] = []
    for target in targets:
        price = unit_price(target.name, target.litellm_model, settings.model)
        prices.append(UnitPrice(*price) if price is not None else None)
    return prices


def tightest_cap(
    guards: list[SpendGuard], estimate: int, prices: list[UnitPrice | None]
) -> int | None:
    """The tightest ``max_tokens`` every guard allows (None: no cap); the first guard whose
    budget is reached raises."""
    caps = [cap for guard in guards if (cap := guard.before_call(estimate, prices)) is not None]
    return min(caps) if caps else None


async def announce_warning(
    bus: EventBus, session_id: str, budget: Budget, guard: SpendGuard
) -> None:
    """A call took a dollar budget past ``WARN_AT`` of its limit: say so, once."""
    assert budget.usd is not None
    limit, spent = dollars(budget.usd), dollars(guard.spent.usd)
    await bus.publish(
        BudgetWarning(
            session_id=session_id,
            scope=budget.scope,
            limit=limit,
            spent=spent,
            message=f"{spent} of the {budget.scope}'s budget of {limit} spent "
            f"({guard.spent.usd / budget.usd:.0%})",
        )
    )


async def announce_stop(bus: EventBus, session_id: str, stop: BudgetExceededError) -> None:
    """One ``budget.exceeded`` event says which budget stopped the turn, and why."""
    hints = {
        "turn": "; the turn stopped (raise it under [agent] or [budget])",
        "session": "; the turn stopped (raise [budget] session_usd)",
        "project": "; the turn stopped (raise [budget] project_usd, or `penguin-tui budget reset`)",
        "day": "; the turn stopped (raise [budget] daily_usd)",
    }
    hint = hints.get(stop.scope, "")
    stop.message = stop.message + hint
    await bus.publish(
        BudgetExceeded(
            session_id=session_id,
            scope=stop.scope,
            limit=stop.limit,
            spent=stop.spent,
            message=stop.message,
        )
    )
