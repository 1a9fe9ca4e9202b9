"""The spend guard: a budget is never passed by more than the error of the input estimate,
whatever the calls cost; steps, time and unpriced models stop the work with the scope named."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from penguin_tui.engine.budgets import tightest_cap
from penguin_tui.engine.spend_guard import (
    Budget,
    BudgetExceededError,
    CallSpend,
    SpendGuard,
    Spent,
    UnitPrice,
)

PRICES = st.builds(
    UnitPrice,
    input=st.floats(min_value=1e-8, max_value=1e-4),
    output=st.floats(min_value=1e-8, max_value=3e-4),
)
# A call: the guard's estimate of its input, how far off it was, and how much of the cap the
# model used (it may stop early, or use every token it was allowed).
CALLS = st.lists(
    st.tuples(
        st.integers(min_value=0, max_value=20_000),
        st.integers(min_value=-2_000, max_value=2_000),
        st.floats(min_value=0, max_value=1),
        st.integers(min_value=0, max_value=1),  # which of the two models answered
    ),
    min_size=1,
    max_size=40,
)


def run_calls(
    guard: SpendGuard, calls: list[tuple[int, int, float, int]], prices: list[UnitPrice]
) -> tuple[float, int, float, int]:
    """Spend as a model would under the guard; the dollars and tokens spent, and the largest
    input estimate error seen (dollars at the dearest input price, tokens)."""
    usd, tokens, worst_usd, worst_tokens = 0.0, 0, 0.0, 0
    for estimate, error, share, which in calls:
        try:
            cap = guard.before_call(estimate, prices)
        except BudgetExceededError:
            break
        actual_input = max(0, estimate + error)
        output = int((cap if cap is not None else 50_000) * share)
        price = prices[which]
        cost = actual_input * price.input + output * price.output
        guard.record(CallSpend(actual_input, output, cost))
        usd += cost
        tokens += actual_input + output
        under = max(0, actual_input - estimate)
        worst_usd = max(worst_usd, under * max(p.input for p in prices))
        worst_tokens = max(worst_tokens, under)
    return usd, tokens, worst_usd, worst_tokens


@settings(max_examples=300, deadline=None)
@given(
    limit=st.floats(min_value=0.001, max_value=5),
    prices=st.lists(PRICES, min_size=2, max_size=2),
    calls=CALLS,
)
def test_spending_passes_a_dollar_budget_by_at_most_the_input_estimate_error(
    limit: float, prices: list[UnitPrice], calls: list[tuple[int, int, float, int]]
) -> None:
    guard = SpendGuard([Budget("turn", usd=limit)])
    usd, _, worst_usd, _ = run_calls(guard, calls, prices)
    assert usd <= limit + worst_usd + 1e-9


@settings(max_examples=300, deadline=None)
@given(limit=st.integers(min_value=100, max_value=200_000), calls=CALLS)
def test_spending_passes_a_token_budget_by_at_most_the_input_estimate_error(
    limit: int, calls: list[tuple[int, int, float, int]]
) -> None:
    prices = [UnitPrice(1e-6, 2e-6), UnitPrice(3e-6, 1e-5)]
    guard = SpendGuard([Budget("task", tokens=limit)])
    _, tokens, _, worst_tokens = run_calls(guard, calls, prices)
    assert tokens <= limit + worst_tokens


def test_the_cap_fits_the_dearest_model_the_call_may_fall_back_to() -> None:
    guard = SpendGuard([Budget("run", usd=0.01)])
    cheap, dear = UnitPrice(1e-6, 1e-6), UnitPrice(1e-6, 1e-5)
    assert guard.before_call(1_000, [cheap]) == 9_000
    assert guard.before_call(1_000, [cheap, dear]) == 900


def test_a_budget_with_no_room_left_stops_before_the_call_and_names_the_scope() -> None:
    guard = SpendGuard([Budget("turn", usd=0.01), Budget("task", tokens=5_000)])
    guard.record(CallSpend(4_000, 500, 0.002))
    with pytest.raises(BudgetExceededError) as stopped:
        guard.before_call(600, [UnitPrice(1e-6, 1e-6)])
    assert (stopped.value.scope, stopped.value.limit) == ("task", "5,000 tokens")
    assert "no room for another model call" in stopped.value.message


def test_steps_and_time_stop_the_work() -> None:
    now = [0.0]
    guard = SpendGuard([Budget("turn", steps=2, seconds=60)], clock=lambda: now[0])
    for _ in range(2):
        assert guard.before_call(10, [None]) is None
        guard.record(CallSpend(10, 10, None))
    with pytest.raises(BudgetExceededError, match="the turn reached its limit of 2 model calls"):
        guard.before_call(10, [None])
    timed = SpendGuard([Budget("run", seconds=60)], clock=lambda: now[0])
    now[0] = 61.0
    with pytest.raises(BudgetExceededError, match="the run reached its limit of 60s"):
        timed.before_call(10, [None])


def test_a_dollar_budget_refuses_a_model_with_no_known_price() -> None:
    guard = SpendGuard([Budget("turn", usd=1.0)])
    with pytest.raises(BudgetExceededError, match="has no known price"):
        guard.before_call(10, [UnitPrice(1e-6, 1e-6), None])


def test_allowed_unpriced_models_count_as_free_instead_of_stopping_a_dollar_budget() -> None:
    guard = SpendGuard([Budget("run", usd=1.0)], allow_unpriced=True)
    assert guard.before_call(10, [None]) is None
    guard.record(CallSpend(10, 10, None))
    assert (guard.spent.usd, guard.spent.unpriced_calls) == (0.0, 1)


def test_a_resumed_task_keeps_what_it_spent_and_the_time_it_took_before_the_stop() -> None:
    now = [0.0]
    guard = SpendGuard(
        [Budget("task", steps=5, seconds=60)],
        clock=lambda: now[0],
        spent=Spent(steps=4),
        elapsed_before=50.0,
    )
    assert guard.before_call(10, [None]) is None
    now[0] = 11.0
    with pytest.raises(BudgetExceededError, match="the task reached its limit of 60s"):
        guard.before_call(10, [None])


@settings(max_examples=300, deadline=None)
@given(
    task_limit=st.floats(min_value=0.001, max_value=2),
    already=st.floats(min_value=0, max_value=1),
    run_limit=st.floats(min_value=0.001, max_value=2),
    prices=st.lists(PRICES, min_size=2, max_size=2),
    calls=CALLS,
)
def test_a_resumed_task_budget_and_a_run_budget_together_are_each_passed_by_at_most_the_error(
    task_limit: float,
    already: float,
    run_limit: float,
    prices: list[UnitPrice],
    calls: list[tuple[int, int, float, int]],
) -> None:
    """Run mode's guards as the engine holds them: the turn's, the run's and the task's (which
    spent ``already`` before a stop), the call capped to the tightest (budgets.tightest_cap)."""
    task = SpendGuard([Budget("task", usd=task_limit)], spent=Spent(usd=already))
    run = SpendGuard([Budget("run", usd=run_limit)])
    guards = [SpendGuard([Budget("turn")]), run, task]
    usd, worst = 0.0, 0.0
    for estimate, error, share, which in calls:
        try:
            cap = tightest_cap(guards, estimate, list(prices))
        except BudgetExceededError:
            break
        actual_input = max(0, estimate + error)
        output = int((cap if cap is not None else 50_000) * share)
        cost = actual_input * prices[which].input + output * prices[which].output
        for guard in guards:
            guard.record(CallSpend(actual_input, output, cost))
        usd += cost
        worst = max(worst, max(0, actual_input - estimate) * max(p.input for p in prices))
    assert usd <= run_limit + worst + 1e-9
    if already < task_limit:
        assert already + usd <= task_limit + worst + 1e-9
    else:
        assert usd == 0.0  # a task already over its budget makes no call
