"""Watching the project for edits made outside penguin-tui (an editor, a shell, git).

The watcher only says *that* something changed; the snapshot decides what. It skips the
project's ``.git``, penguin-tui's own files (its database, logs, shadow repositories) and the
temporary files a restore writes beside each file it puts back, so its own work does not
wake it.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Sequence
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
    """Call ``on_change`` with the changed paths (relative to ``root``) until stopped."""
    from watchfiles import awatch

    try:
        async for changes in awatch(
            root,
            watch_filter=_filter(root, skip),
            debounce=debounce_ms,
            stop_event=stop,
            recursive=True,
        ):
            paths = set()
            for _change, path in changes:
                try:
                    paths.add(Path(path).relative_to(root).as_posix())
                except ValueError:
                    continue
            if paths:
                await on_change(paths)
    except (OSError, RuntimeError) as error:  # e.g. too many files for inotify
        log.warning("watching %s stopped: %s", root, error)
