"""``penguin-tui config path``: where the user config file is."""

from __future__ import annotations

import argparse

from penguin_tui.cli.exit_codes import ExitCode


def config_command(options: argparse.Namespace) -> ExitCode:
    from penguin_tui.config.paths import data_paths

    print(data_paths().user_config)
    return ExitCode.OK
