"""The task plane as a checkpoint keeps it: every task in full (so a revert can put the plan
back exactly) and the task being worked on, as JSON in the checkpoint's row; and what differs
between two planes, for a comparison of checkpoints.

A checkpoint taken before tasks were recorded holds ``[]``: it has no plane (``from_json``
gives None), and a revert of the tasks to it is refused rather than emptying the plan.
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from penguin_tui.tasks.model import Actor, Criterion, Priority, Task, TaskStatus, task_number


@dataclass(frozen=True)
class TaskPlane:
    """The whole plan at one moment, and the task being worked on then (None: none)."""

    tasks: Mapping[str, Task] = field(default_factory=dict)
    working_on: str | None = None

    def to_json(self) -> str:
        ordered = sorted(self.tasks.values(), key=lambda t: t.number)
        return json.dumps(
            {"tasks": [_task_json(t) for t in ordered], "working_on": self.working_on},
            ensure_ascii=False,
        )

    @classmethod
    def from_json(cls, text: str) -> TaskPlane | None:
        """The plane a checkpoint kept; None for one taken before tasks were recorded."""
        document = json.loads(text or "[]")
        if not isinstance(document, dict):
            return None
        tasks = [_task(item) for item in document.get("tasks", [])]
        return cls({t.id: t for t in tasks}, document.get("working_on"))


def _task_json(task: Task) -> dict[str, Any]:
    document = dataclasses.asdict(task)
    for name in ("status", "priority", "created_by"):
        document[name] = getattr(task, name).value
    return document


def _task(item: dict[str, Any]) -> Task:
    return Task(
        **{
            **item,
            "status": TaskStatus(item["status"]),
            "priority": Priority(item["priority"]),
            "created_by": Actor(item["created_by"]),
            "criteria": tuple(Criterion(c["text"], bool(c["done"])) for c in item["criteria"]),
            "after": tuple(item["after"]),
            "checkpoints": tuple(item["checkpoints"]),
        }
    )


@dataclass(frozen=True)
class TaskDifference:
    """How one task differs between two planes: added, removed or changed (and how)."""

    task_id: str
    title: str
    kind: str  # "added", "removed" or "changed"
    changes: tuple[str, ...] = ()

    def to_json(self) -> dict[str, object]:
        return {
            "id": self.task_id,
            "title": self.title,
            "kind": self.kind,
            "changes": list(self.changes),
        }

    def line(self) -> str:
        said = f": {', '.join(self.changes)}" if self.changes else ""
        return f"{self.kind:<8} {self.task_id} {self.title}{said}"


_COMPARED = ("title", "status", "priority", "parent", "after", "check", "description")


def differences(old: TaskPlane, new: TaskPlane) -> list[TaskDifference]:
    """Every task added, removed or changed from ``old`` to ``new``, in id order."""
    found: list[TaskDifference] = []
    for task_id in sorted({*old.tasks, *new.tasks}, key=task_number):
        before, after = old.tasks.get(task_id), new.tasks.get(task_id)
        if before is None and after is not None:
            found.append(TaskDifference(task_id, after.title, "added"))
        elif after is None and before is not None:
            found.append(TaskDifference(task_id, before.title, "removed"))
        elif before is not None and after is not None:
            changes = tuple(
                change_words(name, getattr(before, name), getattr(after, name))
                for name in _COMPARED
                if getattr(before, name) != getattr(after, name)
            )
            if before.criteria != after.criteria:
                changes += (criteria_words(after.criteria),)
            if changes:
                found.append(TaskDifference(task_id, after.title, "changed", changes))
    return found


def change_words(name: str, before: object, after: object) -> str:
    """One field's change as the history and a comparison say it: ``status todo → done``."""
    if name == "description":
        return "description changed"
    return f"{name} {_shown(before)} → {_shown(after)}"


def criteria_words(criteria: Sequence[Criterion]) -> str:
    """``criteria 1/2 met``."""
    return f"criteria {sum(c.done for c in criteria)}/{len(criteria)} met"


def _shown(value: object) -> str:
    if value is None or value == ():
        return "none"
    if isinstance(value, tuple):
        return ", ".join(str(v) for v in value)
    return str(getattr(value, "value", value))
