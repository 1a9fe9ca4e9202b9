"""The choices setup gathers and what applying them does: the user config gets ``[model]
name``, ``api_base`` and ``key_env`` and ``[permissions] mode`` (its comments and layout
kept), and a typed key goes to the key store, never into the config.

A front end walks the steps in this order, asking the user what each needs:

1. ``detect_local_servers()`` (setup.detect): servers found here, offered first;
2. ``provider_named()`` (setup.providers): the provider, and its API base when it needs one;
3. the key, unless the provider needs none (``Provider.needs_key``; a local server's
   key is optional) — typed (``SetupChoices.key``) or named (``SetupChoices.key_env``);
4. ``check_connection()`` (setup.connection): the models listed, or one line saying why not;
5. the model, from that list (``ModelChoice.name`` is what the config gets);
6. the permission mode (``MODES``, ``ask`` by default);
7. ``apply(choices, paths)``: writes, and says what it wrote.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from penguin_tui.config.keystore import KeyStore, StoredKey, key_account
from penguin_tui.config.paths import DataPaths
from penguin_tui.engine.permissions.models import Mode
from penguin_tui.errors import ConfigError
from penguin_tui.llm.target import is_loopback
from penguin_tui.setup.providers import Provider, provider_named

# The permission modes setup offers, the default first.
MODES: tuple[str, ...] = (
    Mode.ASK.value,
    Mode.READ_ONLY.value,
    Mode.AUTO_EDIT.value,
    Mode.FULL.value,
)
DEFAULT_MODE = Mode.ASK.value

_VARIABLE = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")


@dataclass(frozen=True)
class SetupChoices:
    """What the user chose. ``model`` is the config's name for it (``ModelChoice.name``);
    ``key`` a key typed in (stored in the key store), ``key_env`` the name of the variable
    to read it from at run time; at most one of the two."""

    provider: str
    model: str
    api_base: str | None = None
    key: str | None = None
    key_env: str | None = None
    mode: str = DEFAULT_MODE


@dataclass(frozen=True)
class SetupResult:
    """What ``apply`` wrote: the config file, the model, and where the key lives (None
    when no key was given)."""

    config_file: Path
    model: str
    api_base: str | None
    mode: str
    key: StoredKey | None = None
    key_env: str | None = None

    def summary(self) -> list[str]:
        """What was done, one line each, for the front end to show."""
        where = f" at {self.api_base}" if self.api_base else ""
        lines = [
            f"wrote {self.config_file}: model {self.model}{where}, permission mode {self.mode}"
        ]
        if self.key is not None:
            lines.append(f"key stored in {self.key.describe()}")
        if self.key_env is not None:
            lines.append(f"the key is read from ${self.key_env} at run time")
        return lines


def key_needed(provider: Provider, api_base: str | None) -> bool:
    """True when the provider must have a key: not Ollama, not a server on this machine."""
    if not provider.needs_key:
        return False
    return not (provider.needs_api_base and api_base and is_loopback(api_base))


def validate(choices: SetupChoices) -> Provider:
    """The provider, after checking the choices fit together; a ConfigError otherwise."""
    provider = provider_named(choices.provider)
    if not choices.model.strip():
        raise ConfigError("no model chosen: pass --model")
    if provider.needs_api_base and not (choices.api_base or provider.default_api_base):
        raise ConfigError(f"{provider.display_name} needs --api-base URL")
    if choices.key and choices.key_env:
        raise ConfigError("give the key or the name of its variable, not both")
    if choices.key_env is not None and not _VARIABLE.match(choices.key_env):
        raise ConfigError(f"{choices.key_env!r} is not an environment variable's name")
    if choices.mode not in MODES:
        raise ConfigError(
            f"unknown permission mode {choices.mode!r}: use one of {', '.join(MODES)}"
        )
    return provider


def config_api_base(provider: Provider, api_base: str | None) -> str | None:
    """The API base the config gets: the one given, the provider's usual one when it must
    name a server, else none (litellm knows a cloud provider's)."""
    if api_base:
        return api_base.rstrip("/")
    return provider.default_api_base if provider.needs_api_base else None


def apply(choices: SetupChoices, paths: DataPaths) -> SetupResult:
    """Write the choices to the user config (comments kept) and store a typed key."""
    from penguin_tui.config.editing import set_value, unset_value

    provider = validate(choices)
    api_base = config_api_base(provider, choices.api_base)
    model = provider.litellm_name(choices.model)
    stored = None
    if choices.key:
        store = KeyStore(paths.keys_file)
        stored = store.put(key_account(provider.litellm_provider, api_base), choices.key)
    config = paths.user_config
    set_value(config, "model.name", model)
    for dotted, value in (("model.api_base", api_base), ("model.key_env", choices.key_env)):
        if value is None:
            unset_value(config, dotted)
        else:
            set_value(config, dotted, value)
    set_value(config, "permissions.mode", choices.mode)
    return SetupResult(config, model, api_base, choices.mode, stored, choices.key_env)
