"""The providers setup offers, and what it must know of each: its name in the user's words,
where its API lives, which environment variable holds its key, and how litellm names its
models."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from penguin_tui.errors import ConfigError

if TYPE_CHECKING:
    from penguin_tui.setup.detect import LocalServer


@dataclass(frozen=True)
class Provider:
    """One kind of model server setup can connect to.

    ``name`` is what ``--provider`` takes; ``key_variable`` is the environment variable
    litellm reads its key from (None when it needs none); ``model_prefix`` is the provider
    part of litellm's model name (empty for an OpenAI-compatible server, whose models are
    named as the server lists them and sent through its API base); ``needs_api_base`` is
    true when the config must name the server.
    """

    name: str
    display_name: str
    default_api_base: str | None
    key_variable: str | None
    model_prefix: str
    needs_key: bool = True
    needs_api_base: bool = False
    # The name litellm gives this provider (``get_llm_provider``): where its key is stored.
    litellm_provider: str = ""

    def litellm_name(self, model_id: str) -> str:
        """The model name to write to the config for ``model_id`` as the server lists it."""
        if not self.model_prefix or model_id.startswith(f"{self.model_prefix}/"):
            return model_id
        return f"{self.model_prefix}/{model_id}"

    def listed_id(self, model_name: str) -> str:
        """The server's id of a configured model name (the prefix taken off)."""
        return model_name.removeprefix(f"{self.model_prefix}/") if self.model_prefix else model_name


PROVIDERS: tuple[Provider, ...] = (
    Provider(
        name="openai",
        display_name="OpenAI",
        default_api_base="https://api.openai.com/v1",
        key_variable="OPENAI_API_KEY",
        model_prefix="openai",
        litellm_provider="openai",
    ),
    Provider(
        name="anthropic",
        display_name="Anthropic",
        default_api_base="https://api.anthropic.com/v1",
        key_variable="ANTHROPIC_API_KEY",
        model_prefix="anthropic",
        litellm_provider="anthropic",
    ),
    Provider(
        name="openrouter",
        display_name="OpenRouter",
        default_api_base="https://openrouter.ai/api/v1",
        key_variable="OPENROUTER_API_KEY",
        model_prefix="openrouter",
        litellm_provider="openrouter",
    ),
    Provider(
        name="gemini",
        display_name="Gemini (Google AI Studio)",
        default_api_base="https://generativelanguage.googleapis.com/v1beta",
        key_variable="GEMINI_API_KEY",
        model_prefix="gemini",
        litellm_provider="gemini",
    ),
    Provider(
        name="ollama",
        display_name="Ollama",
        default_api_base="http://localhost:11434",
        key_variable=None,
        model_prefix="ollama",
        needs_key=False,
        needs_api_base=True,
        litellm_provider="ollama",
    ),
    Provider(
        name="openai-compatible",
        display_name="An OpenAI-compatible server (vLLM, LM Studio, llama.cpp…)",
        default_api_base="http://localhost:8000/v1",
        key_variable=None,
        model_prefix="",
        needs_api_base=True,
        litellm_provider="openai",
    ),
)

PROVIDER_NAMES: tuple[str, ...] = tuple(provider.name for provider in PROVIDERS)


class UnknownProviderError(ConfigError):
    """A provider name setup does not know; the message lists those it does."""


def provider_named(name: str) -> Provider:
    """The provider called ``name``; an UnknownProviderError listing the names otherwise."""
    for provider in PROVIDERS:
        if provider.name == name:
            return provider
    raise UnknownProviderError(f"unknown provider {name!r}: use one of {', '.join(PROVIDER_NAMES)}")


@dataclass(frozen=True)
class ProviderOption:
    """One answer to "which provider?": a provider, at a server found here or not."""

    provider: Provider
    api_base: str | None
    label: str


def provider_options(found: Sequence[LocalServer]) -> list[ProviderOption]:
    """What setup offers, in order: the servers found on this machine, then every provider."""
    options = [
        ProviderOption(provider_named(s.provider), s.api_base, f"{s.describe()} (found)")
        for s in found
    ]
    options += [ProviderOption(p, None, f"{p.display_name} ({p.name})") for p in PROVIDERS]
    return options
