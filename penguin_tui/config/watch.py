"""Config files on disk, followed while the workbench runs: what changed, and what is wrong.

``watch_files`` reports the watched files an editor saved (written in place, or renamed into
place, or created with their folder); ``reload_problem`` turns a file that cannot be used into
one line naming the file, the line and the key; ``project_model`` and ``refused_keys`` are
the rules a project's file keeps on reload (a new model needs a yes; the approval keys are
the user's alone).
"""

from __future__ import annotations

import asyncio
import logging
import re
from collections.abc import Awaitable, Callable, Collection, Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

from penguin_tui.errors import ConfigError

log = logging.getLogger("penguin_tui.config.watch")

OnFiles = Callable[[set[Path]], Awaitable[None]]

# The [model] settings a project's file may change only with the user's yes.
GUARDED_MODEL_SETTINGS = ("name", "api_base", "prices")

_TOML_LINE = re.compile(r"at line (\d+), column (\d+)")
_TABLE = re.compile(r"^\s*\[\[?\s*([^\]]+?)\s*\]\]?\s*(?:#.*)?$")
_KEY = re.compile(r"^\s*([A-Za-z0-9_.\-\"' ]+?)\s*=")


def _watched_folder(path: Path) -> Path:
    """The nearest folder of ``path`` that exists: its own, or the one it will be made in."""
    folder = path if path.is_dir() else path.parent
    while not folder.exists() and folder != folder.parent:
        folder = folder.parent
    return folder


async def watch_files(
    files: Sequence[Path],
    folders: Sequence[Path],
    on_change: OnFiles,
    *,
    stop: asyncio.Event,
    debounce_ms: int = 200,
) -> None:
    """Call ``on_change`` with the ``files`` (and the files inside ``folders``) that changed,
    until ``stop`` is set. A file whose folder does not exist yet is found once it is made."""
    from watchfiles import awatch

    wanted_files = {path.absolute() for path in files}
    wanted_folders = {path.absolute() for path in folders}
    while not stop.is_set():
        roots = sorted({_watched_folder(path) for path in (*wanted_files, *wanted_folders)})
        try:
            async for changes in awatch(
                *roots, debounce=debounce_ms, stop_event=stop, recursive=False
            ):
                changed = {Path(path) for _change, path in changes}
                hits = {p for p in changed if p in wanted_files or p.parent in wanted_folders}
                if hits:
                    await on_change(hits)
                if sorted({_watched_folder(p) for p in (*wanted_files, *wanted_folders)}) != roots:
                    # A folder was made (or removed): watch where the files now live.
                    made = {p for p in wanted_files if p.exists() and p not in hits}
                    if made:
                        await on_change(made)
                    break
            else:
                return
        except (OSError, RuntimeError) as error:
            log.warning("watching the config files stopped: %s", error)
            return


def reload_problem(error: ConfigError) -> str:
    """One line for a config file that cannot be used: the file, the line, the key and what
    is wrong (the last good settings stay in force)."""
    message = error.message
    setting = re.match(r"bad setting (\S+) from (/.+?): ", message)
    if setting:
        line = line_of_key(Path(setting[2]), setting[1])
        if line is not None:
            message = f"{message} (line {line})"
    else:
        found = _TOML_LINE.search(message)
        where = _file_named(message)
        if found and where:
            key = key_at_line(where, int(found[1]))
            if key:
                message = f"{message}; the line sets {key}"
    return f"{message}; the last good settings stay in force"


def _file_named(message: str) -> Path | None:
    """The config file a message names (``config file <file> is …``)."""
    match = re.search(r"config file (/.+?) is ", message)
    return Path(match[1]) if match else None


def _lines(path: Path) -> list[str]:
    try:
        return path.read_text(encoding="utf-8", errors="replace").splitlines()
    except OSError:
        return []


def _parts(name: str) -> list[str]:
    return [part.strip().strip("\"'") for part in name.split(".")]


def line_of_key(path: Path, dotted: str) -> int | None:
    """The line (from 1) that sets ``dotted`` (``agent.max_steps``) or opens its table."""
    wanted = _parts(dotted)
    table: list[str] = []
    best: int | None = None
    for number, text in enumerate(_lines(path), 1):
        if header := _TABLE.match(text):
            table = _parts(header[1])
            if table == wanted[: len(table)] and best is None and len(table) == len(wanted):
                best = number
            continue
        if key := _KEY.match(text):
            full = [*table, *_parts(key[1])]
            if full == wanted[: len(full)]:
                return number
    return best


def key_at_line(path: Path, line: int) -> str | None:
    """The dotted key set on ``line`` (from 1), with the table it sits in; None when the line
    sets none."""
    table: list[str] = []
    for number, text in enumerate(_lines(path), 1):
        if number == line:
            key = _KEY.match(text)
            return ".".join([*table, *_parts(key[1])]) if key else None
        if header := _TABLE.match(text):
            table = _parts(header[1])
    return None


def project_model(layer: Mapping[str, Any]) -> dict[str, Any]:
    """What a project's file says about the guarded [model] settings (name, API base, prices)."""
    model = layer.get("model", {})
    if not isinstance(model, dict):
        return {}
    return {key: model[key] for key in GUARDED_MODEL_SETTINGS if key in model}


def refused_keys(layer: Mapping[str, Any], protected: Collection[str]) -> list[str]:
    """The binding ids of ``protected`` that a project's ``[ui.keys]`` tries to move."""
    ui = layer.get("ui", {})
    keys = ui.get("keys", {}) if isinstance(ui, dict) else {}
    return sorted(key for key in keys if key in protected) if isinstance(keys, dict) else []


def kept_keys(
    merged: Mapping[str, str], user_layer: Mapping[str, Any], refused: Iterable[str]
) -> dict[str, str]:
    """``merged`` ``[ui.keys]`` with each refused id back to the user's own (or the default)."""
    ui = user_layer.get("ui", {})
    user_keys = ui.get("keys", {}) if isinstance(ui, dict) else {}
    keys = dict(merged)
    for binding_id in refused:
        if isinstance(user_keys, dict) and isinstance(user_keys.get(binding_id), str):
            keys[binding_id] = user_keys[binding_id]
        else:
            keys.pop(binding_id, None)
    return keys
