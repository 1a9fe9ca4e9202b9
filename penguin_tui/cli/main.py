"""The ``penguin-tui`` command: the workbench (``[DIR]``, ``--demo``), ``--version``, and the
sub-commands ``run``, ``sessions``, ``checkpoints``, ``branches``, ``audit``, ``permissions``,
``models``, ``usage``, ``config`` and ``setup``.

Imports nothing heavy: a command's arguments are parsed first, and its module (with the store,
the engine, the checkpoints) is imported only when it runs, so ``--version`` and a bad flag
answer at once.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Callable, Sequence

from penguin_tui import __version__
from penguin_tui.cli import parsers
from penguin_tui.cli.exit_codes import ExitCode, fail

Command = Callable[[argparse.Namespace], int]


def _run(options: argparse.Namespace) -> int:
    from penguin_tui.cli.run import run_command

    return run_command(options)


def _sessions(options: argparse.Namespace) -> int:
    from penguin_tui.cli.sessions import sessions_command

    return sessions_command(options)


def _checkpoints(options: argparse.Namespace) -> int:
    from penguin_tui.cli.checkpoints import checkpoints_command

    return checkpoints_command(options)


def _branches(options: argparse.Namespace) -> int:
    from penguin_tui.cli.branches import branches_command

    return branches_command(options)


def _audit(options: argparse.Namespace) -> int:
    from penguin_tui.cli.audit import audit_command

    return audit_command(options)


def _permissions(options: argparse.Namespace) -> int:
    from penguin_tui.cli.audit import permissions_command

    return permissions_command(options)


def _tasks(options: argparse.Namespace) -> int:
    from penguin_tui.cli.tasks import tasks_command

    return tasks_command(options)


def _models(options: argparse.Namespace) -> int:
    from penguin_tui.cli.models import models_command

    return models_command(options)


def _usage(options: argparse.Namespace) -> int:
    from penguin_tui.cli.usage import usage_command

    return usage_command(options)


def _budget(options: argparse.Namespace) -> int:
    from penguin_tui.cli.budget import budget_command

    return budget_command(options)


def _setup(options: argparse.Namespace) -> int:
    from penguin_tui.line.setup import setup_command

    return setup_command(options)


def _config(options: argparse.Namespace) -> int:
    from penguin_tui.cli.config import config_command

    return config_command(options)


# The sub-commands, recognised only as the first argument: each one's parser, then its command.
COMMANDS: dict[str, tuple[Callable[[], argparse.ArgumentParser], Command]] = {
    "run": (parsers.run_parser, _run),
    "sessions": (parsers.sessions_parser, _sessions),
    "checkpoints": (parsers.checkpoints_parser, _checkpoints),
    "branches": (parsers.branches_parser, _branches),
    "tasks": (parsers.tasks_parser, _tasks),
    "budget": (parsers.budget_parser, _budget),
    "audit": (parsers.audit_parser, _audit),
    "permissions": (parsers.permissions_parser, _permissions),
    "models": (parsers.models_parser, _models),
    "usage": (parsers.usage_parser, _usage),
    "config": (parsers.config_parser, _config),
    "setup": (parsers.setup_parser, _setup),
}


def _plain(options: argparse.Namespace) -> int:
    """``penguin-tui --plain [DIR]``: the line-mode front end, never the Textual app."""
    if options.demo:
        return fail("--plain and --demo cannot be used together", ExitCode.USAGE)
    from penguin_tui.cli.edge import run_at_edge
    from penguin_tui.line.plain import PlainOptions, plain_session

    plain = PlainOptions(
        options.directory, options.model, options.api_base, options.session, options.continue_
    )

    async def session() -> ExitCode:
        return ExitCode(await plain_session(plain))

    return run_at_edge(session)


def _workbench(args: list[str]) -> int:
    """``penguin-tui [DIR]``, ``--demo`` or ``--version``."""
    options = parsers.workbench_parser().parse_args(args)
    if options.version:
        print(f"penguin-tui {__version__}")
        return ExitCode.OK
    if options.plain:
        return _plain(options)
    from penguin_tui.app.launch import launch_tui

    return launch_tui(
        directory=options.directory,
        demo=options.demo,
        model=options.model,
        api_base=options.api_base,
        session_id=options.session,
        continue_latest=options.continue_,
    )


def main(argv: Sequence[str] | None = None) -> int:
    """Run ``penguin-tui ARGS`` (``sys.argv`` when ``argv`` is None) and return its exit code."""
    if argv is None:  # the program itself, not a caller in the same process
        from penguin_tui.config.secret_env import keep_secrets_out_of_proc

        keep_secrets_out_of_proc()
    from penguin_tui.printable import printable_streams

    printable_streams()  # a file name that is not UTF-8 is printed escaped, never a crash
    args = list(sys.argv[1:] if argv is None else argv)
    try:
        if args and args[0] in COMMANDS:
            parser, command = COMMANDS[args[0]]
            return command(parser().parse_args(args[1:]))
        return _workbench(args)
    except KeyboardInterrupt:
        return fail("interrupted", ExitCode.INTERRUPTED)
    except BrokenPipeError:
        # The reader went away (e.g. `| head`); say nothing more on a closed pipe.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return ExitCode.FAILED
