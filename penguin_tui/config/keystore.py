"""Where a key typed into setup is kept: the system keyring where one works, else a file
readable by its owner only (0600) in the data directory, one of penguin-tui's protected
files. Never a config file.

Keys are stored per *account*: the API base of a server named in the config, else litellm's
name for the provider (``openai``, ``anthropic``…), so the run that needs a key finds it from
the config alone. An environment variable still wins over both places: ``llm/target.py``
looks here only when the environment holds no key. keyring is imported on the first lookup.
"""

from __future__ import annotations

import contextlib
import json
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from penguin_tui.errors import ConfigError

# The keyring's service name for every key penguin-tui keeps there.
KEYRING_SERVICE = "penguin-tui"

Place = Literal["keyring", "file"]


@dataclass(frozen=True)
class StoredKey:
    """Where a key went: ``keyring`` (the system keyring) or ``file`` (``path``, 0600)."""

    account: str
    place: Place
    path: Path | None = None

    def describe(self) -> str:
        """The place in the user's words."""
        if self.place == "keyring":
            return f"the system keyring (service {KEYRING_SERVICE!r}, account {self.account!r})"
        return f"{self.path} (readable by you only)"


def key_account(litellm_provider: str, api_base: str | None) -> str:
    """The account a key is stored under: the API base when the config names one, else
    the provider."""
    return api_base.rstrip("/") if api_base else litellm_provider


def _keyring_get(account: str) -> str | None:
    """The keyring's entry, or None when there is none or no keyring works."""
    try:
        import keyring
        import keyring.errors

        return keyring.get_password(KEYRING_SERVICE, account)
    except Exception:  # no backend, a locked or broken one: the file is asked next
        return None


def _keyring_put(account: str, key: str) -> bool:
    """Store ``key`` in the keyring; False when no keyring works here."""
    try:
        import keyring

        keyring.set_password(KEYRING_SERVICE, account, key)
    except Exception:  # NoKeyringError and any backend failure: the file is used
        return False
    return True


def _keyring_delete(account: str) -> None:
    with contextlib.suppress(Exception):
        import keyring

        keyring.delete_password(KEYRING_SERVICE, account)


@dataclass(frozen=True)
class KeyStore:
    """The keys setup stored: in the keyring when ``use_keyring`` and one works, else in
    ``keys_file`` (a JSON object of account → key, mode 0600)."""

    keys_file: Path
    use_keyring: bool = True

    def get(self, account: str) -> str | None:
        """The stored key of ``account``: the keyring's, else the file's; None when neither
        has one."""
        if self.use_keyring:
            key = _keyring_get(account)
            if key:
                return key
        return self._read_file().get(account)

    def put(self, account: str, key: str) -> StoredKey:
        """Store ``key`` for ``account`` (replacing an older one) and say where it went."""
        if not key or key != key.strip() or "\n" in key:
            raise ConfigError("the key is empty or has spaces or line breaks around it")
        if self.use_keyring and _keyring_put(account, key):
            self._forget_in_file(account)
            return StoredKey(account, "keyring")
        keys = self._read_file()
        keys[account] = key
        self._write_file(keys)
        return StoredKey(account, "file", self.keys_file)

    def delete(self, account: str) -> None:
        """Forget ``account``'s key in both places."""
        if self.use_keyring:
            _keyring_delete(account)
        self._forget_in_file(account)

    def _forget_in_file(self, account: str) -> None:
        keys = self._read_file()
        if account in keys:
            del keys[account]
            self._write_file(keys)

    def _read_file(self) -> dict[str, str]:
        try:
            text = self.keys_file.read_text(encoding="utf-8")
        except FileNotFoundError:
            return {}
        except OSError as error:
            raise ConfigError(f"cannot read the key file {self.keys_file}: {error}") from error
        try:
            document = json.loads(text)
        except json.JSONDecodeError as error:
            raise ConfigError(
                f"the key file {self.keys_file} is not JSON; run setup again"
            ) from error
        if not isinstance(document, dict):
            return {}
        return {k: v for k, v in document.items() if isinstance(k, str) and isinstance(v, str)}

    def _write_file(self, keys: dict[str, str]) -> None:
        """Write the file whole, created 0600 (never readable by others, not even briefly)."""
        folder = self.keys_file.parent
        try:
            folder.mkdir(parents=True, exist_ok=True, mode=0o700)
            handle, temporary = tempfile.mkstemp(dir=folder, prefix=".keys-")  # 0600
            try:
                with os.fdopen(handle, "w", encoding="utf-8") as out:
                    json.dump(keys, out, indent=2)
                os.chmod(temporary, 0o600)
                os.replace(temporary, self.keys_file)
            finally:
                with contextlib.suppress(FileNotFoundError):
                    os.unlink(temporary)
        except OSError as error:
            raise ConfigError(f"cannot write the key file {self.keys_file}: {error}") from error
