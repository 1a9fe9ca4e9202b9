"""Dollars and context windows: provider-reported cost first, then config prices, then litellm.

A model with no known price costs ``None`` ("n/a" on screen), never $0.00.
"""

from __future__ import annotations

from dataclasses import dataclass

from penguin_tui.config.settings import ModelSettings
from penguin_tui.llm.loader import load_litellm


@dataclass(frozen=True)
class TokenUsage:
    """Token counts of one call, as the provider reported them."""

    input_tokens: int
    output_tokens: int
    cache_read_tokens: int = 0
    cache_write_tokens: int = 0
    reasoning_tokens: int = 0
    provider_cost_usd: float | None = None


@dataclass(frozen=True)
class Cost:
    """A call's cost and where the figure came from: provider, litellm, config or unknown."""

    usd: float | None
    source: str


def cost_of(model: str, usage: TokenUsage, settings: ModelSettings) -> Cost:
    """The cost of one call in dollars, or ``Cost(None, "unknown")``."""
    if usage.provider_cost_usd is not None:
        return Cost(usd=usage.provider_cost_usd, source="provider")
    bare = model.split("/", 1)[1] if "/" in model else model
    price = settings.prices.get(model) or settings.prices.get(bare)
    if price is not None:
        plain_input = max(
            usage.input_tokens - usage.cache_read_tokens - usage.cache_write_tokens, 0
        )
        read_price = (
            price.cache_read_per_mtok
            if price.cache_read_per_mtok is not None
            else price.input_per_mtok
        )
        write_price = (
            price.cache_write_per_mtok
            if price.cache_write_per_mtok is not None
            else price.input_per_mtok
        )
        usd = (
            plain_input * price.input_per_mtok
            + usage.cache_read_tokens * read_price
            + usage.cache_write_tokens * write_price
            + usage.output_tokens * price.output_per_mtok
        ) / 1_000_000
        return Cost(usd=usd, source="config")
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
        return Cost(usd=None, source="unknown")
    return Cost(usd=float(prompt_cost) + float(completion_cost), source="litellm")


def configured_context_window(model: str, settings: ModelSettings) -> int | None:
    """The window set in config for ``model`` (with or without its provider prefix)."""
    bare = model.split("/", 1)[1] if "/" in model else model
    return settings.context_windows.get(model) or settings.context_windows.get(bare)


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
