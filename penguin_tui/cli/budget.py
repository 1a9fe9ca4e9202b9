"""``penguin-tui budget show|reset``: the dollar budgets of ``[budget]`` as they stand for a
project (limit, spent, left, since when), and a project's count started again. The store
only: no model, no litellm, no checkpoints."""

from __future__ import annotations

import argparse
import time
from datetime import datetime

from penguin_tui.cli.edge import open_data_store, run_at_edge
from penguin_tui.cli.exit_codes import ExitCode
from penguin_tui.cli.results import dump
from penguin_tui.config import data_paths, load_settings
from penguin_tui.config.paths import project_directory
from penguin_tui.words import dollars


async def _show(options: argparse.Namespace) -> ExitCode:
    from penguin_tui.engine.budgets import budget_states

    project_dir = project_directory(options.directory)
    settings = load_settings(data_paths().user_config, project_dir)
    store = await open_data_store(project_dir)
    try:
        project = await store.ensure_project(project_dir)
        latest = await store.latest_session(project.id)
        states = await budget_states(
            store, settings.budget, latest.id if latest else None, project.id
        )
    finally:
        await store.close()
    if options.json:
        dump(
            [
                {
                    "scope": s.scope,
                    "limit_usd": s.limit_usd,
                    "spent_usd": round(s.spent_usd, 10),
                    "left_usd": round(s.left_usd, 10),
                    "since": s.since,
                }
                for s in states
            ]
        )
        return ExitCode.OK
    if not states:
        print("no dollar budget is set ([budget] in the config; see docs/config.md)")
    for state in states:
        since = (
            f" since {datetime.fromtimestamp(state.since):%Y-%m-%d %H:%M}" if state.since else ""
        )
        print(
            f"{state.scope:<8} {dollars(state.spent_usd)} of {dollars(state.limit_usd)} spent"
            f"{since}, {dollars(state.left_usd)} left"
        )
    return ExitCode.OK


async def _reset(options: argparse.Namespace) -> ExitCode:
    from penguin_tui.engine.budgets import reset_project

    project_dir = project_directory(options.directory)
    settings = load_settings(data_paths().user_config, project_dir)
    store = await open_data_store(project_dir)
    try:
        project = await store.ensure_project(project_dir)
        await reset_project(store, project.id, settings.budget.project_usd, time.time())
    finally:
        await store.close()
    if options.json:
        dump({"reset": "project"})
    else:
        print("the project's budget counts from now")
    return ExitCode.OK


def budget_command(options: argparse.Namespace) -> ExitCode:
    action = _reset if options.action == "reset" else _show
    return run_at_edge(lambda: action(options))
