"""``penguin-tui config``: ``path`` answers at once; the others (``config_actions``) load the
settings schema and tomlkit, never litellm, the engine or the runtime."""

from __future__ import annotations

import argparse

from penguin_tui.cli.exit_codes import ExitCode


def config_command(options: argparse.Namespace) -> ExitCode:
    if options.action == "path":
        from penguin_tui.config.paths import data_paths

        print(data_paths().user_config)
        return ExitCode.OK
    from penguin_tui.cli.config_actions import config_action

    return config_action(options)
