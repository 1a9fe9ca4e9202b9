"""list_files: the project's files under a folder, ignored files left out, big trees summarised."""

from __future__ import annotations

import asyncio
from collections import Counter

from pydantic import Field

from penguin_tui.engine.tools.base import Tool, ToolArguments, ToolContext, ToolError, ToolResult
from penguin_tui.printable import is_printable, printable
from penguin_tui.words import plural
from penguin_tui.workspace import project_files, relative_to_project, resolve_in_project

# Said once under a listing that holds a name with bytes that are not UTF-8.
UNDECODABLE_NOTE = (
    "(a name shown with \\xNN holds bytes that are not UTF-8; the file tools cannot open it "
    "by that name, run_shell can: e.g. $'caf\\xe9.txt' in bash)"
)


class ListFilesArgs(ToolArguments):
    """Arguments of list_files."""

    path: str = Field(default=".", description="Folder to list, relative to the project root.")


class ListFilesTool(Tool[ListFilesArgs]):
    """Lists files recursively, honouring .gitignore; deep folders become one summary line."""

    name = "list_files"
    parameters = ListFilesArgs
    description = (
        "List the files under a folder of the project, recursively, one path per line "
        "(relative to the project root). Files ignored by .gitignore and the .git folder are "
        "left out. When there are more than 500 entries, deeper folders are summarised as "
        "`folder/ (N files)`: call list_files on such a folder to see inside it."
    )

    async def execute(self, args: ListFilesArgs, ctx: ToolContext) -> ToolResult:
        return await asyncio.to_thread(self._list, args, ctx)

    def _list(self, args: ListFilesArgs, ctx: ToolContext) -> ToolResult:
        path = resolve_in_project(ctx.project_root, args.path)
        shown = relative_to_project(ctx.project_root, path)
        if not path.exists():
            raise ToolError(f"{shown} does not exist")
        if not path.is_dir():
            return ToolResult.success(shown, f"listed {shown} (a file)")
        prefix = "" if shown == "." else shown + "/"
        files = [
            name[len(prefix) :]
            for name in project_files(ctx.project_root, ctx.environment)
            if name.startswith(prefix)
        ]
        return _render(shown, prefix, files, ctx.limits.list_max_entries)


def _render(shown: str, prefix: str, files: list[str], cap: int) -> ToolResult:
    where = "the project" if shown == "." else shown
    if not files:
        return ToolResult.success(
            f"No files under {where} (it is empty, or everything in it is ignored by .gitignore).",
            f"listed {shown}: no files",
        )
    entries, depth = summarise(files, cap)
    shown_entries = entries[:cap]
    lines = [printable(f"{prefix}{entry}") for entry in shown_entries]
    header = f"{plural(len(files), 'file')} under {where} (ignored files not shown)"
    if depth is not None:
        header += (
            f"; shown {plural(depth, 'level')} deep, deeper folders summarised as "
            "`folder/ (N files)`: call list_files on one to see inside"
        )
    body = header + ":\n" + "\n".join(lines)
    if len(entries) > cap:
        body += f"\n… and {len(entries) - cap} more entries; list a subfolder to see them"
    if not all(map(is_printable, shown_entries)):
        body += "\n" + UNDECODABLE_NOTE
    return ToolResult.success(body, f"listed {shown}: {plural(len(files), 'file')}")


def summarise(files: list[str], cap: int) -> tuple[list[str], int | None]:
    """Entries to show, and the depth beyond which folders were summarised (None: all shown).

    The deepest level whose listing fits ``cap`` entries is chosen; a folder below it shows
    as ``folder/ (N files)``.
    """
    if len(files) <= cap:
        return files, None
    max_depth = max(name.count("/") + 1 for name in files)
    best = _entries_at_depth(files, 1)
    chosen = 1
    for depth in range(2, max_depth):
        entries = _entries_at_depth(files, depth)
        if len(entries) > cap:
            break
        best, chosen = entries, depth
    return best, chosen


def _entries_at_depth(files: list[str], depth: int) -> list[str]:
    shallow = [name for name in files if name.count("/") < depth]
    folders = Counter(
        "/".join(name.split("/")[:depth]) for name in files if name.count("/") >= depth
    )
    summaries = [f"{folder}/ ({plural(count, 'file')})" for folder, count in folders.items()]
    return sorted(shallow + summaries, key=lambda entry: entry.split(" (")[0])
