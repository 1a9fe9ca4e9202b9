"""Run mode's budgets as the spend guard holds them: each task's (``[tasks]``, its override by
id under ``[tasks.overrides]``) and the run's (``[tasks] run_*``, ``--max-cost``)."""

from __future__ import annotations

from collections.abc import Sequence

from penguin_tui.config.settings import TaskSettings
from penguin_tui.engine.spend_guard import Budget, UnitPrice
from penguin_tui.errors import ConfigError
from penguin_tui.words import dollars


def task_budget(settings: TaskSettings, task_id: str) -> Budget:
    """The budget of one attempt at ``task_id``: ``[tasks]``, with the task's override."""
    override = settings.overrides.get(task_id)
    if override is None:
        override = next(
            (limits for key, limits in settings.overrides.items() if key.upper() == task_id),
            None,
        )

    def pick(name: str) -> float | int | None:
        value: float | int | None = getattr(override, name) if override is not None else None
        return value if value is not None else getattr(settings, name)

    steps, tokens = pick("max_steps"), pick("max_tokens")
    return Budget(
        "task",
        steps=int(steps) if steps is not None else None,
        tokens=int(tokens) if tokens is not None else None,
        usd=pick("max_cost_usd"),
        seconds=pick("max_seconds"),
    )


def run_budget(settings: TaskSettings, max_cost_usd: float | None = None) -> Budget:
    """The budget of one ``tasks run`` (what it spends, not what earlier runs spent)."""
    return Budget(
        "run",
        tokens=settings.run_max_tokens,
        usd=max_cost_usd if max_cost_usd is not None else settings.run_max_cost_usd,
        seconds=settings.run_max_seconds,
    )


def refuse_unpriced(
    allowed: bool, budgets: Sequence[Budget], prices: Sequence[UnitPrice | None]
) -> None:
    """A dollar budget cannot hold a model with no known price: refuse to start the run
    (a ConfigError naming the budget) unless ``allowed`` (``[tasks]`` or ``[budget]``
    ``allow_unpriced``)."""
    if allowed or all(price is not None for price in prices):
        return
    for budget in budgets:
        if budget.usd is not None:
            raise ConfigError(
                f"the {budget.scope}'s budget of {dollars(budget.usd)} cannot hold a model "
                "with no known price: set its price under [model.prices], or set "
                "[budget] allow_unpriced = true to count its calls as free"
            )
