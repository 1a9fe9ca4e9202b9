"""The edge of every command that opens the store or the project: one event loop, and every
error turned into one line on stderr and an exit code (never a traceback)."""

from __future__ import annotations

import argparse
import asyncio
import logging
from collections.abc import Callable, Coroutine
from pathlib import Path
from typing import TYPE_CHECKING, Any

from penguin_tui.cli.exit_codes import ExitCode, fail
from penguin_tui.config import data_paths
from penguin_tui.config.logs import setup_logging
from penguin_tui.errors import ConfigError, PenguinError

if TYPE_CHECKING:
    from penguin_tui.store import Store

log = logging.getLogger("penguin_tui.cli")

# A sub-command's action (``checkpoints list``, ``branches merge``…) on its parsed arguments.
Handler = Callable[[argparse.Namespace], Coroutine[Any, Any, ExitCode]]


async def _to_the_end(command: Callable[[], Coroutine[Any, Any, ExitCode]]) -> ExitCode:
    """The command, then the end of litellm's pending work, whatever way the command ends:
    the event loop must close after it, never before (no warning, no traceback at exit)."""
    from penguin_tui.llm.loader import shutdown_litellm

    try:
        return await command()
    finally:
        await shutdown_litellm(final=True)


def run_at_edge(command: Callable[[], Coroutine[Any, Any, ExitCode]]) -> ExitCode:
    """Run a command, turning every error into one line and an exit code."""
    log_file = setup_logging(data_paths())
    try:
        return asyncio.run(_to_the_end(command))
    except ConfigError as error:
        return fail(error.message, ExitCode.USAGE)
    except PenguinError as error:
        return fail(error.message)
    except KeyboardInterrupt:
        return fail("interrupted", ExitCode.INTERRUPTED)
    except BrokenPipeError:
        raise  # the reader went away (`| head`): cli.main ends quietly
    except Exception as error:  # the last line of defence: never a traceback on screen
        log.exception("unexpected error")
        where = f" (details in {log_file})" if log_file else ""
        return fail(f"unexpected error: {type(error).__name__}: {error}{where}")


async def open_data_store(project_dir: Path | None = None) -> Store:
    """The store, for the commands that need no checkpoints or model (sessions, audit,
    tasks); with the project's folder, its configuration's secrets are redacted too."""
    from penguin_tui.config import load_settings
    from penguin_tui.store.store import Store

    paths = data_paths()
    settings = load_settings(paths.user_config, project_dir)
    return await Store.open_data_store(paths, settings)


async def chosen_project_id(store: Store, options: argparse.Namespace) -> str | None:
    """The project of ``-C DIR`` (default: here), or None with ``--all`` (every project)."""
    from penguin_tui.config.paths import project_directory

    if options.all:
        return None
    return (await store.ensure_project(project_directory(options.directory))).id
