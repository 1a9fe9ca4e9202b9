"""The user config file's layout version (``schema_version``) and the migrations between them.

A user file of an older version is upgraded when it is loaded: the original is copied next to
it (``config.toml.bak-<old version>``), every migration since its version is applied with its
comments and layout kept, ``schema_version`` is set, and a one-line notice says so. A file
without ``schema_version`` is version 1; it is rewritten only when a migration changes it.

A project's file is never rewritten: an older one is read as if upgraded, with a notice.

Each migration is a function over the file's tables (a plain dict or a tomlkit document
alike) that changes them in place and returns what it changed in a few words, or None.
"""

from __future__ import annotations

import copy
import shutil
from collections.abc import Callable, MutableMapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from penguin_tui.errors import ConfigError

Tables = MutableMapping[str, Any]
Migration = Callable[[Tables], str | None]

# The most a run_shell command may run, in seconds.
SHELL_TIMEOUT_CAP = 600


def _cap_shell_timeout(tables: Tables) -> str | None:
    """Version 2: ``[agent] shell_timeout_s`` above 600 was accepted (up to 3600) and acted
    as 600; it is refused now, so it becomes 600."""
    agent = tables.get("agent")
    if not isinstance(agent, MutableMapping):
        return None
    value = agent.get("shell_timeout_s")
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    if value <= SHELL_TIMEOUT_CAP:
        return None
    agent["shell_timeout_s"] = SHELL_TIMEOUT_CAP
    return f"[agent] shell_timeout_s {value:g} -> {SHELL_TIMEOUT_CAP}"


# MIGRATIONS[n] upgrades a file of version n + 1 to version n + 2.
MIGRATIONS: list[Migration] = [_cap_shell_timeout]
CURRENT_VERSION = len(MIGRATIONS) + 1


@dataclass(frozen=True)
class Upgrade:
    """What loading one config file did to it: its tables as read (upgraded where needed),
    and the one-line notice to show, if any."""

    tables: dict[str, Any]
    notice: str | None = None


def file_version(tables: Tables) -> int:
    """The file's ``schema_version`` (1 when it has none or it is not a whole number)."""
    version = tables.get("schema_version")
    if isinstance(version, bool) or not isinstance(version, int):
        return 1
    return version


def migrate(tables: Tables, version: int) -> list[str]:
    """Apply every migration after ``version`` to ``tables`` in place; what each changed."""
    changes: list[str] = []
    for migration in MIGRATIONS[max(version - 1, 0) :]:
        change = migration(tables)
        if change:
            changes.append(change)
    return changes


def upgrade_user_file(path: Path, tables: dict[str, Any]) -> Upgrade:
    """The user file at ``path`` (whose parsed ``tables`` are given) upgraded on disk when it
    is older: backup, migrations, ``schema_version``. When it cannot be written the upgraded
    tables are still used, and the notice says why the file stayed as it was."""
    version = file_version(tables)
    if version > CURRENT_VERSION:
        return Upgrade(
            tables,
            f"{path} is schema_version {version}, from a newer penguin-tui "
            f"(this one knows {CURRENT_VERSION}); it is read as it is",
        )
    upgraded = copy.deepcopy(tables)
    changes = migrate(upgraded, version)
    if version == CURRENT_VERSION or ("schema_version" not in tables and not changes):
        return Upgrade(tables)
    upgraded["schema_version"] = CURRENT_VERSION
    said = "; ".join(changes) or "no setting changed"
    try:
        backup = _rewrite(path, version)
    except ConfigError as error:
        return Upgrade(
            upgraded,
            f"{path} is read as schema_version {CURRENT_VERSION} ({said}) "
            f"but was left as it is: {error}",
        )
    return Upgrade(
        upgraded,
        f"upgraded {path} from schema_version {version} to "
        f"{CURRENT_VERSION} ({said}); the old file is {backup}",
    )


def read_project_file(path: Path, tables: dict[str, Any]) -> Upgrade:
    """A project's file read as if upgraded, never rewritten; a notice when it is older."""
    version = file_version(tables)
    upgraded = copy.deepcopy(tables)
    changes = migrate(upgraded, version)
    upgraded.pop("schema_version", None)
    explicit = "schema_version" in tables
    if version > CURRENT_VERSION or not (changes or (explicit and version < CURRENT_VERSION)):
        return Upgrade(tables)
    said = "; ".join(changes) or "no setting changed"
    return Upgrade(
        upgraded,
        f"{path} is an older project config (schema_version {version}): "
        f"read as {CURRENT_VERSION} ({said}); the file is left as it is",
    )


def backup_path(path: Path, version: int) -> Path:
    """Where the file of ``version`` is kept before its upgrade (never over an older backup)."""
    candidate = path.with_name(f"{path.name}.bak-{version}")
    number = 1
    while candidate.exists():
        number += 1
        candidate = path.with_name(f"{path.name}.bak-{version}.{number}")
    return candidate


def _rewrite(path: Path, version: int) -> Path:
    from penguin_tui.config.editing import read_document, write_document

    document = read_document(path)
    migrate(document, version)
    document["schema_version"] = CURRENT_VERSION  # tomlkit puts it above the first table
    backup = backup_path(path, version)
    try:
        shutil.copy2(path, backup)
    except OSError as error:
        raise ConfigError(f"cannot back it up to {backup}: {error.strerror}") from error
    try:
        write_document(path, document)
    except ConfigError:
        backup.unlink(missing_ok=True)
        raise
    return backup
