"""The permission vocabulary: modes, actions, rules, the ``[permissions]`` table and a decision."""

from __future__ import annotations

import json
from collections.abc import Collection, Iterable
from dataclasses import dataclass
from enum import StrEnum
from fnmatch import fnmatchcase

from pydantic import BaseModel, ConfigDict, Field


class Mode(StrEnum):
    """How much the agent may do without asking; ``ask`` is the default."""

    READ_ONLY = "read-only"
    ASK = "ask"
    AUTO_EDIT = "auto-edit"
    FULL = "full"

    @property
    def strictness(self) -> int:
        """Higher is stricter: read-only > ask > auto-edit > full."""
        return _STRICTNESS[self]


_STRICTNESS = {Mode.FULL: 0, Mode.AUTO_EDIT: 1, Mode.ASK: 2, Mode.READ_ONLY: 3}


class Action(StrEnum):
    """What happens to a tool call: run it, ask the user first, or refuse it."""

    ALLOW = "allow"
    ASK = "ask"
    DENY = "deny"

    @property
    def severity(self) -> int:
        """Higher wins when several answers apply: deny > ask > allow."""
        return _SEVERITY[self]


_SEVERITY = {Action.ALLOW: 0, Action.ASK: 1, Action.DENY: 2}


class ToolKind(StrEnum):
    """What a tool does to the project, which is what a mode's default looks at."""

    READ = "read"
    EDIT = "edit"
    SHELL = "shell"
    TASKS = "tasks"  # the project's task plan, not its files


TOOL_KINDS: dict[str, ToolKind] = {
    "read_file": ToolKind.READ,
    "list_files": ToolKind.READ,
    "search": ToolKind.READ,
    "write_file": ToolKind.EDIT,
    "edit_file": ToolKind.EDIT,
    "run_shell": ToolKind.SHELL,
    "task_list": ToolKind.TASKS,
    "task_create": ToolKind.TASKS,
    "task_update": ToolKind.TASKS,
}


class Rule(BaseModel):
    """One ``[[permissions.rules]]`` entry: for this tool and this glob, do this."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    tool: str = Field(min_length=1)
    pattern: str = Field(default="*", min_length=1)
    action: Action

    def applies_to(self, tools: Collection[str]) -> bool:
        return self.tool == "*" or self.tool in tools

    def matches(self, subject: str) -> bool:
        """fnmatch-style and case-sensitive; ``*`` crosses ``/``."""
        return fnmatchcase(subject, self.pattern)

    def describe(self) -> str:
        pattern = json.dumps(self.pattern, ensure_ascii=False)
        return f"rule {self.tool} {pattern} → {self.action.value}"


def exact_pattern(text: str) -> str:
    """A rule pattern that matches ``text`` and nothing else (``*``, ``?``, ``[`` escaped)."""
    return "".join(f"[{char}]" if char in "*?[" else char for char in text)


class PermissionSettings(BaseModel):
    """The ``[permissions]`` table of a config file: a mode and a list of rules."""

    model_config = ConfigDict(extra="forbid")

    mode: Mode = Mode.ASK
    rules: list[Rule] = Field(default_factory=list)

    @property
    def mode_is_set(self) -> bool:
        """Whether the file named a mode; a project's mode only counts when it did."""
        return "mode" in self.model_fields_set


@dataclass(frozen=True)
class Decision:
    """The verdict on one tool call and the one line that explains it."""

    action: Action
    reason: str

    def labelled(self, label: str) -> Decision:
        return Decision(self.action, f"{label}: {self.reason}")


def strictest(decisions: Iterable[Decision]) -> Decision:
    """The most severe decision; among equals the first, so callers order by informativeness."""
    best: Decision | None = None
    for decision in decisions:
        if best is None or decision.action.severity > best.action.severity:
            best = decision
    if best is None:
        raise ValueError("strictest() needs at least one decision")
    return best
