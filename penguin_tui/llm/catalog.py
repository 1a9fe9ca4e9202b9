"""What is known of each model: litellm's offline catalog (``litellm.model_cost``), the
user's ``[model.prices]`` and ``[model.context_windows]`` over it, and where each fact came
from. litellm is loaded on the first lookup, never at import.

A fact nobody knows is ``None`` (shown as "n/a" or "?"), never 0 or false.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import Any, Literal

from penguin_tui.config.settings import ModelSettings
from penguin_tui.llm.loader import load_litellm

Source = Literal["catalog", "server", "config"]

# Every fact of a model, in the order the JSON and the docs give them.
FACTS = (
    "context_window",
    "max_output",
    "input_per_mtok",
    "output_per_mtok",
    "cache_read_per_mtok",
    "cache_write_per_mtok",
    "tools",
    "images",
    "reasoning",
)

# The catalog's kinds of model that hold a conversation (not embeddings, images, speech…).
CHAT_MODES = frozenset({"chat", "responses"})


@dataclass(frozen=True)
class ModelInfo:
    """One model that can be used: its id, its provider, what is known of it (None when
    unknown; prices in dollars per million tokens) and where each known fact came from.

    ``api_base`` is the server that listed it (None for the catalog's models)."""

    id: str
    provider: str
    context_window: int | None = None
    max_output: int | None = None
    input_per_mtok: float | None = None
    output_per_mtok: float | None = None
    cache_read_per_mtok: float | None = None
    cache_write_per_mtok: float | None = None
    tools: bool | None = None
    images: bool | None = None
    reasoning: bool | None = None
    api_base: str | None = None
    sources: Mapping[str, Source] = field(default_factory=dict)

    def to_json(self) -> dict[str, object]:
        """The object ``models --json`` prints (docs/cli.md)."""
        facts = {name: getattr(self, name) for name in FACTS}
        return {
            "id": self.id,
            "provider": self.provider,
            **facts,
            "api_base": self.api_base,
            "sources": {name: self.sources[name] for name in FACTS if name in self.sources},
        }

    def with_facts(self, source: Source, **facts: Any) -> ModelInfo:
        """This model with ``facts`` (those that are not None) set, said to come from
        ``source``."""
        known = {name: value for name, value in facts.items() if value is not None}
        if not known:
            return self
        return replace(self, **known, sources={**self.sources, **dict.fromkeys(known, source)})


def _per_million(value: object) -> float | None:
    """A per-token price as dollars per million tokens (10 decimals: no float dust)."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return round(float(value) * 1_000_000, 10)


def _count(value: object) -> int | None:
    if isinstance(value, bool) or not isinstance(value, int | float) or value <= 0:
        return None
    return int(value)


def _flag(value: object) -> bool | None:
    return value if isinstance(value, bool) else None


def from_entry(name: str, entry: Mapping[str, Any]) -> ModelInfo:
    """One entry of litellm's catalog as a ModelInfo, every fact it has marked ``catalog``."""
    provider = entry.get("litellm_provider")
    info = ModelInfo(id=name, provider=provider if isinstance(provider, str) else "")
    return info.with_facts(
        "catalog",
        context_window=_count(entry.get("max_input_tokens")),
        max_output=_count(entry.get("max_output_tokens")),
        input_per_mtok=_per_million(entry.get("input_cost_per_token")),
        output_per_mtok=_per_million(entry.get("output_cost_per_token")),
        cache_read_per_mtok=_per_million(entry.get("cache_read_input_token_cost")),
        cache_write_per_mtok=_per_million(entry.get("cache_creation_input_token_cost")),
        tools=_flag(entry.get("supports_function_calling")),
        images=_flag(entry.get("supports_vision")),
        reasoning=_flag(entry.get("supports_reasoning")),
    )


def _chat_entries() -> dict[str, Mapping[str, Any]]:
    """The catalog's chat models, by litellm's name for them."""
    table: Mapping[str, Any] = load_litellm().model_cost
    return {
        name: entry
        for name, entry in table.items()
        if isinstance(entry, Mapping)
        and entry.get("mode") in CHAT_MODES
        and isinstance(entry.get("litellm_provider"), str)
    }


def _bare(name: str) -> str:
    return name.split("/", 1)[1] if "/" in name else name


def _names_for(info: ModelInfo) -> list[str]:
    """The names a config table may give this model by: as listed, with its provider
    prefix, and without any prefix."""
    names = [info.id]
    if info.provider and not info.id.startswith(f"{info.provider}/"):
        names.append(f"{info.provider}/{info.id}")
    names.append(_bare(info.id))
    return list(dict.fromkeys(names))


def _configured(table: Mapping[str, Any], names: list[str]) -> Any:
    return next((table[name] for name in names if name in table), None)


def with_config(info: ModelInfo, settings: ModelSettings) -> ModelInfo:
    """The model with the user's price and context window over every other source.

    A configured price sets all four prices: a cache price it leaves out is billed at its
    input price, so that is what is shown."""
    names = _names_for(info)
    window = _configured(settings.context_windows, names)
    info = info.with_facts("config", context_window=window)
    price = _configured(settings.prices, names)
    if price is None:
        return info
    return info.with_facts(
        "config",
        input_per_mtok=price.input_per_mtok,
        output_per_mtok=price.output_per_mtok,
        cache_read_per_mtok=(
            price.cache_read_per_mtok
            if price.cache_read_per_mtok is not None
            else price.input_per_mtok
        ),
        cache_write_per_mtok=(
            price.cache_write_per_mtok
            if price.cache_write_per_mtok is not None
            else price.input_per_mtok
        ),
    )


def _config_only(settings: ModelSettings, known: set[str]) -> list[ModelInfo]:
    """Models the config prices or sizes that the catalog does not have."""
    listed: list[ModelInfo] = []
    for name in dict.fromkeys([*settings.prices, *settings.context_windows]):
        if name in known or _bare(name) in known:
            continue
        provider = name.split("/", 1)[0] if "/" in name else ""
        listed.append(with_config(ModelInfo(id=name, provider=provider), settings))
    return listed


def catalog(
    settings: ModelSettings | None = None, *, provider: str | None = None
) -> list[ModelInfo]:
    """Every chat model litellm knows offline (and every model the config prices), the
    config over the catalog, sorted by provider then id; only ``provider``'s when given."""
    settings = settings or ModelSettings()
    entries = _chat_entries()
    models = [with_config(from_entry(name, entry), settings) for name, entry in entries.items()]
    models += _config_only(settings, set(entries))
    if provider is not None:
        models = [info for info in models if info.provider == provider]
    return sorted(models, key=lambda info: (info.provider, info.id))


def catalog_entry(name: str) -> ModelInfo | None:
    """litellm's facts on ``name`` alone (no config): the catalog's name as given, else
    without a provider prefix when the catalog puts it under that provider
    (``openai/gpt-4o-mini`` is the catalog's ``gpt-4o-mini``)."""
    entries = _chat_entries()
    entry = entries.get(name)
    if entry is not None:
        return from_entry(name, entry)
    if "/" in name:
        prefix, rest = name.split("/", 1)
        entry = entries.get(rest)
        if entry is not None and entry.get("litellm_provider") == prefix:
            return from_entry(rest, entry)
    return None


def find_model(name: str, settings: ModelSettings | None = None) -> ModelInfo | None:
    """What is known of the model called ``name`` (with or without its provider prefix):
    the catalog's facts with the config over them; None when neither knows it."""
    settings = settings or ModelSettings()
    info = catalog_entry(name)
    if info is None:
        provider = name.split("/", 1)[0] if "/" in name else ""
        info = with_config(ModelInfo(id=name, provider=provider), settings)
        return info if info.sources else None
    return with_config(info, settings)
