"""``penguin-tui config get|set|unset|list|edit|validate``: the settings from a script.

Answers before litellm could load: settings, tomlkit and pydantic only, never the engine or
the runtime. Writes go through ``config.editing`` (comments and layout kept, the whole file
checked against the schema first, an atomic rename).
"""

from __future__ import annotations

import argparse
import json
import os
import shlex
import subprocess
import tomllib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pydantic import BaseModel

from penguin_tui.cli.exit_codes import ExitCode, fail
from penguin_tui.config import editing
from penguin_tui.config.paths import data_paths, project_directory
from penguin_tui.config.secrets import REDACTED, Redactor, is_secret_name
from penguin_tui.config.settings import (
    PROJECT_CONFIG,
    Layer,
    Settings,
    merge_layers,
    settings_layers,
)
from penguin_tui.errors import ConfigError


@dataclass(frozen=True)
class Entry:
    """One setting's effective value and the layer it came from (``default``, ``user``,
    ``project``, ``environment``, ``flag``), with that layer's file when it is one."""

    key: str
    value: Any
    source: str
    file: str | None = None


def config_action(options: argparse.Namespace) -> ExitCode:
    """Run ``options.action``; a ConfigError is its one line on stderr and exit 2."""
    actions = {
        "get": _get,
        "set": _set,
        "unset": _unset,
        "list": _list,
        "edit": _edit,
        "validate": _validate,
    }
    try:
        return actions[options.action](options)
    except ConfigError as error:
        return fail(error.message, ExitCode.USAGE)


def _project_dir(options: argparse.Namespace) -> Path:
    return project_directory(getattr(options, "directory", None))


def _target(options: argparse.Namespace) -> Path:
    """The file a write goes to: the project's with ``--project``, else the user's."""
    if options.project:
        return _project_dir(options) / PROJECT_CONFIG
    user = data_paths().user_config
    settings_layers(user, None)  # an older user file is upgraded before it is changed
    return user


def _layers(options: argparse.Namespace) -> list[Layer]:
    return settings_layers(
        data_paths().user_config,
        _project_dir(options),
        model=getattr(options, "model", None),
        api_base=getattr(options, "api_base", None),
    )


def _get(options: argparse.Namespace) -> ExitCode:
    parts = editing.split_key(options.key)
    layers = _layers(options)
    settings = merge_layers(layers)
    leaves = {entry.key: entry for entry in entries(settings, layers)}
    entry = leaves.get(editing.join_key(parts))
    if entry is None:
        entry = _inside_a_leaf(parts, settings, layers)
    if entry.value is None:
        return fail(f"{entry.key} is not set", ExitCode.FAILED)
    print(_literal(entry.value))
    return ExitCode.OK


def _inside_a_leaf(parts: tuple[str, ...], settings: Settings, layers: list[Layer]) -> Entry:
    """A key inside an open table such as ``model.prices`` or ``ui.keys``."""
    for size in range(len(parts) - 1, 0, -1):
        if _is_open_table(parts[:size]):
            dumped = settings.model_dump()
            try:
                value = editing.get_value(dumped, parts)
            except KeyError:
                value = None
            key = editing.join_key(parts)
            return Entry(key, _masked(parts[-1], value), *_source(parts, layers))
    raise ConfigError(f"there is no setting {editing.join_key(parts)}")


def _is_open_table(parts: tuple[str, ...]) -> bool:
    """Whether ``parts`` names a setting that is a table of free keys (not a model's)."""
    model: type[BaseModel] = Settings
    for index, part in enumerate(parts):
        field = model.model_fields.get(part)
        if field is None:
            return False
        annotation = field.annotation
        if isinstance(annotation, type) and issubclass(annotation, BaseModel):
            model = annotation
            continue
        return index == len(parts) - 1 and "dict" in str(annotation)
    return False


def entries(settings: Settings, layers: list[Layer]) -> list[Entry]:
    """Every setting of the schema with its effective value (secrets masked) and source."""
    return [
        Entry(editing.join_key(parts), _masked(parts[-1], value), *_source(parts, layers))
        for parts, value in _leaves(settings, ())
    ]


def _leaves(model: BaseModel, prefix: tuple[str, ...]) -> Iterator[tuple[tuple[str, ...], Any]]:
    for name in type(model).model_fields:
        value = getattr(model, name)
        if isinstance(value, BaseModel):
            yield from _leaves(value, (*prefix, name))
        else:
            yield (*prefix, name), _plain(value)


