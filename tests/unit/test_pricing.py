"""Cost per call: provider figure first, then config prices, then litellm; n/a, never $0."""

from __future__ import annotations

import pytest

from penguin_tui.config import ModelPrice, ModelSettings
from penguin_tui.llm.pricing import TokenUsage, context_window, cost_of


def test_known_model_is_priced_from_litellm_table() -> None:
    cost = cost_of("gpt-4o-mini", TokenUsage(1_000_000, 1_000_000), ModelSettings())
    assert cost.source == "litellm"
    assert cost.usd == pytest.approx(0.15 + 0.60)


def test_unknown_model_has_no_price_rather_than_zero() -> None:
    cost = cost_of("openai/some-local-model", TokenUsage(1000, 1000), ModelSettings())
    assert cost.usd is None
    assert cost.source == "unknown"


def test_configured_price_covers_a_custom_model_with_cache_reads() -> None:
    settings = ModelSettings(
        prices={
            "my-model": ModelPrice(input_per_mtok=2.0, output_per_mtok=8.0, cache_read_per_mtok=0.5)
        }
    )
    usage = TokenUsage(input_tokens=1_000_000, output_tokens=500_000, cache_read_tokens=400_000)
    cost = cost_of("openai/my-model", usage, settings)
    assert cost.source == "config"
    assert cost.usd == pytest.approx(0.6 * 2.0 + 0.4 * 0.5 + 0.5 * 8.0)


def test_provider_reported_cost_wins() -> None:
    usage = TokenUsage(1000, 1000, provider_cost_usd=0.0123)
    cost = cost_of("gpt-4o-mini", usage, ModelSettings())
    assert (cost.usd, cost.source) == (0.0123, "provider")


def test_context_window_from_litellm_and_from_config() -> None:
    assert context_window("gpt-4o-mini", ModelSettings()) == 128_000
    assert context_window("openai/unknown-thing", ModelSettings()) is None
    configured = ModelSettings(context_windows={"unknown-thing": 8192})
    assert context_window("openai/unknown-thing", configured) == 8192


def test_configured_price_beats_the_litellm_table_for_a_model_it_knows() -> None:
    settings = ModelSettings(prices={"gpt-4o": ModelPrice(input_per_mtok=1.0, output_per_mtok=3.0)})
    for name in ("gpt-4o", "openai/gpt-4o"):
        cost = cost_of(name, TokenUsage(1_000_000, 1_000_000), settings)
        assert cost.source == "config"
        assert cost.usd == pytest.approx(4.0)


def test_a_cost_on_estimated_tokens_is_an_estimate_whatever_priced_it() -> None:
    estimated = TokenUsage(1_000_000, 1_000_000, source="estimate")
    from_table = cost_of("gpt-4o-mini", estimated, ModelSettings())
    assert from_table.source == "estimate"
    assert from_table.usd == pytest.approx(0.15 + 0.60)
    configured = ModelSettings(prices={"m1": ModelPrice(input_per_mtok=1.0, output_per_mtok=1.0)})
    assert cost_of("openai/m1", estimated, configured).source == "estimate"
    unpriced = cost_of("openai/m1", estimated, ModelSettings())
    assert (unpriced.usd, unpriced.source) == (None, "unknown")
