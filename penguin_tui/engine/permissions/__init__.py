"""Permissions: allow, ask or deny for every tool call, from a mode, rules and fixed caps.

Nothing here imports Textual or litellm; ``docs/permissions.md`` is the user's view.
"""

from penguin_tui.engine.permissions.models import (
    TOOL_KINDS,
    Action,
    Decision,
    Mode,
    PermissionSettings,
    Rule,
    ToolKind,
    exact_pattern,
    strictest,
)
from penguin_tui.engine.permissions.paths import CheckedPath, ProjectPaths
from penguin_tui.engine.permissions.policy import PermissionPolicy
from penguin_tui.engine.permissions.rules import RuleBook, RuleSource, SourcedRule
from penguin_tui.engine.permissions.shell import (
    ShellParseError,
    SimpleCommand,
    Target,
    parse_shell,
)

__all__ = [
    "TOOL_KINDS",
    "Action",
    "CheckedPath",
    "Decision",
    "Mode",
    "PermissionPolicy",
    "PermissionSettings",
    "ProjectPaths",
    "Rule",
    "RuleBook",
    "RuleSource",
    "ShellParseError",
    "SimpleCommand",
    "SourcedRule",
    "Target",
    "ToolKind",
    "exact_pattern",
    "parse_shell",
    "strictest",
]
