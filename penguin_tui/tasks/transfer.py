"""A task plan to and from a file, as pure functions over strings: a Markdown checklist or the
JSON of ``tasks list --json``. Nothing here touches the store; the service creates the parsed
tasks with new ids and says which old key became which id.

The Markdown written by `to_markdown` and read by `parse_markdown`::

    - [ ] Write the parser (T3, high, after T1, T2)
      - [x] Read the format (T4)
      - [ ] Handle tabs (T5, blocked)
    - [x] Drop the old importer (T6, cancelled)

A box is ``[x]`` for a done or cancelled task, ``[ ]`` otherwise. The parenthesised suffix
holds the task's id, then, only where they differ from the default, its priority (``high``,
``low``), a status the box cannot show (``doing``, ``blocked``, ``review``, ``failed``,
``cancelled``) and the tasks it comes ``after``. A suffix is read back only when it is exactly
that shape (an id first, then known words); any other trailing parenthesis stays in the title.
Descriptions, criteria and check commands travel in the JSON only.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from pathlib import PurePath
from typing import TypeVar

from penguin_tui.tasks.graph import children_of, find_cycle
from penguin_tui.tasks.model import Criterion, Priority, Task, TaskError, TaskStatus, task_number

E = TypeVar("E", bound=StrEnum)

JSON_KEYS = (
    "id",
    "title",
    "description",
    "status",
    "priority",
    "parent",
    "after",
    "ready",
    "check",
    "criteria",
    "created_by",
    "branch",
    "checkpoints",
    "input_tokens",
    "output_tokens",
    "cost_usd",
    "time_s",
    "created_at",
    "updated_at",
)


@dataclass(frozen=True)
class PlannedTask:
    """A task to create from an imported plan. ``key`` is what the file called it (its id, or
    ``line 3`` for a Markdown item without one); ``parent_key`` and ``after_keys`` name other
    keys of the same plan. A parsed plan lists every parent before its subtasks, but an
    ``after`` may name a task further down the list."""

    key: str
    title: str
    description: str = ""
    status: TaskStatus = TaskStatus.TODO
    priority: Priority = Priority.MEDIUM
    parent_key: str | None = None
    after_keys: tuple[str, ...] = ()
    check: str | None = None
    criteria: tuple[Criterion, ...] = ()


# --- Reading either format ----------------------------------------------------------------


def parse_plan(text: str, filename: str) -> list[PlannedTask]:
    """JSON for a ``.json`` file or text starting with ``[`` (a ``.md``/``.markdown``/``.txt``
    file is always Markdown), a Markdown checklist otherwise."""
    suffix = PurePath(filename).suffix.lower()
    if suffix == ".json":
        return parse_json(text)
    if suffix not in (".md", ".markdown", ".txt") and text.lstrip().startswith("["):
        return parse_json(text)
    return parse_markdown(text)


def _checked(tasks: list[PlannedTask]) -> list[PlannedTask]:
    """The plan with every parent before its subtasks (otherwise in the file's order), after
    refusing an empty plan, a repeated key, a link to a key the plan lacks, and a loop."""
    if not tasks:
        raise TaskError("the file has no tasks")
    by_key: dict[str, PlannedTask] = {}
    for task in tasks:
        if task.key in by_key:
            raise TaskError(f"the file has two tasks called {task.key}")
        by_key[task.key] = task
    for task in tasks:
        if task.parent_key is not None and task.parent_key not in by_key:
            raise TaskError(f"{task.key}'s parent {task.parent_key} is not a task in the file")
        for other in task.after_keys:
            if other not in by_key:
                raise TaskError(f"{task.key} comes after {other}, which is not in the file")
    _refuse_loops(tasks)
    ordered: list[PlannedTask] = []
    placed: set[str] = set()
    for task in tasks:
        chain = [task]
        while chain[-1].parent_key is not None and chain[-1].parent_key not in placed:
            chain.append(by_key[chain[-1].parent_key])
        for member in reversed(chain):
            if member.key not in placed:
                placed.add(member.key)
                ordered.append(member)
    return ordered


def _refuse_loops(tasks: list[PlannedTask]) -> None:
    """The graph's own cycle rule, on the plan with stand-in ids, named in the file's keys."""
    stand_in = {task.key: f"T{number}" for number, task in enumerate(tasks, start=1)}
    key_of = {value: key for key, value in stand_in.items()}
    graph = {
        stand_in[t.key]: Task(
            id=stand_in[t.key],
            title=t.title,
            parent=None if t.parent_key is None else stand_in[t.parent_key],
            after=tuple(stand_in[k] for k in t.after_keys),
        )
        for t in tasks
    }
    cycle = find_cycle(graph)
    if cycle is not None:
        raise TaskError("the plan has a loop: " + " → ".join(key_of[c] for c in cycle))


# --- Markdown -----------------------------------------------------------------------------

_BULLET = r"(?P<indent>[ \t]*)(?:[-*+]|\d{1,9}[.)])[ \t]+"
_ITEM = re.compile(_BULLET + r"\[(?P<box>[ xX])\](?:[ \t]+(?P<title>.*))?$")
_PLAIN = re.compile(_BULLET + r"(?P<title>.*\S.*)$")
_HEADING = re.compile(r"^ {0,3}#{1,6}(?:[ \t]|$)")
_FENCE = re.compile(r"^[ \t]*(?:```|~~~)")
_RULE = re.compile(r"^[-*_ \t]+$")
_SUFFIX = re.compile(r"^(?P<title>.*?\S)[ \t]+\((?P<info>[^()]*)\)[ \t]*$")
_ID = re.compile(r"^[Tt][1-9][0-9]*$")
_PRIORITIES = {p.value: p for p in Priority}
_STATUSES = {s.value: s for s in TaskStatus}


@dataclass(frozen=True)
class _Suffix:
    """What a ``(T3, high, after T1, T2)`` suffix says."""

    key: str
    priority: Priority = Priority.MEDIUM
    status: TaskStatus | None = None
    after: tuple[str, ...] = ()


def _read_suffix(info: str) -> _Suffix | None:
    """The suffix's fields, or None when it is not exactly the written shape."""
    parts = [part.strip() for part in info.split(",")]
    if not parts or _ID.match(parts[0]) is None:
        return None
    key = f"T{task_number(parts[0])}"
    priority: Priority = Priority.MEDIUM
    status: TaskStatus | None = None
    after: list[str] = []
    in_after = False
    for part in parts[1:]:
        words = part.split()
        if words[:1] == ["after"] and len(words) > 1:
            words, in_after = words[1:], True
        if in_after and words and all(_ID.match(word) for word in words):
            after.extend(f"T{task_number(word)}" for word in words)
        elif part in _PRIORITIES:
            priority, in_after = _PRIORITIES[part], False
        elif part in _STATUSES:
            status, in_after = _STATUSES[part], False
        else:
            return None
    return _Suffix(key, priority, status, tuple(dict.fromkeys(after)))


def _markdown_task(number: int, box: str, title: str, parent: str | None) -> PlannedTask:
    """One checklist item as a planned task (the box sets done-ness unless the suffix says)."""
    status = TaskStatus.TODO if box == " " else TaskStatus.DONE
    match = _SUFFIX.match(title)
    suffix = _read_suffix(match.group("info")) if match is not None else None
    if match is None or suffix is None:
        return PlannedTask(key=f"line {number}", title=title, status=status, parent_key=parent)
    return PlannedTask(
        key=suffix.key,
        title=match.group("title").strip(),
        status=suffix.status or status,
        priority=suffix.priority,
        parent_key=parent,
        after_keys=suffix.after,
    )


def parse_markdown(text: str) -> list[PlannedTask]:
    """The tasks of a Markdown checklist. ``- [ ]`` is to do, ``- [x]`` or ``- [X]`` done (with
    ``*``, ``+`` or ``1.`` bullets too). An item indented deeper than the item above it is its
    subtask, at any width (spaces, or tabs counted as four); an item indented less goes back to
    the nearest item at most as deep. A bullet without a box under an item is a to-do subtask of
    it; elsewhere it is prose. Headings end the nesting; prose, blank lines, rules and fenced
    code are skipped. An item's key is the id in its suffix or ``line N``. A file without items,
    an item without a title, or a link to an id the file lacks is a TaskError."""
    tasks: list[PlannedTask] = []
    open_items: list[tuple[int, str]] = []  # (indent, key) of the items a deeper line nests in
    in_fence = False
    for number, line in enumerate(text.splitlines(), start=1):
        if _FENCE.match(line):
            in_fence = not in_fence
            continue
        if in_fence:
            continue
        if _HEADING.match(line):
            open_items.clear()
            continue
        item = _ITEM.match(line)
        plain = None if item is not None or _RULE.match(line) else _PLAIN.match(line)
        found = item or plain
        if found is None:
            continue
        indent = len(found.group("indent").expandtabs(4))
        while open_items and open_items[-1][0] >= indent:
            open_items.pop()
        parent = open_items[-1][1] if open_items else None
        title = (found.group("title") or "").strip()
        if item is not None and not title:
            raise TaskError(f"line {number}: a checklist item has no title")
        if item is None and parent is None:
            continue
        task = _markdown_task(number, item.group("box").lower() if item else " ", title, parent)
        tasks.append(task)
        open_items.append((indent, task.key))
    if not tasks:
        raise TaskError("the file has no checklist items (lines like '- [ ] a task')")
    return _checked(tasks)


def _markdown_line(task: Task, depth: int) -> str:
    box = "x" if task.status.finished else " "
    default = TaskStatus.DONE if task.status.finished else TaskStatus.TODO
    info = [task.id]
    if task.priority is not Priority.MEDIUM:
        info.append(task.priority.value)
    if task.status is not default:
        info.append(task.status.value)
    if task.after:
        info.append("after " + ", ".join(task.after))
    title = " ".join(task.title.splitlines()).strip()
    return f"{'  ' * depth}- [{box}] {title} ({', '.join(info)})"


def to_markdown(tasks: Mapping[str, Task]) -> str:
    """The plan as a checklist (the format in this module's docstring): subtasks two spaces
    under their parent, in id order; an empty plan is an empty string."""
    children = children_of(tasks)
    lines: list[str] = []
    written: set[str] = set()

    def write(task_id: str, depth: int) -> None:
        written.add(task_id)
        lines.append(_markdown_line(tasks[task_id], depth))
        for child in children[task_id]:
            if child not in written:
                write(child, depth + 1)

    ordered = sorted(tasks, key=task_number)
    for task_id in ordered:
        parent = tasks[task_id].parent
        if parent is None or parent not in tasks:
            write(task_id, 0)
    for task_id in ordered:  # only a loop of parents, which the service refuses, is left
        if task_id not in written:
            write(task_id, 0)
    return "".join(line + "\n" for line in lines)


# --- JSON ---------------------------------------------------------------------------------


def to_json(tasks: Mapping[str, Task], ready: set[str]) -> list[dict[str, object]]:
    """The objects of ``tasks list --json``, one per task in id order, keys in `JSON_KEYS`
    order (``cost_usd`` None when some call had no known price)."""
    return [
        {
            "id": task.id,
            "title": task.title,
            "description": task.description,
            "status": task.status.value,
            "priority": task.priority.value,
            "parent": task.parent,
            "after": list(task.after),
            "ready": task.id in ready,
            "check": task.check,
            "criteria": [{"text": c.text, "done": c.done} for c in task.criteria],
            "created_by": task.created_by.value,
            "branch": task.branch,
            "checkpoints": list(task.checkpoints),
            "input_tokens": task.input_tokens,
            "output_tokens": task.output_tokens,
            "cost_usd": task.cost_usd,
            "time_s": task.time_s,
            "created_at": task.created_at,
            "updated_at": task.updated_at,
        }
        for task in sorted(tasks.values(), key=lambda t: t.number)
    ]


def parse_json(text: str) -> list[PlannedTask]:
    """The plan in the JSON of ``tasks list --json``: title, description, status, priority,
    parent, after, check and criteria (only ``id`` and ``title`` are required). What a task's
    work produced (tokens, cost, time, branch, checkpoints) is not imported. Parents are put
    before their subtasks; a bad file is a TaskError with a one-line message."""
    try:
        data = json.loads(text)
    except json.JSONDecodeError as error:
        raise TaskError(f"the file is not valid JSON: {error.msg} at line {error.lineno}") from None
    if not isinstance(data, list):
        raise TaskError("the JSON should be a list of tasks, as 'tasks list --json' writes")
    return _checked([_json_task(item, number) for number, item in enumerate(data, start=1)])


def _json_task(item: object, number: int) -> PlannedTask:
    if not isinstance(item, dict):
        raise TaskError(f"task {number} of the file is not a JSON object")
    key = _text(item, "id", f"task {number} of the file")
    if not key:
        raise TaskError(f"task {number} of the file has no id")
    where = f"task {key}"
    title = _text(item, "title", where)
    if not title:
        raise TaskError(f"{where} has no title")
    return PlannedTask(
        key=key,
        title=title,
        description=_text(item, "description", where),
        status=_choice(item, "status", where, TaskStatus, TaskStatus.TODO),
        priority=_choice(item, "priority", where, Priority, Priority.MEDIUM),
        parent_key=_text(item, "parent", where) or None,
        after_keys=_keys(item, "after", where),
        check=_text(item, "check", where) or None,
        criteria=_criteria(item, where),
    )


def _text(item: dict[str, object], name: str, where: str) -> str:
    """A string field, stripped; missing or null is empty."""
    value = item.get(name)
    if value is None:
        return ""
    if not isinstance(value, str):
        raise TaskError(f"{where}: {name!r} should be text, not {json.dumps(value)[:40]}")
    return value.strip()


def _choice(item: dict[str, object], name: str, where: str, kind: type[E], default: E) -> E:
    value = _text(item, name, where)
    if not value:
        return default
    try:
        return kind(value.lower())
    except ValueError:
        allowed = ", ".join(member.value for member in kind)
        raise TaskError(f"{where}: unknown {name} {value!r} (one of {allowed})") from None


def _keys(item: dict[str, object], name: str, where: str) -> tuple[str, ...]:
    value = item.get(name)
    if value is None:
        return ()
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise TaskError(f"{where}: {name!r} should be a list of task ids")
    return tuple(dict.fromkeys(v.strip() for v in value if v.strip()))


def _criteria(item: dict[str, object], where: str) -> tuple[Criterion, ...]:
    """``[{"text": ..., "done": ...}]``; a plain string is a criterion not yet met."""
    value = item.get("criteria")
    if value is None:
        return ()
    if not isinstance(value, list):
        raise TaskError(f"{where}: 'criteria' should be a list")
    found: list[Criterion] = []
    for entry in value:
        if isinstance(entry, str):
            found.append(Criterion(entry))
        elif isinstance(entry, dict) and isinstance(entry.get("text"), str):
            done = entry.get("done", False)
            if not isinstance(done, bool):
                raise TaskError(f"{where}: a criterion's 'done' should be true or false")
            found.append(Criterion(entry["text"], done))
        else:
            raise TaskError(f"{where}: each criterion should be {{'text': ..., 'done': ...}}")
    return tuple(found)
