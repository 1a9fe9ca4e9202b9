"""``penguin-tui tasks add|list|show|edit|done|cancel|import|export``: the project's task plan,
headless. None of these imports litellm or opens the checkpoints: they need the store only."""

from __future__ import annotations

import argparse
import asyncio
import json
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import TYPE_CHECKING

from penguin_tui.cli.edge import Handler, open_data_store, run_at_edge
from penguin_tui.cli.exit_codes import ExitCode
from penguin_tui.cli.results import dump
from penguin_tui.config.paths import project_directory
from penguin_tui.errors import PenguinError
from penguin_tui.formatting import TASK_GLYPHS, age, duration, money, tokens

if TYPE_CHECKING:
    from penguin_tui.tasks.model import Task, TaskEdit
    from penguin_tui.tasks.service import TaskService


@asynccontextmanager
async def open_tasks(options: argparse.Namespace) -> AsyncIterator[TaskService]:
    """The project's task plan, for one command."""
    from penguin_tui.tasks.service import TaskService

    project_dir = project_directory(options.directory)
    store = await open_data_store(project_dir)
    try:
        project = await store.ensure_project(project_dir)
        yield await TaskService.open(store, project.id)
    finally:
        await store.close()


def _line(
    service: TaskService, task: Task, depth: int, ready: set[str], children: dict[str, list[str]]
) -> str:
    """One row of the tree: glyph, id, title, then what matters about it."""
    from penguin_tui.tasks import graph

    notes: list[str] = []
    if task.priority.value != "medium":
        notes.append(task.priority.value)
    if task.id in ready:
        notes.append("ready")
    waiting = graph.why_waiting(service.tasks, task.id, children)
    if waiting:
        notes.append(waiting)
    if children.get(task.id):
        done = graph.progress(service.tasks, task.id, children)
        notes.append(f"{done.done}/{done.total} done")
    spent = graph.spend(service.tasks, task.id, children)
    if spent.input_tokens or spent.output_tokens:
        notes.append(
            f"{tokens(spent.input_tokens + spent.output_tokens)} tok {money(spent.cost_usd)}"
        )
    glyph = TASK_GLYPHS[task.status.value]
    tail = f"  ({'; '.join(notes)})" if notes else ""
    return f"{'  ' * depth}{glyph} {task.id:<4} {task.title}{tail}"


async def _list(options: argparse.Namespace) -> ExitCode:
    from penguin_tui.tasks import graph
    from penguin_tui.tasks.transfer import to_json

    async with open_tasks(options) as service:
        plan = service.tasks
        ready = set(service.ready())
        if options.json:
            shown = plan if options.all else {k: t for k, t in plan.items() if _shown(t)}
            dump(to_json(shown, ready & set(shown)))
            return ExitCode.OK
        if not plan:
            print("no tasks yet; `penguin-tui tasks add TITLE` adds one")
            return ExitCode.OK
        children = graph.children_of(plan)
        roots = [t for t in plan.values() if t.parent is None or t.parent not in plan]
        stack = [(t, 0) for t in reversed(roots)]
        while stack:
            task, depth = stack.pop()
            if not options.all and not _shown(task):
                continue
            print(_line(service, task, depth, ready, children))
            stack.extend((plan[c], depth + 1) for c in reversed(children.get(task.id, [])))
        progress = graph.progress(plan, None, children)
        hidden = "" if options.all else "; done and cancelled tasks hidden (--all shows them)"
        print(f"{progress.done}/{progress.total} done{hidden}")
    return ExitCode.OK


def _shown(task: Task) -> bool:
    return not task.status.finished


async def _add(options: argparse.Namespace) -> ExitCode:
    from penguin_tui.tasks.model import Priority

    async with open_tasks(options) as service:
        task = await service.add(
            options.title,
            description=options.description or "",
            parent=options.parent,
            after=options.after or [],
            priority=Priority(options.priority),
            check=options.check,
            criteria=options.criterion or [],
        )
        if options.json:
            dump(service.to_json(task))
        else:
            print(task.id)
    return ExitCode.OK


async def _show(options: argparse.Namespace) -> ExitCode:
    async with open_tasks(options) as service:
        task = service.get(options.id)
        history = await service.history(task.id)
        if options.json:
            dump(
                {
                    **service.to_json(task),
                    "notes": task.notes,
                    "summary": task.summary,
                    "check_trusted": task.check_trusted,
                    "history": [
                        {"actor": c.actor.value, "what": c.what, "at": c.at} for c in history
                    ],
                }
            )
            return ExitCode.OK
        for line in _details(service, task):
            print(line)
        print("history:")
        for change in history:
            when = age(service.clock() - change.at)
            print(f"  {when:>4} ago  {change.actor.value:<5}  {change.what}")
    return ExitCode.OK


