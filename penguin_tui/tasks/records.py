"""The SQL of the task plan, over the store's one connection: the tasks of a project, their
dependencies, their history and the last number given, read into the records of tasks.model."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Mapping
from typing import Any

from penguin_tui.store.database import Redact
from penguin_tui.store.store import Store
from penguin_tui.tasks.model import (
    Actor,
    Criterion,
    Priority,
    Task,
    TaskChange,
    TaskStatus,
    task_number,
)

Statements = list[tuple[str, tuple[Any, ...]]]

_COLUMNS = (
    "title, description, status, priority, parent, criteria, check_command, check_trusted,"
    " created_by, notes, summary, branch, checkpoints, input_tokens, output_tokens, cost_usd,"
    " time_s, created_at, updated_at"
)


def _values(task: Task, redact: Redact) -> tuple[Any, ...]:
    """The row of a task, every text the user or the agent wrote redacted of secrets."""
    return (
        redact(task.title),
        redact(task.description),
        task.status.value,
        task.priority.value,
        task_number(task.parent) if task.parent else None,
        json.dumps([{"text": redact(c.text), "done": c.done} for c in task.criteria]),
        redact(task.check) if task.check else None,
        int(task.check_trusted),
        task.created_by.value,
        redact(task.notes),
        redact(task.summary),
        task.branch,
        json.dumps(list(task.checkpoints)),
        task.input_tokens,
        task.output_tokens,
        task.cost_usd,
        task.time_s,
        task.created_at,
        task.updated_at,
    )


def _task(row: sqlite3.Row, after: tuple[str, ...]) -> Task:
    return Task(
        id=f"T{row['number']}",
        title=row["title"],
        description=row["description"],
        status=TaskStatus(row["status"]),
        priority=Priority(row["priority"]),
        parent=f"T{row['parent']}" if row["parent"] is not None else None,
        criteria=tuple(Criterion(c["text"], bool(c["done"])) for c in json.loads(row["criteria"])),
        after=after,
        check=row["check_command"],
        check_trusted=bool(row["check_trusted"]),
        created_by=Actor(row["created_by"]),
        notes=row["notes"],
        summary=row["summary"],
        branch=row["branch"],
        checkpoints=tuple(json.loads(row["checkpoints"])),
        input_tokens=row["input_tokens"],
        output_tokens=row["output_tokens"],
        cost_usd=row["cost_usd"],
        time_s=row["time_s"],
        created_at=row["created_at"],
        updated_at=row["updated_at"],
    )


class TaskRecords:
    """Reads and writes the task tables through the one store connection."""

    def __init__(self, store: Store, project_id: str) -> None:
        self.store = store
        self.project_id = project_id

    async def load(self) -> dict[str, Task]:
        """Every task of the project, with its dependencies, by id."""
        deps: dict[int, list[int]] = {}
        for row in await self.store.query(
            "SELECT number, after FROM task_deps WHERE project_id = ? ORDER BY number, after",
            (self.project_id,),
        ):
            deps.setdefault(row["number"], []).append(row["after"])
        rows = await self.store.query(
            f"SELECT number, {_COLUMNS} FROM tasks WHERE project_id = ? ORDER BY number",
            (self.project_id,),
        )
        return {
            f"T{row['number']}": _task(row, tuple(f"T{n}" for n in deps.get(row["number"], [])))
            for row in rows
        }

    async def last_number(self) -> int:
        """The last number given in this project (0 before the first task)."""
        rows = await self.store.query(
            "SELECT last FROM task_numbers WHERE project_id = ?", (self.project_id,)
        )
        return int(rows[0]["last"]) if rows else 0

    async def history(self, task_id: str) -> list[TaskChange]:
        """A task's changes, oldest first."""
        rows = await self.store.query(
            "SELECT actor, what, at FROM task_history WHERE project_id = ? AND number = ?"
            " ORDER BY id",
            (self.project_id, task_number(task_id)),
        )
        return [TaskChange(task_id, Actor(r["actor"]), r["what"], r["at"]) for r in rows]

    # -- statements, for one transaction of the service's -----------------------------------

    def insert(self, task: Task) -> Statements:
        """A new task (its number taken: the counter moves past it) and its dependencies.
        The task's primary key refuses a number another process took first."""
        number = task.number
        values = _values(task, self.store.redact)
        marks = ", ".join("?" * (2 + len(values)))
        return [
            (
                "INSERT INTO task_numbers (project_id, last) VALUES (?, ?)"
                " ON CONFLICT(project_id) DO UPDATE SET last = MAX(last, excluded.last)",
                (self.project_id, number),
            ),
            (
                f"INSERT INTO tasks (project_id, number, {_COLUMNS}) VALUES ({marks})",
                (self.project_id, number, *values),
            ),
            *self._deps(task),
        ]

    def update_work(self, task: Task) -> Statements:
        """Only what the task's work produced (branch, checkpoints, spend): a status or a
        field changed meanwhile, in this process or another, is left as it is."""
        return [
            (
                "UPDATE tasks SET branch = ?, checkpoints = ?, input_tokens = ?,"
                " output_tokens = ?, cost_usd = ?, time_s = ? WHERE project_id = ? AND number = ?",
                (
                    task.branch,
                    json.dumps(list(task.checkpoints)),
                    task.input_tokens,
                    task.output_tokens,
                    task.cost_usd,
                    task.time_s,
                    self.project_id,
                    task.number,
                ),
            )
        ]

    def update(self, task: Task) -> Statements:
        """The task's row and dependencies as they are now."""
        assignments = ", ".join(f"{c.strip()} = ?" for c in _COLUMNS.split(","))
        return [
            (
                f"UPDATE tasks SET {assignments} WHERE project_id = ? AND number = ?",
                (*_values(task, self.store.redact), self.project_id, task.number),
            ),
            (
                "DELETE FROM task_deps WHERE project_id = ? AND number = ?",
                (self.project_id, task.number),
            ),
            *self._deps(task),
        ]

    def replace_all(self, tasks: Mapping[str, Task]) -> Statements:
        """The plan replaced by ``tasks`` (a revert to a checkpoint's plane). The counter only
        moves forward: a number given since is not given again."""
        statements: Statements = [
            ("DELETE FROM task_deps WHERE project_id = ?", (self.project_id,)),
            ("DELETE FROM tasks WHERE project_id = ?", (self.project_id,)),
        ]
        for task in sorted(tasks.values(), key=lambda t: t.number):
            statements += self.insert(task)
        return statements

    def _deps(self, task: Task) -> Statements:
        return [
            (
                "INSERT INTO task_deps (project_id, number, after) VALUES (?, ?, ?)",
                (self.project_id, task.number, task_number(after)),
            )
            for after in task.after
        ]

    def record(self, change: TaskChange) -> Statements:
        """One line of a task's history."""
        return [
            (
                "INSERT INTO task_history (project_id, number, actor, what, at)"
                " VALUES (?, ?, ?, ?, ?)",
                (
                    self.project_id,
                    task_number(change.task_id),
                    change.actor.value,
                    self.store.redact(change.what),
                    change.at,
                ),
            )
        ]
