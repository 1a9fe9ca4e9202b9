"""The one way to change a config file: its comments and layout kept (tomlkit), the whole
result checked against the settings schema before anything is written, and the write atomic
(a temporary file beside it, fsync, rename; the file's mode kept).

    set_value(path, "agent.max_steps", parse_literal("40"))
    unset_value(path, "model.api_base")

A key is dotted, its parts bare (``agent.max_steps``) or quoted when they hold a dot or a
slash (``model.context_windows."ollama/qwen2.5"``). Every failure is a ``ConfigError`` whose
message is one line naming the file (and, for a bad setting, its line and key).
"""

from __future__ import annotations

import os
import re
import tempfile
import tomllib
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import tomlkit
from pydantic import ValidationError
from tomlkit.container import Container
from tomlkit.exceptions import ParseError
from tomlkit.items import AoT, Null, Table, Whitespace
from tomlkit.toml_document import TOMLDocument

from penguin_tui.errors import ConfigError

# A file written for the first time is readable by its owner only.
NEW_FILE_MODE = 0o600

_BARE_KEY = re.compile(r"[A-Za-z0-9_-]+")


def split_key(dotted_key: str) -> tuple[str, ...]:
    """``a.b."c/d"`` as ``("a", "b", "c/d")``; a ConfigError when it is not a TOML key."""
    try:
        parsed = tomllib.loads(f"{dotted_key} = 0")
    except tomllib.TOMLDecodeError:
        raise ConfigError(
            f"{dotted_key!r} is not a setting name; write it dotted, e.g. agent.max_steps"
        ) from None
    parts: list[str] = []
    node: Any = parsed
    while isinstance(node, dict):
        (name, node), *_ = node.items()
        parts.append(name)
    return tuple(parts)


def join_key(parts: tuple[str, ...] | list[str]) -> str:
    """The dotted form of ``parts``, quoting a part that is not a bare TOML key."""
    return ".".join(p if _BARE_KEY.fullmatch(p) else tomlkit.string(p).as_string() for p in parts)


def parse_literal(text: str) -> Any:
    """VALUE as a TOML literal (``true``, ``3``, ``1.5``, ``"text"``, ``["a", "b"]``,
    ``{ x = 1 }``), else the text itself as a string."""
    try:
        return tomllib.loads(f"value = {text}")["value"]
    except tomllib.TOMLDecodeError:
        return text


def read_document(path: Path) -> TOMLDocument:
    """The file as an editable document (an empty one when the file does not exist)."""
    try:
        text = path.read_text(encoding="utf-8")
    except (FileNotFoundError, NotADirectoryError):
        return tomlkit.document()
    except UnicodeDecodeError:
        raise ConfigError(f"config file {path} is not valid UTF-8; save it as UTF-8") from None
    except OSError as error:
        raise ConfigError(f"cannot read config file {path}: {error.strerror}") from error
    try:
        return tomlkit.parse(text)
    except ParseError as error:
        raise ConfigError(f"config file {path} is not valid TOML: {error}") from error


def set_value(path: Path, dotted_key: str, value: Any) -> None:
    """Set one setting in the file at ``path`` (created, with its folder, when missing).

    Comments and layout elsewhere in the file are kept byte for byte; a replaced value keeps
    its own trailing comment. Nothing is written when the result breaks the schema.
    """
    parts = split_key(dotted_key)
    document = read_document(path)
    table = _table_for(document, parts[:-1], path, create=True, table_value=isinstance(value, dict))
    created = isinstance(table, Table) and not table.value.body
    table[parts[-1]] = value
    if created and len(parts) > 2 and not table.is_super_table():
        table.add(tomlkit.nl())  # a blank line before whatever table follows
    write_document(path, document)


def unset_value(path: Path, dotted_key: str) -> bool:
    """Remove one setting (or a whole table) from the file; False when it was not set there.

    A table left empty by the removal stays, with its comments.
    """
    parts = split_key(dotted_key)
    document = read_document(path)
    table = _table_for(document, parts[:-1], path, create=False)
    if table is None or parts[-1] not in table:
        return False
    del table[parts[-1]]
    if len(parts) > 1 and _is_blank(table):
        parent = _table_for(document, parts[:-2], path, create=False)
        del parent[parts[-2]]
    write_document(path, document)
    return True


def _is_blank(table: Any) -> bool:
    """A table with no settings and no comments left in it."""
    if not isinstance(table, Table):
        return False
    body = table.value.body
    return all(key is None and isinstance(item, Whitespace | Null) for key, item in body)


