"""search: a regular expression over the project's files, one matching line per result."""

from __future__ import annotations

import asyncio
import re
import stat
from dataclasses import dataclass, field
from pathlib import Path

from pydantic import Field

from penguin_tui.engine.tools.base import (
    Tool,
    ToolArguments,
    ToolContext,
    ToolError,
    ToolLimits,
    ToolResult,
)
from penguin_tui.engine.tools.list_files import UNDECODABLE_NOTE
from penguin_tui.engine.tools.output import cap_head_tail, format_size
from penguin_tui.engine.tools.textfiles import looks_binary
from penguin_tui.printable import is_printable, printable
from penguin_tui.words import plural
from penguin_tui.workspace import PathGlob, project_files, relative_to_project, resolve_in_project

_LINE_MAX_CHARS = 300


class SearchArgs(ToolArguments):
    """Arguments of search."""

    pattern: str = Field(description="Python regular expression, matched against each line.")
    path: str = Field(default=".", description="Folder or file to search. Default: everything.")
    glob: str | None = Field(
        default=None,
        description="Only files matching this glob, e.g. `*.py`, `src/**/*.ts`, `*.{js,jsx}`.",
    )
    ignore_case: bool = Field(default=False, description="Match without regard to case.")


@dataclass
class _Findings:
    lines: list[str] = field(default_factory=list)
    files_searched: int = 0
    files_matched: int = 0
    skipped_large: int = 0
    skipped_outside: int = 0
    truncated: bool = False
    undecodable_names: bool = False


class SearchTool(Tool[SearchArgs]):
    """Greps the project (``path:line: text``), honouring .gitignore, skipping binaries."""

    name = "search"
    parameters = SearchArgs
    description = (
        "Search the project's files for a Python regular expression, line by line. Each match "
        "is shown as `path:line: text` (path relative to the project root). Files ignored by "
        ".gitignore, binary files and files over 10 MiB are skipped. Narrow the search with "
        "`path` (a folder or file) and `glob` (e.g. `*.py`). At most 200 matches are returned; "
        "when the limit is hit the result says so, and a more specific pattern, path or glob "
        "finds the rest."
    )

    async def execute(self, args: SearchArgs, ctx: ToolContext) -> ToolResult:
        try:
            regex = re.compile(args.pattern, re.IGNORECASE if args.ignore_case else 0)
        except re.error as exc:
            raise ToolError(f"invalid regular expression {args.pattern!r}: {exc}") from exc
        return await asyncio.to_thread(self._search, regex, args, ctx)

    def _search(self, regex: re.Pattern[str], args: SearchArgs, ctx: ToolContext) -> ToolResult:
        target = resolve_in_project(ctx.project_root, args.path)
        shown = relative_to_project(ctx.project_root, target)
        if not target.exists():
            raise ToolError(f"{shown} does not exist")
        candidates = _candidates(ctx, target, shown, args.glob)
        findings = _Findings()
        for name in candidates:
            try:
                path = resolve_in_project(ctx.project_root, name)
            except ToolError:
                findings.skipped_outside += 1  # a symlink to somewhere outside the project
                continue
            _search_file(path, name, regex, ctx.limits, findings)
            if findings.truncated:
                break
        return _render(args, shown, findings, ctx.limits)


def _candidates(ctx: ToolContext, target: Path, shown: str, glob: str | None) -> list[str]:
    if target.is_file():
        names = [shown]  # named explicitly: searched even if ignored
    else:
        prefix = "" if shown == "." else shown + "/"
        names = [
            name
            for name in project_files(ctx.project_root, ctx.environment)
            if name.startswith(prefix)
        ]
    if glob:
        matcher = PathGlob.parse(glob)
        names = [name for name in names if matcher.matches(name)]
    return names


def _search_file(
    path: Path, name: str, regex: re.Pattern[str], limits: ToolLimits, findings: _Findings
) -> None:
    try:
        info = path.stat()
        if not stat.S_ISREG(info.st_mode):
            return  # a pipe or device: reading it could block
        if info.st_size > limits.search_max_file_bytes:
            findings.skipped_large += 1
            return
        data = path.read_bytes()
    except OSError:
        return  # vanished or unreadable since it was listed
    if looks_binary(data):
        return
    findings.files_searched += 1
    matched = False
    for number, line in enumerate(data.decode("utf-8", errors="replace").split("\n"), 1):
        if regex.search(line) is None:
            continue
        if len(findings.lines) >= limits.search_max_matches:
            findings.truncated = True
            break
        matched = True
        text = line.rstrip("\r\n")
        if len(text) > _LINE_MAX_CHARS:
            text = text[:_LINE_MAX_CHARS] + " …"
        findings.lines.append(f"{printable(name)}:{number}: {text}")
    findings.files_matched += matched
    findings.undecodable_names |= matched and not is_printable(name)


def _render(args: SearchArgs, shown: str, findings: _Findings, limits: ToolLimits) -> ToolResult:
    where = "the project" if shown == "." else shown
    scope = f" matching {args.glob}" if args.glob else ""
    notes = []
    if findings.skipped_outside:
        notes.append(
            f"{plural(findings.skipped_outside, 'symlink')} to outside the project skipped"
        )
    if findings.skipped_large:
        notes.append(
            f"{plural(findings.skipped_large, 'file')} over "
            f"{format_size(limits.search_max_file_bytes)} skipped"
        )
    if not findings.lines:
        body = (
            f"No matches for {args.pattern!r} in {plural(findings.files_searched, 'file')} "
            f"under {where}{scope}."
        )
        if findings.files_searched == 0:
            notes.append("no text files there: empty, binary, or ignored by .gitignore")
        if notes:
            body += " (" + "; ".join(notes) + ")"
        return ToolResult.success(body, f"search {args.pattern!r}: no matches")
    count = len(findings.lines)
    body = "\n".join(findings.lines)
    if findings.truncated:
        notes.insert(
            0,
            f"stopped after {count} matches, there are more: use a more specific pattern, "
            "or narrow with path or glob",
        )
    if notes:
        body += "\n\n(" + "; ".join(notes) + ")"
    if findings.undecodable_names:
        body += "\n" + UNDECODABLE_NOTE
    matches = f"{count}+ matches" if findings.truncated else plural(count, "match", "matches")
    summary = f"search {args.pattern!r}: {matches} in {plural(findings.files_matched, 'file')}"
    return ToolResult.success(cap_head_tail(body, limits.output_max_chars), summary)
