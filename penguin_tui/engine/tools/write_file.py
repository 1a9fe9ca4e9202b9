"""write_file: create or replace a whole file, returning the diff against the old content."""

from __future__ import annotations

import asyncio
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
from penguin_tui.engine.tools.textfiles import (
    FileChange,
    diff_stats,
    ensure_regular_file,
    looks_binary,
)
from penguin_tui.words import plural
from penguin_tui.workspace import relative_to_project, resolve_in_project


class WriteFileArgs(ToolArguments):
    """Arguments of write_file."""

    path: str = Field(description="File path, relative to the project root.")
    content: str = Field(description="The complete new content of the file.")


class WriteFileTool(Tool[WriteFileArgs]):
    """Writes a whole file (parent folders created); the result carries a unified diff."""

    name = "write_file"
    parameters = WriteFileArgs
    description = (
        "Create a file, or replace the whole content of an existing one, with `content`. "
        "Missing parent folders are created. Prefer edit_file to change part of an existing "
        "file. The result says whether the file was created or updated and how many lines "
        "changed."
    )

    async def execute(self, args: WriteFileArgs, ctx: ToolContext) -> ToolResult:
        return await asyncio.to_thread(self._write, args, ctx)

    def preview(self, args: WriteFileArgs, ctx: ToolContext) -> ToolPreview:
        plan = _plan(args, ctx)
        if plan.unchanged:
            shown = plan.change.shown_as
            return ToolPreview(
                f"{shown} already has exactly this content; nothing will be written."
            )
        return plan.change.preview()

    def _write(self, args: WriteFileArgs, ctx: ToolContext) -> ToolResult:
        plan = _plan(args, ctx)
        shown = plan.change.shown_as
        if plan.unchanged:
            return ToolResult.success(
                f"{shown} already has exactly this content; nothing was written.",
                f"write {shown}: unchanged",
            )
        plan.change.write()
        diff = plan.change.diff()
        added, removed = diff_stats(diff)
        lines = plural(len(args.content.splitlines()), "line")
        if plan.change.before is None:
            output = f"Created {shown} ({lines})."
        elif plan.was_binary:
            output = f"Replaced the binary file {shown} with text ({lines})."
        else:
            output = f"Updated {shown}: +{added} -{removed} lines, {lines} now."
        return ToolResult.success(output, f"write {shown}: +{added} -{removed}", diff=diff)


@dataclass(frozen=True)
class _WritePlan:
    """A write worked out: the change, and whether it replaces a binary file or nothing."""

    change: FileChange
    was_binary: bool

    @property
    def unchanged(self) -> bool:
        return self.change.before == self.change.after


def _plan(args: WriteFileArgs, ctx: ToolContext) -> _WritePlan:
    """The file's text before and after, or a ToolError saying why it cannot be written."""
    path = resolve_in_project(ctx.project_root, args.path)
    shown = relative_to_project(ctx.project_root, path)
    if path.is_dir():
        raise ToolError(f"{shown} is a directory; give the path of a file to write")
    ensure_regular_file(path, shown)
    before: str | None = None
    was_binary = False
    if path.exists():
        data = path.read_bytes()
        was_binary = looks_binary(data)
        before = "" if was_binary else data.decode("utf-8", errors="replace")
    return _WritePlan(FileChange(path, shown, before, args.content), was_binary)