def get_value(document: Mapping[str, Any], parts: tuple[str, ...]) -> Any:
    """The plain value at ``parts`` in ``document``; KeyError when it is not there."""
    node: Any = document
    for part in parts:
        if not isinstance(node, Mapping) or part not in node:
            raise KeyError(join_key(parts))
        node = node[part]
    return node.unwrap() if hasattr(node, "unwrap") else node


def _table_for(
    document: TOMLDocument,
    parts: tuple[str, ...],
    path: Path,
    *,
    create: bool,
    table_value: bool = False,
) -> Any:
    """The table at ``parts``; created when missing and ``create`` (a table that holds only
    tables, e.g. the ``[model.prices]`` above ``[model.prices."m"]``, gets no header)."""
    node: Any = document
    for depth, part in enumerate(parts):
        if part not in node:
            if not create:
                return None
            holds_tables = depth + 1 < len(parts) or table_value
            node.append(part, tomlkit.table(is_super_table=holds_tables))
        child = node[part]
        if isinstance(child, AoT) or not isinstance(child, Table | Container | Mapping):
            name = join_key(parts[: depth + 1])
            raise ConfigError(f"{name} in {path} is a value, not a table of settings")
        node = child
    return node


def check_document(path: Path, document: TOMLDocument) -> None:
    """Raise a one-line ConfigError (file, line, key, what is wrong) when ``document`` would
    not load as a config file."""
    check_text(path, tomlkit.dumps(document))


def check_text(path: Path, text: str) -> None:
    """Raise a one-line ConfigError (file, line, key, what is wrong) when ``text`` is not a
    config file the settings schema accepts."""
    try:
        tables = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        raise ConfigError(f"config file {path} is not valid TOML: {error}") from error
    check_tables(path, text, tables)


def check_tables(path: Path, text: str, tables: Mapping[str, Any]) -> None:
    """Raise a one-line ConfigError when ``tables`` (read from ``text``, perhaps upgraded)
    break the settings schema, naming the line of ``text`` that sets the bad key."""
    from penguin_tui.config.settings import Settings, describe_setting_error

    try:
        Settings.model_validate(tables)
    except ValidationError as error:
        loc = tuple(str(part) for part in error.errors()[0]["loc"])
        line = key_line(text, loc)
        source = f"{path}" if line is None else f"{path} line {line}"
        raise ConfigError(describe_setting_error(error, source)) from error


def key_line(text: str, loc: tuple[str, ...]) -> int | None:
    """The line (from 1) that sets ``loc`` or the nearest table above it in ``text``."""
    best: tuple[int, int] | None = None  # (matched parts, line)
    table: tuple[str, ...] = ()
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        if line.startswith("["):
            header = line.strip("[]").split("]")[0].strip()
            table = _try_split(header) or ()
            found = table
        else:
            name = line.split("=", 1)[0].strip()
            found = table + (_try_split(name) or ("\0",))
        matched = len(found)
        if found and loc[:matched] == found and (best is None or matched > best[0]):
            best = (matched, number)
    return None if best is None else best[1]


def _try_split(name: str) -> tuple[str, ...] | None:
    try:
        return split_key(name)
    except ConfigError:
        return None


def write_document(path: Path, document: TOMLDocument) -> None:
    """Check ``document`` against the schema, then write it atomically: a temporary file in
    the same folder, fsync, rename over ``path`` (a symbolic link's target is the file
    written). The file's mode is kept; a new file gets ``NEW_FILE_MODE``."""
    check_document(path, document)
    write_text_atomically(path, tomlkit.dumps(document))


def write_text_atomically(path: Path, text: str) -> None:
    """Replace ``path`` with ``text`` in one rename, the file's mode kept."""
    target = path.resolve() if path.is_symlink() else path
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        try:
            mode = target.stat().st_mode & 0o7777
        except FileNotFoundError:
            mode = NEW_FILE_MODE
        handle, temporary = tempfile.mkstemp(
            prefix=f".{target.name}.", suffix=".tmp", dir=target.parent
        )
        try:
            with os.fdopen(handle, "w", encoding="utf-8", newline="") as stream:
                stream.write(text)
                stream.flush()
                os.fchmod(stream.fileno(), mode)
                os.fsync(stream.fileno())
            os.replace(temporary, target)
        except BaseException:
            Path(temporary).unlink(missing_ok=True)
            raise
        _fsync_folder(target.parent)
    except OSError as error:
        raise ConfigError(f"cannot write config file {path}: {error.strerror}") from error


def _fsync_folder(folder: Path) -> None:
    try:
        descriptor = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(descriptor)
    except OSError:
        pass
    finally:
        os.close(descriptor)
