"""The key store: a typed key goes to the keyring where one works, else to a 0600 file in
the data directory that the agent's tools and shell commands may not read unasked; an
environment variable still wins, and no key is ever written to a config file."""

from __future__ import annotations

import stat
from collections.abc import Iterator
from pathlib import Path

import keyring
import pytest
from keyring.backend import KeyringBackend
from keyring.compat import properties

from penguin_tui.config.keystore import KEYRING_SERVICE, KeyStore, key_account
from penguin_tui.config.paths import DataPaths, data_paths
from penguin_tui.engine.permissions import Action, Mode, PermissionPolicy, PermissionSettings
from penguin_tui.llm.target import resolve_target
from penguin_tui.setup.flow import SetupChoices, apply

KEY = "sk-stored-1f2e3d4c5b6a7980"
API_BASE = "https://models.example.test/v1"


class MemoryKeyring(KeyringBackend):
    """A keyring that works (kept in memory), never chosen by keyring on its own."""

    @properties.classproperty
    def priority(cls) -> float:
        raise RuntimeError("only for these tests")

    def __init__(self) -> None:
        super().__init__()  # type: ignore[no-untyped-call]
        self.entries: dict[tuple[str, str], str] = {}

    def get_password(self, service: str, username: str) -> str | None:
        return self.entries.get((service, username))

    def set_password(self, service: str, username: str, password: str) -> None:
        self.entries[(service, username)] = password

    def delete_password(self, service: str, username: str) -> None:
        self.entries.pop((service, username), None)


@pytest.fixture
def working_keyring() -> Iterator[MemoryKeyring]:
    before = keyring.get_keyring()
    memory = MemoryKeyring()
    keyring.set_keyring(memory)
    yield memory
    keyring.set_keyring(before)


def test_without_a_keyring_the_key_goes_to_a_0600_file_in_the_data_directory(
    penguin_home: Path,
) -> None:
    store = KeyStore(data_paths().keys_file)
    stored = store.put("openai", KEY)
    assert stored.place == "file"
    assert stored.path == penguin_home / "keys.json"
    assert stat.S_IMODE(stored.path.stat().st_mode) == 0o600
    assert store.get("openai") == KEY
    assert store.get("anthropic") is None


def test_with_a_working_keyring_the_key_goes_there_and_not_to_the_file(
    penguin_home: Path, working_keyring: MemoryKeyring
) -> None:
    store = KeyStore(data_paths().keys_file)
    assert store.put("openai", KEY).place == "keyring"
    assert working_keyring.entries[(KEYRING_SERVICE, "openai")] == KEY
    assert not (penguin_home / "keys.json").exists()
    assert store.get("openai") == KEY


def test_a_run_finds_the_stored_key_and_an_environment_variable_wins(
    penguin_home: Path,
) -> None:
    KeyStore(data_paths().keys_file).put(key_account("openai", API_BASE), KEY)
    environ = {"PENGUIN_HOME": str(penguin_home)}
    assert resolve_target("m1", API_BASE, environ).api_key == KEY
    assert resolve_target("m1", API_BASE, {**environ, "PENGUIN_API_KEY": "env"}).api_key == "env"
    named = resolve_target("m1", API_BASE, {**environ, "MY_TOKEN": "named"}, key_env="MY_TOKEN")
    assert named.api_key == "named"


def test_setup_never_writes_a_typed_key_to_the_config(penguin_home: Path) -> None:
    paths = data_paths()
    result = apply(
        SetupChoices(provider="openai-compatible", model="m1", api_base=API_BASE, key=KEY), paths
    )
    assert result.key is not None and result.key.place == "file"
    assert KEY not in paths.user_config.read_text(encoding="utf-8")
    assert KEY in paths.keys_file.read_text(encoding="utf-8")


def test_the_agent_may_not_read_the_key_file_unasked(tmp_path: Path) -> None:
    paths = DataPaths(root=tmp_path / "data", config_dir=tmp_path / "data")
    KeyStore(paths.keys_file).put("openai", KEY)
    project = tmp_path / "project"
    project.mkdir()
    user = PermissionSettings(mode=Mode.FULL)
    policy = PermissionPolicy(user, None, project, protected=paths.protected())
    reading = policy.check("read_file", {"path": str(paths.keys_file)})
    assert reading.action is not Action.ALLOW
    shell = policy.check("run_shell", {"command": f"cat {paths.keys_file}"})
    assert shell.action is not Action.ALLOW


def test_the_agent_may_not_read_the_line_modes_prompt_history_unasked(tmp_path: Path) -> None:
    paths = DataPaths(root=tmp_path / "data", config_dir=tmp_path / "data")
    paths.root.mkdir(parents=True)
    paths.prompt_history.write_text("a prompt\n", encoding="utf-8")
    project = tmp_path / "project"
    project.mkdir()
    policy = PermissionPolicy(
        PermissionSettings(mode=Mode.FULL), None, project, protected=paths.protected()
    )
    assert policy.check("read_file", {"path": str(paths.prompt_history)}).action is not Action.ALLOW
