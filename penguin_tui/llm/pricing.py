"""Dollars and context windows: the provider's own cost first, then config prices, then litellm.

A model with no known price costs ``None`` ("n/a" on screen), never $0.00.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Literal, TypeVar

from penguin_tui.config.settings import ModelPrice, ModelSettings
from penguin_tui.llm.loader import load_litellm

TokensSource = Literal["provider", "estimate"]
CostSource = Literal["provider", "config", "litellm", "estimate", "unknown"]
_Entry = TypeVar("_Entry")


@dataclass(frozen=True)
class TokenUsage:
    """Token counts of one call: reported by the provider, or estimated when it sent none."""

    input_tokens: int
    output_tokens: int
    cache_read_tokens: int = 0
    cache_write_tokens: int = 0
    reasoning_tokens: int = 0
    provider_cost_usd: float | None = None
    source: TokensSource = "provider"


@dataclass(frozen=True)
class Cost:
    """A call's cost and where the figure came from (the ``cost_source`` of a usage event)."""

    usd: float | None
    source: CostSource


def cost_of(model: str, usage: TokenUsage, settings: ModelSettings) -> Cost:
    """The cost of one call in dollars, or ``Cost(None, "unknown")``.

    A cost the provider reported wins; otherwise the config's price for the model, then
    litellm's table. A cost computed from estimated tokens is itself an estimate."""
    if usage.provider_cost_usd is not None:
        return Cost(usd=usage.provider_cost_usd, source="provider")
    price = configured_price(model, settings)
    if price is not None:
        usd: float | None = _priced(usage, price)
        source: CostSource = "config"
    else:
        usd = _litellm_price(model, usage)
        source = "litellm"
    if usd is None:
        return Cost(usd=None, source="unknown")
    return Cost(usd=usd, source="estimate" if usage.source == "estimate" else source)


def configured_price(model: str, settings: ModelSettings) -> ModelPrice | None:
    """The price set in config for ``model`` (with or without its provider prefix)."""
    return _by_name(model, settings.prices)


def _by_name(model: str, table: Mapping[str, _Entry]) -> _Entry | None:
    """The entry for ``model`` as written, else for its name without the provider prefix."""
    if model in table:
        return table[model]
    bare = model.split("/", 1)[1] if "/" in model else model
    return table.get(bare)


def _priced(usage: TokenUsage, price: ModelPrice) -> float:
    plain_input = max(usage.input_tokens - usage.cache_read_tokens - usage.cache_write_tokens, 0)
    read_price = (
        price.cache_read_per_mtok if price.cache_read_per_mtok is not None else price.input_per_mtok
    )
    write_price = (
        price.cache_write_per_mtok
        if price.cache_write_per_mtok is not None
        else price.input_per_mtok
    )
    return (
        plain_input * price.input_per_mtok
        + usage.cache_read_tokens * read_price
        + usage.cache_write_tokens * write_price
        + usage.output_tokens * price.output_per_mtok
    ) / 1_000_000


def _litellm_price(model: str, usage: TokenUsage) -> float | None:
    """The cost from litellm's price table, None when the table does not know the model."""
    litellm = load_litellm()
    try:
        prompt_cost, completion_cost = litellm.cost_per_token(
            model=model,
            prompt_tokens=usage.input_tokens,
            completion_tokens=usage.output_tokens,
            cache_read_input_tokens=usage.cache_read_tokens,
            cache_creation_input_tokens=usage.cache_write_tokens,
        )
    except Exception:
        return None
    return float(prompt_cost) + float(completion_cost)


def unit_price(
    model: str, litellm_model: str, settings: ModelSettings
) -> tuple[float, float] | None:
    """Dollars per input token and per output token: the config's price for the model, else
    litellm's table; None when neither knows it."""
    price = configured_price(model, settings)
    if price is not None:
        return price.input_per_mtok / 1_000_000, price.output_per_mtok / 1_000_000
    table = load_litellm().model_cost
    entry = table.get(litellm_model) or table.get(model)
    if not isinstance(entry, dict):
        return None
    per_input, per_output = entry.get("input_cost_per_token"), entry.get("output_cost_per_token")
    if not isinstance(per_input, int | float) or not isinstance(per_output, int | float):
        return None
    return float(per_input), float(per_output)


def configured_context_window(model: str, settings: ModelSettings) -> int | None:
    """The window set in config for ``model`` (with or without its provider prefix)."""
    return _by_name(model, settings.context_windows)


def context_window(model: str, settings: ModelSettings) -> int | None:
    """The model's input window in tokens from config or litellm's model info, if known."""
    configured = configured_context_window(model, settings)
    if configured:
        return configured
    litellm = load_litellm()
    try:
        info = litellm.get_model_info(model)
    except Exception:
        return None
    window = info.get("max_input_tokens") or info.get("max_tokens")
    return int(window) if window else None
