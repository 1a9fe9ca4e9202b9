"""write_file: create or replace a whole file, returning the diff against the old content."""

from __future__ import annotations

import asyncio

from pydantic import Field

from penguin_tui.engine.tools.base import Tool, ToolArguments, ToolContext, ToolError, ToolResult
from penguin_tui.engine.tools.textfiles import (
    diff_stats,
    ensure_regular_file,
    looks_binary,
    unified_diff,
    write_text,
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

    def _write(self, args: WriteFileArgs, ctx: ToolContext) -> ToolResult:
        path = resolve_in_project(ctx.project_root, args.path)
        shown = relative_to_project(ctx.project_root, path)
        if path.is_dir():
            raise ToolError(f"{shown} is a directory; give the path of a file to write")
        ensure_regular_file(path, shown)
        old: str | None = None
        was_binary = False
        if path.exists():
            data = path.read_bytes()
            was_binary = looks_binary(data)
            old = "" if was_binary else data.decode("utf-8", errors="replace")
        if old == args.content:
            return ToolResult.success(
                f"{shown} already has exactly this content; nothing was written.",
                f"write {shown}: unchanged",
            )
        path.parent.mkdir(parents=True, exist_ok=True)
        write_text(path, args.content)
        diff = unified_diff(old, args.content, shown)
        added, removed = diff_stats(diff)
        lines = plural(len(args.content.splitlines()), "line")
        if old is None:
            output = f"Created {shown} ({lines})."
        elif was_binary:
            output = f"Replaced the binary file {shown} with text ({lines})."
        else:
            output = f"Updated {shown}: +{added} -{removed} lines, {lines} now."
        return ToolResult.success(output, f"write {shown}: +{added} -{removed}", diff=diff)
