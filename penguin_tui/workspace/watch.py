"""Watching the project for edits made outside penguin-tui (an editor, a shell, git).

The watcher only says *that* something changed; the snapshot decides what. It skips the
project's ``.git``, penguin-tui's own files (its database, logs, shadow repositories) and the
temporary files a restore writes beside each file it puts back, so its own work does not
wake it.
"""

from __future__ import annotations

import asyncio
import logging
import os
from collections.abc import Awaitable, Callable, Iterator, Sequence
from pathlib import Path

log = logging.getLogger("penguin_tui.workspace.watch")

OnChange = Callable[[set[str]], Awaitable[None]]

# A restore writes each file to a sibling named ``.penguin-restore-<hash>`` and renames it
# into place (checkpoints/worktree.py); the bare name is what older versions used.
RESTORE_TEMP_PREFIX = ".penguin-restore"


def is_restore_temp(path: str) -> bool:
    """Whether ``path`` names one of a restore's temporary files."""
    name = path.rsplit("/", 1)[-1]
    return name == RESTORE_TEMP_PREFIX or name.startswith(RESTORE_TEMP_PREFIX + "-")


def _filter(root: Path, skip: Sequence[Path]) -> Callable[[object, str], bool]:
    # A skipped folder that holds the whole project would silence the watcher: it is the
    # project's parent (the demo's project lives in penguin-tui's data folder), not a part.
    skipped = [str(path) for path in skip if not root.is_relative_to(path)]
    git_dir = str(root / ".git")

    def wanted(_change: object, path: str) -> bool:
        if path == git_dir or path.startswith(git_dir + "/"):
            return False
        if any(path == s or path.startswith(s + "/") for s in skipped):
            return False
        return not is_restore_temp(path)

    return wanted


async def watch_project(
    root: Path,
    on_change: OnChange,
    *,
    skip: Sequence[Path] = (),
    debounce_ms: int = 300,
    stop: asyncio.Event | None = None,
) -> None:
    """Call ``on_change`` with the changed paths (relative to ``root``) until stopped.

    A name that is not UTF-8 breaks watchfiles' watcher for good (it reports it as an error,
    and the other changes of that batch are lost): the watcher is started again after it, and
    that path is reported on its own (a lost change still reaches the next checkpoint, which
    looks at the whole tree).
    """
    from watchfiles import awatch

    wanted = _filter(root, skip)
    while True:
        try:
            async for changes in awatch(
                root, watch_filter=wanted, debounce=debounce_ms, stop_event=stop, recursive=True
            ):
                paths = _relative(root, [path for _change, path in changes])
                if paths:
                    await on_change(paths)
            return
        except (OSError, RuntimeError, ExceptionGroup) as error:
            names = [_undecodable_name(leaf) for leaf in _leaves(error)]
            if not names or None in names:  # e.g. too many files for inotify
                log.warning("watching %s stopped: %s", root, error)
                return
        paths = _relative(root, [name for name in names if name and wanted(None, name)])
        if paths:
            await on_change(paths)


def _relative(root: Path, paths: list[str]) -> set[str]:
    """``paths`` relative to ``root``; those outside it are left out."""
    found = set()
    for path in paths:
        try:
            found.add(Path(path).relative_to(root).as_posix())
        except ValueError:
            continue
    return found


def _leaves(error: BaseException) -> Iterator[BaseException]:
    if isinstance(error, BaseExceptionGroup):
        for inner in error.exceptions:
            yield from _leaves(inner)
    else:
        yield error


_UNDECODABLE = "Unable to decode path "


def _undecodable_name(error: BaseException) -> str | None:
    """The path of watchfiles' "Unable to decode path \"…\" to string" (written as Rust
    debug-prints a path: bad bytes as ``\\xNN``), as ``os.fsdecode`` gives it; None for any
    other error."""
    text = str(error)
    start = text.find(_UNDECODABLE + '"')
    end = text.rfind('" to string')
    if start < 0 or end < 0:
        return None
    quoted = text[start + len(_UNDECODABLE) + 1 : end]
    try:
        return os.fsdecode(_unescape_rust(quoted))
    except ValueError:
        return None


_RUST_ESCAPES = {"n": b"\n", "t": b"\t", "r": b"\r", "0": b"\0", "\\": b"\\", '"': b'"', "'": b"'"}


def _unescape_rust(text: str) -> bytes:
    """The bytes of a Rust debug-printed string: ``\\xNN``, ``\\u{…}`` and the one-letter
    escapes undone; raises ValueError on anything else."""
    out = bytearray()
    i = 0
    while i < len(text):
        char = text[i]
        if char != "\\":
            out += char.encode()
            i += 1
            continue
        kind = text[i + 1 : i + 2]
        if kind == "x":
            out.append(int(text[i + 2 : i + 4], 16))
            i += 4
        elif kind == "u" and text[i + 2 : i + 3] == "{":
            close = text.index("}", i)
            out += chr(int(text[i + 3 : close], 16)).encode()
            i = close + 1
        elif kind in _RUST_ESCAPES:
            out += _RUST_ESCAPES[kind]
            i += 2
        else:
            raise ValueError(f"unknown escape in {text!r}")
    return bytes(out)
