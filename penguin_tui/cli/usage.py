"""``penguin-tui usage``: every recorded call grouped by model, provider, session, branch, task
or day, with tokens, dollars, failure rate and speed. The store alone: no litellm."""

from __future__ import annotations

import argparse
import json
from datetime import date

from penguin_tui.cli.edge import chosen_project_id, open_data_store, run_at_edge
from penguin_tui.cli.exit_codes import ExitCode
from penguin_tui.errors import ConfigError
from penguin_tui.formatting import USAGE_COLUMNS, usage_cells
from penguin_tui.store.usage_report import (
    Grouping,
    UsageGroup,
    group_json,
    local_midnight,
    recorded_calls,
    summarise,
)

GROUP_HEADERS: dict[Grouping, str] = {
    "model": "MODEL",
    "provider": "PROVIDER",
    "session": "SESSION",
    "branch": "SESSION/BRANCH",
    "task": "TASK",
    "day": "DAY",
}


def since_timestamp(text: str | None) -> float | None:
    """``--since YYYY-MM-DD``: the start of that local day."""
    if text is None:
        return None
    try:
        return local_midnight(date.fromisoformat(text))
    except ValueError:
        raise ConfigError(f"--since wants a date like 2026-01-31, not {text!r}") from None


def _label(group: UsageGroup, by: Grouping, all_projects: bool) -> str:
    if by == "task":
        project, task = group.key
        task_name = task or "(no task)"
        return f"{project}: {task_name}" if all_projects else task_name
    return group.label


def table(groups: list[UsageGroup], by: Grouping, all_projects: bool) -> list[str]:
    """The groups as an aligned table: the group's name left, the figures right."""
    rows: list[tuple[str, ...]] = [(GROUP_HEADERS[by], *USAGE_COLUMNS)]
    rows += [(_label(g, by, all_projects), *usage_cells(g)) for g in groups]
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    lines = []
    for row in rows:
        cells = [row[0].ljust(widths[0])]
        cells += [cell.rjust(width) for cell, width in zip(row[1:], widths[1:], strict=True)]
        lines.append("  ".join(cells).rstrip())
    return lines


async def _report(options: argparse.Namespace) -> ExitCode:
    since = since_timestamp(options.since)
    store = await open_data_store()
    try:
        project_id = await chosen_project_id(store, options)
        calls = await recorded_calls(store, project_id=project_id, since=since)
    finally:
        await store.close()
    by: Grouping = options.by
    groups = summarise(calls, by)
    if options.json:
        print(json.dumps([group_json(g, by) for g in groups]))
        return ExitCode.OK
    if not groups:
        print("no calls recorded yet" + (" since then" if since is not None else ""))
        return ExitCode.OK
    print("\n".join(table(groups, by, options.all)))
    return ExitCode.OK


def usage_command(options: argparse.Namespace) -> int:
    """Run ``penguin-tui usage``."""
    return run_at_edge(lambda: _report(options))