def _details(service: TaskService, task: Task) -> list[str]:
    from penguin_tui.tasks import graph

    lines = [f"{task.id}  {task.title}", f"status:   {task.status.value}"]
    waiting = graph.why_waiting(service.tasks, task.id)
    if task.id in service.ready():
        lines[-1] += " (ready)"
    elif waiting:
        lines[-1] += f" ({waiting})"
    lines.append(f"priority: {task.priority.value}")
    if task.parent:
        lines.append(f"parent:   {task.parent}")
    if task.after:
        lines.append(f"after:    {', '.join(task.after)}")
    for cancelled in graph.cancelled_dependencies(service.tasks, task.id):
        lines.append(f"          {cancelled} was cancelled: it no longer holds this task")
    if task.check:
        trust = "" if task.check_trusted else " (not confirmed: judged by the rules when it runs)"
        lines.append(f"check:    {task.check}{trust}")
    if task.description:
        lines += ["", task.description, ""]
    for number, criterion in enumerate(task.criteria, start=1):
        lines.append(f"  {number}. [{'x' if criterion.done else ' '}] {criterion.text}")
    spent = graph.spend(service.tasks, task.id)
    lines.append(
        f"spent:    {tokens(spent.input_tokens)} in, {tokens(spent.output_tokens)} out, "
        f"{money(spent.cost_usd)}, {duration(spent.time_s)}"
    )
    if task.branch:
        lines.append(f"branch:   {task.branch} ({len(task.checkpoints)} checkpoints)")
    return lines


async def _edit(options: argparse.Namespace) -> ExitCode:
    from penguin_tui.tasks.model import Priority, TaskEdit, TaskStatus

    edit = TaskEdit(
        title=options.title,
        description=options.description,
        status=TaskStatus(options.status) if options.status else None,
        priority=Priority(options.priority) if options.priority else None,
        parent=options.parent,
        add_after=tuple(options.after or ()),
        remove_after=tuple(options.not_after or ()),
        check=options.check,
    )
    return await _change(options, edit)


async def _done(options: argparse.Namespace) -> ExitCode:
    from penguin_tui.tasks.model import TaskEdit, TaskStatus

    return await _change(options, TaskEdit(status=TaskStatus.DONE))


async def _cancel(options: argparse.Namespace) -> ExitCode:
    from penguin_tui.tasks.model import TaskEdit, TaskStatus

    return await _change(options, TaskEdit(status=TaskStatus.CANCELLED))


async def _change(options: argparse.Namespace, edit: TaskEdit) -> ExitCode:
    async with open_tasks(options) as service:
        task = await service.edit(options.id, edit)
        if options.json:
            dump(service.to_json(task))
        else:
            print(f"{task.id} {task.status.value}: {task.title}")
    return ExitCode.OK


async def _import(options: argparse.Namespace) -> ExitCode:
    from penguin_tui.tasks.transfer import parse_plan

    path = Path(options.file)
    try:
        text = await asyncio.to_thread(path.read_text, encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        raise PenguinError(f"cannot read {path}: {getattr(error, 'strerror', error)}") from error
    planned = parse_plan(text, path.name)
    async with open_tasks(options) as service:
        mapping = await service.import_plan(planned, path.name)
    if options.json:
        dump({"imported": mapping})
    else:
        for key, task_id in mapping.items():
            print(f"{key} → {task_id}")
    return ExitCode.OK


async def _export(options: argparse.Namespace) -> ExitCode:
    from penguin_tui.tasks.transfer import to_json, to_markdown

    async with open_tasks(options) as service:
        if options.format == "json":
            print(json.dumps(to_json(service.tasks, set(service.ready())), ensure_ascii=False))
        else:
            print(to_markdown(service.tasks), end="")
    return ExitCode.OK


ACTIONS: dict[str, Handler] = {
    "add": _add,
    "list": _list,
    "show": _show,
    "edit": _edit,
    "done": _done,
    "cancel": _cancel,
    "import": _import,
    "export": _export,
}


def tasks_command(options: argparse.Namespace) -> ExitCode:
    if options.action == "run":  # the one tasks command that loads the engine and litellm
        from penguin_tui.cli.task_run import task_run_command

        return task_run_command(options)
    return run_at_edge(lambda: ACTIONS[options.action](options))
