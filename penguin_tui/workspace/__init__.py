"""The project on disk: path confinement and the list of the project's (non-ignored) files."""

from penguin_tui.workspace.confine import (
    OutsideProjectError,
    relative_to_project,
    resolve_in_project,
)
from penguin_tui.workspace.files import project_files
from penguin_tui.workspace.patterns import IgnoreRule, PathGlob, is_ignored, parse_gitignore

__all__ = [
    "IgnoreRule",
    "OutsideProjectError",
    "PathGlob",
    "is_ignored",
    "parse_gitignore",
    "project_files",
    "relative_to_project",
    "resolve_in_project",
]
