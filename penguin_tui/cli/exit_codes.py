"""What the command line's exit status means, and the one line it prints when it fails.

The table in docs/cli.md ("Exit codes") lists these and no others; a test holds them equal.
"""

from __future__ import annotations

import sys
from enum import IntEnum


class ExitCode(IntEnum):
    """The exit status of every ``penguin-tui`` command."""

    OK = 0
    FAILED = 1  # the command could not do what it was asked (a model call, a checkpoint…)
    USAGE = 2  # bad arguments or configuration: nothing was tried
    BUDGET = 3  # a budget stopped the work (a turn's limits of [agent])
    INTERRUPTED = 130  # Ctrl+C (128 + SIGINT, as a shell reports it)


def fail(message: str, code: ExitCode = ExitCode.FAILED) -> ExitCode:
    """Print ``penguin-tui: MESSAGE`` on stderr and return the exit code."""
    print(f"penguin-tui: {message}", file=sys.stderr, flush=True)
    return code
