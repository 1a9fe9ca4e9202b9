"""read_file: a text file with line numbers, a page at a time."""

from __future__ import annotations

import asyncio
import difflib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from pydantic import Field

from penguin_tui.engine.tools.base import (
    KIB,
    Tool,
    ToolArguments,
    ToolContext,
    ToolError,
    ToolLimits,
    ToolResult,
)
from penguin_tui.engine.tools.output import format_size
from penguin_tui.engine.tools.textfiles import (
    BINARY_SNIFF_BYTES,
    ensure_regular_file,
    looks_binary,
)
from penguin_tui.workspace import relative_to_project, resolve_in_project

# Counting every line of a larger file just to say "of N lines" is not worth the time.
_COUNT_LINES_MAX_BYTES = 64 * KIB * KIB


class ReadFileArgs(ToolArguments):
    """Arguments of read_file."""

    path: str = Field(description="File path, relative to the project root.")
    start_line: int | None = Field(
        default=None, ge=1, description="First line to show (1-based). Default: 1."
    )
    end_line: int | None = Field(
        default=None, ge=1, description="Last line to show (inclusive). Default: as many as fit."
    )


@dataclass(frozen=True)
class _Page:
    lines: list[str]
    first: int
    next_line: int | None  # where to continue, when a limit stopped the page
    stopped_by_bytes: bool
    total_lines: int | None


class ReadFileTool(Tool[ReadFileArgs]):
    """Shows a text file with line numbers; refuses binaries; pages long files."""

    name = "read_file"
    parameters = ReadFileArgs
    description = (
        "Read a text file of the project. Each line is shown as `<line number><TAB><text>`; the "
        "numbers are not part of the file (leave them out when you quote text to edit_file). "
        "At most 2000 lines or 256 KiB are returned per call: when a file is longer the result "
        "ends with the start_line to pass to read the next page. Use start_line/end_line to "
        "read just a part. Binary files are refused."
    )

    async def execute(self, args: ReadFileArgs, ctx: ToolContext) -> ToolResult:
        return await asyncio.to_thread(self._read, args, ctx)

    def _read(self, args: ReadFileArgs, ctx: ToolContext) -> ToolResult:
        path = resolve_in_project(ctx.project_root, args.path)
        shown = relative_to_project(ctx.project_root, path)
        start = args.start_line or 1
        if args.end_line is not None and args.end_line < start:
            raise ToolError(f"end_line ({args.end_line}) is before start_line ({start})")
        if path.is_dir():
            raise ToolError(f"{shown} is a directory, not a file; use list_files to see inside it")
        if not path.exists():
            raise ToolError(f"{shown} does not exist{_did_you_mean(path)}")
        ensure_regular_file(path, shown)
        with path.open("rb") as handle:
            if looks_binary(handle.read(BINARY_SNIFF_BYTES)):
                raise ToolError(
                    f"{shown} looks like a binary file (NUL bytes in its first 8 KiB); "
                    "it is not shown as text"
                )
            handle.seek(0)
            page = _read_page(handle, start, args.end_line, ctx.limits)
            total = _count_lines(handle, path)
        page = _Page(page.lines, page.first, page.next_line, page.stopped_by_bytes, total)
        return _render(shown, page, start, ctx.limits)


def _read_page(handle: BinaryIO, start: int, end: int | None, limits: ToolLimits) -> _Page:
    lines: list[str] = []
    used = 0
    for number, raw, cut in _numbered_lines(handle, limits.read_max_bytes):
        if number < start:
            continue
        if end is not None and number > end:
            break
        if len(lines) >= limits.read_max_lines:
            return _Page(lines, start, number, False, None)
        if used + len(raw) > limits.read_max_bytes and lines:
            return _Page(lines, start, number, True, None)
        used += len(raw)
        text = raw.decode("utf-8", errors="replace").rstrip("\n").removesuffix("\r")
        if cut:
            text += f" … [line cut at {format_size(limits.read_max_bytes)}]"
        lines.append(f"{number:>6}\t{text}")
    return _Page(lines, start, None, False, None)


def _numbered_lines(handle: BinaryIO, max_bytes: int) -> Iterator[tuple[int, bytes, bool]]:
    """(line number, bytes, cut) for each line; a line longer than ``max_bytes`` is cut."""
    number = 0
    while True:
        raw = handle.readline(max_bytes)
        if not raw:
            return
        number += 1
        cut = len(raw) == max_bytes and not raw.endswith(b"\n")
        if cut:
            while True:  # skip the rest of the over-long line
                rest = handle.readline(max_bytes)
                if not rest or rest.endswith(b"\n") or len(rest) < max_bytes:
                    break
        yield number, raw, cut


def _count_lines(handle: BinaryIO, path: Path) -> int | None:
    size = path.stat().st_size
    if size > _COUNT_LINES_MAX_BYTES:
        return None
    handle.seek(0)
    newlines = 0
    last = b"\n"
    while chunk := handle.read(1024 * KIB):
        newlines += chunk.count(b"\n")
        last = chunk[-1:]
    return newlines + (0 if last == b"\n" else 1)


def _render(shown: str, page: _Page, start: int, limits: ToolLimits) -> ToolResult:
    total = page.total_lines
    of_total = f" of {total}" if total is not None else ""
    if total == 0:
        return ToolResult.success(f"({shown} is empty)", f"read {shown} (empty)")
    if not page.lines:
        length = f"it has {total} lines" if total is not None else "it is shorter"
        raise ToolError(f"start_line {start} is past the end of {shown} ({length})")
    last = start + len(page.lines) - 1
    body = "\n".join(page.lines)
    if page.next_line is not None:
        why = (
            f"the {format_size(limits.read_max_bytes)} limit was reached"
            if page.stopped_by_bytes
            else f"at most {limits.read_max_lines} lines are shown per call"
        )
        body += (
            f"\n\n(Showing lines {start}-{last}{of_total}: {why}. "
            f"Call read_file with start_line={page.next_line} to read on.)"
        )
    return ToolResult.success(body, f"read {shown} lines {start}-{last}{of_total}")


def _did_you_mean(path: Path) -> str:
    """A hint naming similar files next to where the model looked."""
    parent = path.parent
    try:
        names = [entry.name for entry in parent.iterdir()] if parent.is_dir() else []
    except OSError:
        return ""
    close = difflib.get_close_matches(path.name, names, n=3, cutoff=0.6)
    return f"; similar names in the same folder: {', '.join(close)}" if close else ""
