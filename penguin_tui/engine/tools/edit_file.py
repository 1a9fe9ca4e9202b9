"""edit_file: replace an exact piece of text in a file, with a helpful miss."""

from __future__ import annotations

import asyncio
import re
from dataclasses import dataclass

from pydantic import Field

from penguin_tui.engine.tools.base import (
    Tool,
    ToolArguments,
    ToolContext,
    ToolError,
    ToolPreview,
    ToolResult,
)
from penguin_tui.engine.tools.nearest import NearestMatch, nearest_match
from penguin_tui.engine.tools.output import cap_head_tail
from penguin_tui.engine.tools.textfiles import FileChange, diff_stats, read_text
from penguin_tui.words import plural
from penguin_tui.workspace import relative_to_project, resolve_in_project

_MATCH_SHOWN_LINES = 40
_SIMILAR_ENOUGH = 0.3
_LINE_NUMBER_PREFIX = re.compile(r"^\s*\d+\t")


class EditFileArgs(ToolArguments):
    """Arguments of edit_file."""

    path: str = Field(description="File path, relative to the project root.")
    old: str = Field(description="Exact text to replace, including indentation and newlines.")
    new: str = Field(description="Text to put in its place.")
    replace_all: bool = Field(
        default=False, description="Replace every occurrence instead of exactly one."
    )


class EditFileTool(Tool[EditFileArgs]):
    """Replaces ``old`` with ``new``; ``old`` must be unique unless ``replace_all``."""

    name = "edit_file"
    parameters = EditFileArgs
    description = (
        "Replace text in an existing file: `old` must appear in the file exactly as given "
        "(whitespace included, without read_file's line numbers) and exactly once, unless "
        "replace_all is true. Include a few surrounding lines in `old` to make it unique. When "
        "`old` is not found, the result shows the most similar lines of the file with their "
        "line numbers; when it appears several times, the line numbers of each. The result "
        "shows the diff of the change."
    )

    async def execute(self, args: EditFileArgs, ctx: ToolContext) -> ToolResult:
        return await asyncio.to_thread(self._edit, args, ctx)

    def preview(self, args: EditFileArgs, ctx: ToolContext) -> ToolPreview:
        return _plan(args, ctx).change.preview()

    def _edit(self, args: EditFileArgs, ctx: ToolContext) -> ToolResult:
        plan = _plan(args, ctx)
        plan.change.write()
        shown = plan.change.shown_as
        diff = plan.change.diff()
        added, removed = diff_stats(diff)
        replaced = plural(plan.replaced, "occurrence")
        output = (
            f"Edited {shown}: replaced {replaced} (first at line {plan.first_line}), "
            f"+{added} -{removed} lines.\n\n{diff}"
        )
        return ToolResult.success(
            cap_head_tail(output, ctx.limits.output_max_chars),
            f"edit {shown}: +{added} -{removed}",
            diff=diff,
        )


@dataclass(frozen=True)
class _EditPlan:
    """An edit worked out: the change, how many occurrences it replaces and where."""

    change: FileChange
    replaced: int
    first_line: int


def _plan(args: EditFileArgs, ctx: ToolContext) -> _EditPlan:
    """The new text of the file, or a ToolError saying why the edit cannot be made."""
    path = resolve_in_project(ctx.project_root, args.path)
    shown = relative_to_project(ctx.project_root, path)
    if not args.old:
        raise ToolError(
            "old is empty; give the exact text to replace (use write_file to create a file)"
        )
    if args.old == args.new:
        raise ToolError("old and new are the same; there is nothing to change")
    if not path.exists():
        raise ToolError(f"{shown} does not exist; use write_file to create it")
    text = read_text(path, shown)
    old, new = args.old, args.new
    if old not in text and "\r\n" in text and "\r\n" not in old:
        old, new = old.replace("\n", "\r\n"), new.replace("\n", "\r\n")  # a CRLF file
    count = text.count(old)
    if count == 0:
        raise ToolError(_not_found(shown, text, args.old))
    if count > 1 and not args.replace_all:
        lines = ", ".join(str(n) for n in _occurrence_lines(text, old))
        raise ToolError(
            f"old appears {count} times in {shown} (at lines {lines}); add surrounding "
            "lines to old so it matches exactly once, or set replace_all to true"
        )
    first_line = text.count("\n", 0, text.index(old)) + 1
    updated = text.replace(old, new) if args.replace_all else text.replace(old, new, 1)
    replaced = count if args.replace_all else 1
    return _EditPlan(FileChange(path, shown, text, updated), replaced, first_line)


def _occurrence_lines(text: str, old: str) -> list[int]:
    lines = []
    start = text.find(old)
    while start >= 0:
        lines.append(text.count("\n", 0, start) + 1)
        start = text.find(old, start + len(old))
    return lines


def _not_found(shown: str, text: str, old: str) -> str:
    message = f"old was not found in {shown}."
    old_lines = [line for line in old.splitlines() if line.strip()]
    if old_lines and all(_LINE_NUMBER_PREFIX.match(line) for line in old_lines):
        message += (
            " It seems to start with line numbers copied from read_file: leave them out, "
            "they are not part of the file."
        )
    match = nearest_match(text, old)
    if match is None or match.similarity < _SIMILAR_ENOUGH:
        return message + " Nothing in the file looks similar; read the file again."
    return message + " " + _describe(match)


def _describe(match: NearestMatch) -> str:
    where = (
        f"line {match.start_line}"
        if match.start_line == match.end_line
        else f"lines {match.start_line}-{match.end_line}"
    )
    if match.whitespace_only:
        head = f"The text at {where} differs from old only in whitespace (indentation, spaces):"
    else:
        head = f"The most similar text ({match.similarity:.0%} similar) is at {where}:"
    shown = [
        f"{match.start_line + offset:>6}\t{line}"
        for offset, line in enumerate(match.lines[:_MATCH_SHOWN_LINES])
    ]
    if len(match.lines) > _MATCH_SHOWN_LINES:
        shown.append("   ...")
    return (
        head
        + "\n"
        + "\n".join(shown)
        + "\nCopy the exact text from the file (without the line numbers) into old and retry."
    )
