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


def _named_key(key_env: str | None, env: Mapping[str, str]) -> str | None:
    """The key in the variable the config names; a MissingKeyError when it is not set."""
    if key_env is None:
        return None
    key = env.get(key_env)
    if not key:
        raise MissingKeyError(
            f"the config reads the key from ${key_env} ([model] key_env), which is not set"
        )
    return key


def _stored_key(provider: str, api_base: str | None, env: Mapping[str, str]) -> str | None:
    """The key setup stored for this provider or server (keyring, else the 0600 file)."""
    from penguin_tui.config.keystore import KeyStore, key_account
    from penguin_tui.config.paths import data_paths

    store = KeyStore(data_paths(dict(env)).keys_file)
    return store.get(key_account(provider, api_base))


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
    name: str | None,
    api_base: str | None,
    environ: Mapping[str, str] | None = None,
    *,
    key_env: str | None = None,
) -> ModelTarget:
    """Decide the litellm model string, API base and key; fail early with what to do.

    The key, first found: ``PENGUIN_API_KEY``; the variable ``key_env`` names (``[model]
    key_env``); the provider's own variable (litellm reads it); the key store (what setup
    stored); none for a server on this machine."""
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
    key = env.get("PENGUIN_API_KEY") or _named_key(key_env, env)
    try:
        provider = litellm.get_llm_provider(litellm_model, api_base=api_base)[1]
    except Exception as error:
        raise ModelNotFoundError(
            f"unknown model {name!r}: name a provider (openai/…, anthropic/…, openrouter/…, "
            f"ollama/…) or pass --api-base for an OpenAI-compatible server"
        ) from error
    if key is None:
        if api_base and is_loopback(api_base):
            key = _stored_key(str(provider), api_base, env) or LOCAL_PLACEHOLDER_KEY
        else:
            check = litellm.validate_environment(litellm_model)
            # Only real credentials count: ollama "misses" OLLAMA_API_BASE, which has a default.
            missing = [k for k in check.get("missing_keys", []) if k and "BASE" not in k]
            if missing:
                key = _stored_key(str(provider), api_base, env)
                if key is None:
                    raise MissingKeyError(
                        f"model {name} needs an API key: set {missing[0]} (or PENGUIN_API_KEY) "
                        f"in the environment, or run `penguin-tui setup`"
                    )
    return ModelTarget(name=name, litellm_model=litellm_model, api_base=api_base, api_key=key)
