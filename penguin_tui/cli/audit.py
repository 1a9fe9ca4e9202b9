"""The ``audit`` and ``permissions check`` sub-commands: what ran, and what would be allowed."""

from __future__ import annotations

import argparse
import json
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

from penguin_tui.cli.edge import open_data_store, run_at_edge
from penguin_tui.cli.exit_codes import ExitCode
from penguin_tui.config import data_paths
from penguin_tui.store import AuditEntry

if TYPE_CHECKING:
    from penguin_tui.engine.permissions import PermissionPolicy


def _entry_json(entry: AuditEntry) -> dict[str, object]:
    return {
        "session_id": entry.session_id,
        "call_id": entry.call_id,
        "tool": entry.tool,
        "args": entry.args,
        "decision": entry.decision,
        "decided_by": entry.decided_by,
        "reason": entry.reason,
        "status": entry.status,
        "summary": entry.summary,
        "exit_code": entry.exit_code,
        "started_at": entry.started_at,
        "ended_at": entry.ended_at,
    }


async def _audit(options: argparse.Namespace) -> ExitCode:
    from penguin_tui.config.paths import project_directory

    store = await open_data_store()
    try:
        if options.session:
            session = await store.get_session(options.session)
            entries = await store.audit_log(session_id=session.id)
        else:
            project = await store.ensure_project(project_directory(options.directory))
            entries = await store.audit_log(project_id=project.id)
    finally:
        await store.close()
    if options.json:
        print(json.dumps([_entry_json(e) for e in entries]))
        return ExitCode.OK
    if not entries:
        print("no tool calls yet")
        return ExitCode.OK
    print(f"{'WHEN':<19}  {'SESSION':<12}  {'TOOL':<10}  {'DECISION':<16}  {'STATUS':<9}  CALL")
    for entry in entries:
        when = datetime.fromtimestamp(entry.started_at).strftime("%Y-%m-%d %H:%M:%S")
        decision = f"{entry.decision} ({entry.decided_by})"
        call = " ".join(entry.args.split())[:70]
        print(
            f"{when:<19}  {entry.session_id:<12}  {entry.tool:<10}  {decision:<16}  "
            f"{entry.status:<9}  {call}"
        )
    return ExitCode.OK


def audit_command(options: argparse.Namespace) -> ExitCode:
    return run_at_edge(lambda: _audit(options))


TASK_TOOLS = frozenset({"task_list", "task_create", "task_update"})


def check_arguments(tool: str, args: list[str]) -> dict[str, object]:
    """The words after TOOL as that tool's arguments. A task tool takes the task's id
    (``task_update``) or title (``task_create``), then ``field=value`` words."""
    if tool == "run_shell":
        return {"command": " ".join(args)}
    if tool == "search":
        return {"pattern": args[0], **({"path": args[1]} if len(args) > 1 else {})}
    if tool == "task_list":
        return {}
    if tool in TASK_TOOLS:
        fields = dict(word.split("=", 1) for word in args[1:] if "=" in word)
        return {"id" if tool == "task_update" else "title": args[0], **fields}
    return {"path": args[0]}


async def _check(options: argparse.Namespace) -> ExitCode:
    """The decision the agent's call would get now: the config's rules and mode, the
    project's saved answers, and (for the task tools) the plan's tasks. Without a database
    (none yet, or one that cannot be opened) the config files alone decide, and a line says
    what was not counted."""
    from penguin_tui.config.paths import project_directory
    from penguin_tui.errors import StoreError
    from penguin_tui.runtime import load_policy

    project_dir = project_directory(options.directory)
    paths = data_paths()
    policy = load_policy(paths, project_dir)
    unread = None
    if paths.database.exists():
        try:
            await _read_project_state(options.tool, project_dir, policy)
        except StoreError as error:
            unread = f"not counted: the answers saved for this project ({error.message})"
    decision = policy.check(options.tool, check_arguments(options.tool, options.args))
    print(decision.action.value)
    print(decision.reason)
    for note in policy.notes():
        print(note)
    if unread is not None:
        print(unread)
    return ExitCode.OK


async def _read_project_state(tool: str, project_dir: Path, policy: PermissionPolicy) -> None:
    """The project's saved answers into ``policy``, and for a task tool its plan."""
    from penguin_tui.runtime import saved_rules, task_lookup

    store = await open_data_store(project_dir)
    try:
        project = await store.ensure_project(project_dir)
        policy.saved_rules = await saved_rules(store, project.id)
        if tool in TASK_TOOLS:
            from penguin_tui.tasks.service import TaskService

            policy.find_task = task_lookup(await TaskService.open(store, project.id))
    finally:
        await store.close()


def permissions_command(options: argparse.Namespace) -> ExitCode:
    return run_at_edge(lambda: _check(options))
