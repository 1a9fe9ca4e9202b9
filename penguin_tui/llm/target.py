"""Which model to call and how to reach it: provider prefix, API base and key resolution."""

from __future__ import annotations

import ipaddress
import os
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlparse

from penguin_tui.errors import ConfigError, MissingKeyError, ModelNotFoundError
from penguin_tui.llm.loader import load_litellm

# A local OpenAI-compatible server needs no key, but the OpenAI SDK insists on one.
LOCAL_PLACEHOLDER_KEY = "no-key-needed-for-local-server"

NO_MODEL_HINT = (
    "no model is set: pass --model (e.g. openai/gpt-4o-mini), set PENGUIN_MODEL, "
    "or add [model] name = ... to the config file; `penguin-tui --demo` needs none"
)


@dataclass(frozen=True)
class ModelTarget:
    """A model as litellm wants it, with where to send the call and the key to send."""

    name: str
    litellm_model: str
    api_base: str | None
    api_key: str | None = None

    def describe(self) -> str:
        return f"{self.name} at {self.api_base}" if self.api_base else self.name


def is_loopback(api_base: str) -> bool:
    """True when the API base is this machine (a local server that needs no key)."""
    host = urlparse(api_base).hostname or ""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _has_provider_prefix(name: str, litellm: Any) -> bool:
    if "/" not in name:
        return False
    providers = {getattr(p, "value", p) for p in litellm.provider_list}
    return name.split("/", 1)[0] in providers


def litellm_model_name(name: str, api_base: str | None) -> str:
    """The name litellm wants: behind an API base, a name with no provider prefix is sent
    through the OpenAI-compatible protocol (its own '/' is kept: Qwen/Qwen2.5-7B)."""
    if api_base and not _has_provider_prefix(name, load_litellm()):
        return f"openai/{name}"
    return name


def resolve_target(
    name: str | None, api_base: str | None, environ: Mapping[str, str] | None = None
) -> ModelTarget:
    """Decide the litellm model string, API base and key; fail early with what to do."""
    env = os.environ if environ is None else environ
    if not name:
        raise ConfigError(NO_MODEL_HINT)
    if api_base is not None:
        parsed = urlparse(api_base)
        if parsed.scheme not in ("http", "https") or not parsed.netloc:
            raise ConfigError(
                f"the API base {api_base!r} is not an http(s) URL; "
                f"use something like http://localhost:8000/v1"
            )
    litellm = load_litellm()
    litellm_model = litellm_model_name(name, api_base)
    key = env.get("PENGUIN_API_KEY") or None
    try:
        litellm.get_llm_provider(litellm_model, api_base=api_base)
    except Exception as error:
        raise ModelNotFoundError(
            f"unknown model {name!r}: name a provider (openai/…, anthropic/…, openrouter/…, "
            f"ollama/…) or pass --api-base for an OpenAI-compatible server"
        ) from error
    if key is None:
        if api_base and is_loopback(api_base):
            key = LOCAL_PLACEHOLDER_KEY
        else:
            check = litellm.validate_environment(litellm_model)
            # Only real credentials count: ollama "misses" OLLAMA_API_BASE, which has a default.
            missing = [k for k in check.get("missing_keys", []) if k and "BASE" not in k]
            if missing:
                raise MissingKeyError(
                    f"model {name} needs an API key: set {missing[0]} (or PENGUIN_API_KEY) "
                    f"in the environment"
                )
    return ModelTarget(name=name, litellm_model=litellm_model, api_base=api_base, api_key=key)
