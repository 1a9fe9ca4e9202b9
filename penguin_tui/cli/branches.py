"""``penguin-tui branches list|create|switch|merge``: the session's lines of work, each with its
code and conversation, headless."""

from __future__ import annotations

import argparse
from collections.abc import Sequence
from typing import TYPE_CHECKING

from penguin_tui.cli.edge import Handler, run_at_edge
from penguin_tui.cli.exit_codes import ExitCode, fail
from penguin_tui.cli.project import NO_SESSION, open_project
from penguin_tui.cli.results import dump, print_result, result_json
from penguin_tui.formatting import COMMAND_LINE, checkpoint_label, file_rows, plain_lines
from penguin_tui.words import plural

if TYPE_CHECKING:
    from penguin_tui.checkpoints.service import MergePreview


async def _list_branches(options: argparse.Namespace) -> ExitCode:
    async with open_project(options, write=False) as opened:
        if opened.session_id is None:
            if options.json:
                dump([])
            else:
                print(NO_SESSION)
            return ExitCode.OK
        branches = await opened.service.branches(opened.session_id)
        checkpoints = await opened.service.checkpoints(opened.session_id)
    counts = {branch.name: 0 for branch in branches}
    for checkpoint in checkpoints:
        counts[checkpoint.branch] = counts.get(checkpoint.branch, 0) + 1
    if options.json:
        dump(
            [
                {
                    "name": b.name,
                    "head": b.position_id,
                    "current": b.current,
                    "head_message_id": b.head_message_id,
                    "checkpoints": counts[b.name],
                }
                for b in branches
            ]
        )
        return ExitCode.OK
    width = max(len(b.name) for b in branches)
    for b in branches:
        head = b.position_id[:8] if b.position_id else "-" * 8
        mark = "*" if b.current else " "
        print(f"{mark} {b.name:<{width}}  {head}  {plural(counts[b.name], 'checkpoint')}")
    return ExitCode.OK


async def _create_branch(options: argparse.Namespace) -> ExitCode:
    async with open_project(options, write=True) as opened:
        result = await opened.service.branch_from(opened.session, options.source, options.name)
    if options.json:
        dump(result_json(result))
    else:
        print_result(
            f"switched to the new branch {result.branch} at {checkpoint_label(result.checkpoint)}",
            result,
        )
    return ExitCode.OK


async def _switch(options: argparse.Namespace) -> ExitCode:
    async with open_project(options, write=True) as opened:
        result = await opened.service.switch(opened.session, options.name)
    if options.json:
        dump(result_json(result))
    else:
        print_result(
            f"switched to {result.branch} at {checkpoint_label(result.checkpoint)}", result
        )
    return ExitCode.OK


def _merge_preview_json(preview: MergePreview) -> dict[str, object]:
    return {
        "source": preview.source,
        "branch": preview.branch,
        "files": list(preview.picked),
        "theirs": preview.theirs.to_json(),
        "changes": [
            {"path": stat.path, "added": stat.added, "removed": stat.removed}
            for stat in preview.files
        ],
        "conflicts": list(preview.conflicts),
    }


def _print_merge_preview(preview: MergePreview) -> None:
    what = preview.source
    if preview.picked:
        what = f"{', '.join(preview.picked)} from {preview.source}"
    print(f"Merge {what} into {preview.branch} (dry run: nothing is changed)")
    if preview.changes_nothing:
        print("no file would change")
        return
    print(f"{plural(len(preview.files), 'file')} would change:")
    for line in plain_lines(file_rows(preview.files, COMMAND_LINE)):
        print(line)
    if preview.conflicts:
        foreseen = plural(len(preview.conflicts), "conflict")
        print(f"{foreseen} foreseen (the files would get conflict markers to resolve):")
        for path in preview.conflicts:
            print(f"  {path}")


def _conflicts_failure(conflicts: Sequence[str], *, foreseen: bool) -> ExitCode:
    listed = ", ".join(conflicts)
    if foreseen:
        return fail(
            f"{plural(len(conflicts), 'conflicted file')} foreseen ({listed}); nothing changed",
            ExitCode.FAILED,
        )
    return fail(
        f"{plural(len(conflicts), 'conflicted file')} "
        f"({listed}): they contain conflict markers to resolve; "
        "`penguin-tui checkpoints undo` takes the merge back",
        ExitCode.FAILED,
    )


async def _merge(options: argparse.Namespace) -> ExitCode:
    files = options.files or None
    async with open_project(options, write=not options.dry_run) as opened:
        if options.dry_run:
            preview = await opened.service.preview_merge(opened.session, options.name, files)
        else:
            result = await opened.service.merge(opened.session, options.name, files)
    if options.dry_run:
        if options.json:
            dump({"preview": _merge_preview_json(preview)})
        else:
            _print_merge_preview(preview)
        if preview.conflicts:
            return _conflicts_failure(preview.conflicts, foreseen=True)
        return ExitCode.OK
    what = ", ".join(options.files) + f" from {options.name}" if options.files else options.name
    if options.json:
        dump(
            result_json(
                result,
                source=options.name,
                files=list(options.files or []),
                changed=result.changed,
            )
        )
    elif not result.changed:
        print(
            f"nothing to merge: {result.branch} already has every change of {what}; "
            "nothing was recorded"
        )
    else:
        print_result(f"merged {what} into {result.branch}", result)
    if not result.conflicts:
        return ExitCode.OK
    if not options.json:
        print(f"{plural(len(result.conflicts), 'file')} with conflicts:")
        for path in result.conflicts:
            print(f"  {path}")
    return _conflicts_failure(result.conflicts, foreseen=False)


_BRANCHES: dict[str, Handler] = {
    "list": _list_branches,
    "create": _create_branch,
    "switch": _switch,
    "merge": _merge,
}


def branches_command(options: argparse.Namespace) -> ExitCode:
    handler = _BRANCHES[options.action]
    return run_at_edge(lambda: handler(options))
