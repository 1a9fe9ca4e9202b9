"""The spend guard: every budget of the program (a turn's limits today; a task's and a run's
in run mode) goes through it, before each model call and with what each call spent.

Before a call it says whether the call may go at all (steps, time, tokens and dollars left)
and caps the call's ``max_tokens``: the estimated input plus the largest possible output must
fit what is left of every token and dollar budget, at the dearest price among the models the
call may fall back to. The only way past a limit is then an input that was larger than its
estimate: the overshoot is at most that estimate's error (in tokens, or in dollars at the
input price), which the docs state.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from penguin_tui.errors import PenguinError
from penguin_tui.words import dollars

# The share of a dollar budget past which the workbench warns.
WARN_AT = 0.8


@dataclass(frozen=True)
class Budget:
    """The limits of one scope (``turn``, ``task``, ``run``…); None: no limit of that kind."""

    scope: str
    steps: int | None = None
    tokens: int | None = None
    usd: float | None = None
    seconds: float | None = None


@dataclass(frozen=True)
class UnitPrice:
    """A model's dollars per token, input and output."""

    input: float
    output: float


@dataclass(frozen=True)
class CallSpend:
    """What one model call cost: tokens in and out, and dollars (None: no known price)."""

    input_tokens: int
    output_tokens: int
    usd: float | None


class BudgetExceededError(PenguinError):
    """A budget stops the work: which scope, which limit, and what was spent."""

    def __init__(self, scope: str, limit: str, spent: str, message: str) -> None:
        super().__init__(message)
        self.scope = scope
        self.limit = limit
        self.spent = spent


@dataclass
class Spent:
    """What has been spent against a guard's budgets: calls, tokens, dollars."""

    steps: int = 0
    tokens: int = 0
    usd: float = 0.0
    unpriced_calls: int = 0


@dataclass
class SpendGuard:
    """Holds budgets of several scopes and what has been spent against each since it started."""

    budgets: Sequence[Budget]
    clock: Callable[[], float] = time.monotonic
    started: float = field(init=False)
    spent: Spent = field(default_factory=Spent)
    # Seconds already spent before this guard started (a task resumed after a stop).
    elapsed_before: float = 0.0
    # A model with no known price counts as free instead of stopping a dollar budget (the
    # user allowed it: ``[tasks] allow_unpriced``).
    allow_unpriced: bool = False

    def __post_init__(self) -> None:
        self.started = self.clock()

    @property
    def elapsed(self) -> float:
        """Seconds spent against the budgets' time limits."""
        return self.elapsed_before + self.clock() - self.started

    def before_call(self, estimated_input: int, prices: Sequence[UnitPrice | None]) -> int | None:
        """May a call go, and its ``max_tokens`` (None: no cap). ``prices``: those of the
        models the call may be answered by (None for one with no known price). Raises
        BudgetExceededError when a limit is reached or no output token would fit."""
        cap: int | None = None
        for budget in self.budgets:
            self._check_reached(budget, estimated_input, prices)
            for room in self._room(budget, estimated_input, prices):
                cap = room if cap is None else min(cap, room)
        if cap is not None and cap < 1:
            raise self._no_room(self._tightest(estimated_input, prices))
        return cap

    def record(self, call: CallSpend) -> list[Budget]:
        """Count a call's spend (and the step it was); the dollar budgets this call took past
        ``WARN_AT`` of their limit (the workbench warns once, as it happens)."""
        before = self.spent.usd
        self.spent.steps += 1
        self.spent.tokens += call.input_tokens + call.output_tokens
        if call.usd is None:
            self.spent.unpriced_calls += 1
        else:
            self.spent.usd += call.usd
        return [
            budget
            for budget in self.budgets
            if budget.usd is not None and before < WARN_AT * budget.usd <= self.spent.usd
        ]

    def _check_reached(
        self, budget: Budget, estimated_input: int, prices: Sequence[UnitPrice | None]
    ) -> None:
        spent = self.spent
        if budget.steps is not None and spent.steps >= budget.steps:
            raise self._stop(budget, f"{budget.steps} model calls", f"{spent.steps} calls")
        elapsed = self.elapsed
        if budget.seconds is not None and elapsed >= budget.seconds:
            raise self._stop(budget, f"{budget.seconds:g}s", f"{elapsed:.0f}s")
        if budget.tokens is not None and spent.tokens >= budget.tokens:
            raise self._stop(budget, f"{budget.tokens:,} tokens", f"{spent.tokens:,} tokens")
        if budget.usd is not None:
            if spent.usd >= budget.usd:
                raise self._stop(budget, dollars(budget.usd), dollars(spent.usd))
            if not self.allow_unpriced and any(price is None for price in prices):
                raise BudgetExceededError(
                    budget.scope,
                    dollars(budget.usd),
                    dollars(spent.usd),
                    f"the {budget.scope} has a dollar budget, and a model it may call has no "
                    "known price: set its price under [model.prices] (or drop the budget)",
                )

    def _room(
        self, budget: Budget, estimated_input: int, prices: Sequence[UnitPrice | None]
    ) -> list[int]:
        """The most output tokens that fit each of the budget's token and dollar limits."""
        rooms: list[int] = []
        if budget.tokens is not None:
            rooms.append(budget.tokens - self.spent.tokens - estimated_input)
        if budget.usd is not None:
            left = budget.usd - self.spent.usd
            for price in prices:
                if price is None:
                    continue
                after_input = left - estimated_input * price.input
                if price.output > 0:
                    rooms.append(math.floor(after_input / price.output))
                elif after_input < 0:
                    rooms.append(0)
        return rooms

    def _tightest(self, estimated_input: int, prices: Sequence[UnitPrice | None]) -> Budget:
        for budget in self.budgets:
            if any(room < 1 for room in self._room(budget, estimated_input, prices)):
                return budget
        return self.budgets[0]

    def _no_room(self, budget: Budget) -> BudgetExceededError:
        """The input alone would use what is left of a token or dollar budget."""
        if budget.usd is not None:
            limit, spent = dollars(budget.usd), dollars(self.spent.usd)
        else:
            limit, spent = f"{budget.tokens or 0:,} tokens", f"{self.spent.tokens:,} tokens"
        return BudgetExceededError(
            budget.scope,
            limit,
            spent,
            f"the {budget.scope}'s budget of {limit} has no room for another model call "
            f"({spent} spent)",
        )

    def _stop(self, budget: Budget, limit: str, spent: str) -> BudgetExceededError:
        return BudgetExceededError(
            budget.scope,
            limit,
            spent,
            f"the {budget.scope} reached its limit of {limit} ({spent} spent)",
        )
