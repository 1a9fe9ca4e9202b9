"""litellm's offline catalog as ModelInfo records: the facts it has (None for the rest),
where each came from, the config over it, and one model looked up by name."""

from __future__ import annotations

import pytest

from penguin_tui.config.settings import ModelPrice, ModelSettings
from penguin_tui.llm.catalog import FACTS, ModelInfo, catalog, find_model
from penguin_tui.llm.loader import load_litellm
from penguin_tui.llm.model_list import ServerModel, merged_info, ollama_root


def test_a_catalog_model_has_the_catalogs_facts_per_million_tokens() -> None:
    entry = load_litellm().model_cost["gpt-4o-mini"]
    info = find_model("gpt-4o-mini")
    assert info is not None and info.provider == "openai"
    assert info.context_window == entry["max_input_tokens"]
    assert info.max_output == entry["max_output_tokens"]
    assert info.input_per_mtok == pytest.approx(entry["input_cost_per_token"] * 1e6, abs=1e-9)
    assert info.output_per_mtok == pytest.approx(entry["output_cost_per_token"] * 1e6, abs=1e-9)
    assert info.tools is entry["supports_function_calling"]
    assert info.images is entry["supports_vision"]
    assert dict(info.sources) == {
        name: "catalog" for name in FACTS if getattr(info, name) is not None
    }


def test_a_name_with_its_provider_prefix_finds_the_same_model() -> None:
    assert find_model("openai/gpt-4o-mini") == find_model("gpt-4o-mini")
    # Another provider's prefix is not that model.
    assert find_model("anthropic/gpt-4o-mini") is None


def test_an_unknown_model_is_none_and_a_config_only_model_has_the_configs_facts() -> None:
    assert find_model("house/unheard-of-model") is None
    settings = ModelSettings(
        prices={"house/coder": ModelPrice(input_per_mtok=0.5, output_per_mtok=1.5)},
        context_windows={"house/coder": 32000},
    )
    info = find_model("house/coder", settings)
    assert info is not None
    assert (info.provider, info.context_window, info.input_per_mtok) == ("house", 32000, 0.5)
    assert info.tools is None and "tools" not in info.sources
    assert info.sources["input_per_mtok"] == "config"
    assert any(model.id == "house/coder" for model in catalog(settings, provider="house"))


def test_the_config_overrides_the_catalog_and_says_so() -> None:
    settings = ModelSettings(
        prices={
            "openai/gpt-4o-mini": ModelPrice(
                input_per_mtok=1, output_per_mtok=4, cache_read_per_mtok=0.25
            )
        },
        context_windows={"gpt-4o-mini": 8000},
    )
    info = find_model("gpt-4o-mini", settings)
    assert info is not None
    assert (info.input_per_mtok, info.output_per_mtok, info.context_window) == (1, 4, 8000)
    assert (info.cache_read_per_mtok, info.cache_write_per_mtok) == (0.25, 1)
    assert info.sources["input_per_mtok"] == info.sources["context_window"] == "config"
    assert info.sources["max_output"] == "catalog"


def test_the_catalog_lists_chat_models_only_and_filters_by_provider() -> None:
    table = load_litellm().model_cost
    everything = catalog()
    assert everything and all(table[m.id]["mode"] in ("chat", "responses") for m in everything)
    assert "text-embedding-3-small" not in {m.id for m in everything}
    anthropic = catalog(provider="anthropic")
    assert anthropic and {m.provider for m in anthropic} == {"anthropic"}
    assert [m.id for m in anthropic] == sorted(m.id for m in anthropic)


def test_the_json_object_has_every_fact_and_only_the_known_facts_sources() -> None:
    info = ModelInfo(id="x", provider="p").with_facts("server", context_window=100, tools=None)
    document = info.to_json()
    assert list(document) == ["id", "provider", *FACTS, "api_base", "sources"]
    assert document["context_window"] == 100 and document["tools"] is None
    assert document["sources"] == {"context_window": "server"}


def test_a_server_model_takes_the_catalogs_facts_then_the_servers_then_the_configs() -> None:
    served = ServerModel(id="gpt-4o-mini", kind="openai", context_window=64000)
    settings = ModelSettings(
        prices={"gpt-4o-mini": ModelPrice(input_per_mtok=9, output_per_mtok=9)}
    )
    info = merged_info(served, "http://user:pw@127.0.0.1:8000/v1", settings)
    assert info.api_base == "http://127.0.0.1:8000/v1"  # never a password
    assert (info.context_window, info.sources["context_window"]) == (64000, "server")
    assert (info.input_per_mtok, info.sources["input_per_mtok"]) == (9, "config")
    assert info.sources["max_output"] == "catalog"


def test_an_ollama_tag_matches_the_catalogs_ollama_entry() -> None:
    table = load_litellm().model_cost
    assert table["ollama/llama3"]["litellm_provider"] == "ollama"
    info = merged_info(
        ServerModel(id="llama3:latest", kind="ollama"), "http://h:11434", ModelSettings()
    )
    assert info.context_window == table["ollama/llama3"]["max_input_tokens"]
    assert info.sources["context_window"] == "catalog"


def test_ollamas_own_api_is_at_the_servers_root() -> None:
    assert ollama_root("http://localhost:11434/v1/") == "http://localhost:11434"
    assert ollama_root("http://localhost:11434") == "http://localhost:11434"