def _plain(value: Any) -> Any:
    if isinstance(value, BaseModel):
        return value.model_dump(exclude_none=True)
    if isinstance(value, dict):
        return {key: _plain(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_plain(item) for item in value]
    return value


def _source(parts: tuple[str, ...], layers: list[Layer]) -> tuple[str, str | None]:
    """The last layer that sets ``parts`` (``default`` when none does), and its file."""
    for layer in reversed(layers):
        try:
            editing.get_value(layer.values, parts)
        except KeyError:
            continue
        file = layer.source if layer.kind in ("user", "project") else None
        return layer.kind, file
    return "default", None


def _masked(name: str, value: Any) -> Any:
    """``value`` with secrets hidden: a free key whose name is a secret's, and anything that
    looks like a key or holds a password in a URL."""
    if isinstance(value, dict):
        return {
            key: REDACTED if is_secret_name(key) and value[key] else _masked(key, value[key])
            for key in value
        }
    if isinstance(value, list):
        return [_masked(name, item) for item in value]
    if isinstance(value, str):
        return Redactor()(value)
    return value


def _literal(value: Any) -> str:
    """A value as ``get`` and ``list`` print it: a string as it is, else as TOML."""
    return value if isinstance(value, str) else _toml(value)


def _toml(value: Any) -> str:
    import tomlkit

    if isinstance(value, dict):
        inside = ", ".join(f"{editing.join_key([k])} = {_toml(v)}" for k, v in value.items())
        return f"{{{inside}}}" if inside else "{}"
    if isinstance(value, list):
        return "[" + ", ".join(_toml(item) for item in value) + "]"
    return str(tomlkit.item(value).as_string())


def _set(options: argparse.Namespace) -> ExitCode:
    path = _target(options)
    value = editing.parse_literal(options.value)
    editing.set_value(path, options.key, value)
    print(f"{options.key} = {_literal(_masked(options.key, value))}  ({path})")
    return ExitCode.OK


def _unset(options: argparse.Namespace) -> ExitCode:
    path = _target(options)
    if not editing.unset_value(path, options.key):
        return fail(f"{options.key} is not set in {path}", ExitCode.FAILED)
    print(f"{options.key} removed from {path}")
    return ExitCode.OK


def _list(options: argparse.Namespace) -> ExitCode:
    layers = _layers(options)
    found = entries(merge_layers(layers), layers)
    if options.json:
        print(json.dumps([_as_json(entry) for entry in found], indent=2))
        return ExitCode.OK
    width = max(len(entry.key) for entry in found)
    for entry in found:
        shown = "(not set)" if entry.value is None else _literal(entry.value)
        where = entry.source if entry.file is None else f"{entry.source}: {entry.file}"
        print(f"{entry.key:<{width}}  {shown}  [{where}]")
    return ExitCode.OK


def _as_json(entry: Entry) -> dict[str, Any]:
    shown: dict[str, Any] = {"key": entry.key, "value": entry.value, "source": entry.source}
    if entry.file is not None:
        shown["file"] = entry.file
    return shown


def _edit(options: argparse.Namespace) -> ExitCode:
    path = _target(options)
    if not path.exists():
        editing.write_text_atomically(path, "")
    editor = os.environ.get("VISUAL") or os.environ.get("EDITOR") or "vi"
    try:
        result = subprocess.run([*shlex.split(editor), str(path)], check=False)
    except OSError as error:
        return fail(f"cannot start the editor {editor!r}: {error.strerror}", ExitCode.FAILED)
    if result.returncode != 0:
        return fail(f"the editor {editor!r} exited with {result.returncode}", ExitCode.FAILED)
    _check_file(path)
    return ExitCode.OK


def _validate(options: argparse.Namespace) -> ExitCode:
    user = data_paths().user_config
    project = _project_dir(options) / PROJECT_CONFIG
    for path in (user, project):
        if path.exists():
            _check_file(path)
            print(f"{path}: ok")
    merge_layers(settings_layers(None, None))  # the environment's settings too
    return ExitCode.OK


def _check_file(path: Path) -> None:
    """A one-line ConfigError (file, line, key) when ``path`` would not load; an older file is
    checked as its upgrade would read it."""
    from penguin_tui.config import migrations

    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        raise ConfigError(f"config file {path} is not valid UTF-8; save it as UTF-8") from None
    except OSError as error:
        raise ConfigError(f"cannot read config file {path}: {error.strerror}") from error
    try:
        tables = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        raise ConfigError(f"config file {path} is not valid TOML: {error}") from error
    migrations.migrate(tables, migrations.file_version(tables))
    editing.check_tables(path, text, tables)
