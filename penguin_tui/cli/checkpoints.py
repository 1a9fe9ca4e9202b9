"""The ``checkpoints`` and ``branches`` sub-commands: list, create, compare, revert, undo and
redo; branch, switch and merge — the checkpoint service, headless.

They act on the project's latest session (or ``--session``). Reading commands open the project
read-only when another instance holds it; commands that move code or conversation need its
lock, and fail with the lock's message when they cannot have it.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
import time
from collections.abc import AsyncIterator, Callable, Coroutine, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from penguin_tui.bus import SnapshotProgress, Subscription
from penguin_tui.checkpoints.model import Checkpoint, CheckpointKind, RevertMode
from penguin_tui.cli.exit_codes import ExitCode, fail
from penguin_tui.cli.headless import run_at_edge
from penguin_tui.errors import CheckpointError
from penguin_tui.formatting import (
    COMMAND_LINE,
    age,
    checkpoint_label,
    file_rows,
    first_line,
    money,
    plain_lines,
    revert_preview_lines,
    size,
    tokens,
)
from penguin_tui.printable import printable_json
from penguin_tui.store import Message, Project, Store, UsageTotals
from penguin_tui.unified_diff import FileDiff, FileStatus, totals
from penguin_tui.words import plural

if TYPE_CHECKING:
    from penguin_tui.checkpoints.service import (
        CheckpointService,
        Comparison,
        MergePreview,
        OperationResult,
        RevertPreview,
        Side,
    )

_NO_SESSION = (
    "this project has no session yet, so no checkpoints; "
    "`penguin-tui checkpoints create` takes the first one"
)


# -- opening a project ---------------------------------------------------------------------


@dataclass(frozen=True)
class _Opened:
    """A project's checkpoints, opened for one command, and the session the command acts on."""

    service: CheckpointService
    session_id: str | None

    @property
    def session(self) -> str:
        if self.session_id is None:
            raise CheckpointError(_NO_SESSION)
        return self.session_id


async def _pick_session(
    store: Store, project: Project, wanted: str | None, *, create: bool, model: str | None
) -> str | None:
    """``--session`` (which must be this project's), else the project's latest session, else
    a new one when ``create`` (for ``checkpoints create``) or None."""
    if wanted:
        session = await store.get_session(wanted)
        if session.project_id != project.id:
            raise CheckpointError(
                f"session {session.id} belongs to another project; "
                "give that project's folder with -C DIR"
            )
        return session.id
    latest = await store.latest_session(project.id)
    if latest is not None:
        return latest.id
    if not create:
        return None
    return (await store.create_session(project.id, model)).id


@asynccontextmanager
async def _opened(
    options: argparse.Namespace, *, write: bool, create_session: bool = False
) -> AsyncIterator[_Opened]:
    """Open the project for a command; after a command that changed something, thin old
    checkpoints and warn when the store is over its quota."""
    from penguin_tui.runtime import open_runtime

    runtime = await open_runtime(options.directory, read_only_ok=not write)
    progress = asyncio.create_task(_print_progress(runtime.bus.subscribe()))
    try:
        service = runtime.checkpoints
        if service is None:
            raise CheckpointError(runtime.checkpoint_notice or "checkpoints are off")
        if notice := service.recovery_notice():
            print(f"penguin-tui: {notice}", file=sys.stderr, flush=True)
        session_id = await _pick_session(
            runtime.store,
            service.project,
            options.session,
            create=create_session,
            model=runtime.engine.model_name,
        )
        yield _Opened(service, session_id)
        if write:
            await _apply_retention(service)
    finally:
        progress.cancel()
        await runtime.close()


async def _print_progress(events: Subscription) -> None:
    """A long snapshot says what it is doing on stderr (the first one of a big tree)."""
    async for event in events:
        if isinstance(event, SnapshotProgress):
            print(f"penguin-tui: {event.text}…", file=sys.stderr, flush=True)


async def _apply_retention(service: CheckpointService) -> None:
    await service.apply_retention()
    storage = await service.storage()
    if storage.over_quota:
        print(
            f"penguin-tui: warning: the checkpoint store is {size(storage.bytes)}, over its "
            f"quota of {size(storage.quota_bytes)}; raise [checkpoints] quota_mb or "
            "shorten the retention",
            file=sys.stderr,
            flush=True,
        )


# -- formatting ------------------------------------------------------------------------------


def _dump(document: object) -> None:
    print(printable_json(json.dumps(document, ensure_ascii=False)))


def _message_json(message: Message) -> dict[str, object]:
    return {
        "id": message.id,
        "role": message.role.value,
        "text": message.content,
        "tool_calls": [call.tool for call in message.tool_calls],
        "status": message.status.value,
        "created_at": message.created_at,
    }


def _usage_line(usage: UsageTotals) -> str:
    return f"{usage.input_tokens:,} tokens in, {usage.output_tokens:,} out, {money(usage.cost_usd)}"


def _result_json(result: OperationResult, **extra: object) -> dict[str, object]:
    restored = result.restored
    return {
        "action": result.action,
        "branch": result.branch,
        "checkpoint": result.checkpoint.to_json(),
        "safety_id": result.safety.id if result.safety else None,
        **extra,
        "written": list(restored.written) if restored else [],
        "deleted": list(restored.deleted) if restored else [],
        "kept": list(restored.kept) if restored else [],
        "conflicts": list(result.conflicts),
    }


def _print_result(headline: str, result: OperationResult) -> None:
    print(headline)
    restored = result.restored
    if restored is None:
        return
    if not (restored.written or restored.deleted or restored.kept):
        print("  no file changed")
    for path in restored.written:
        print(f"  written  {path}")
    for path in restored.deleted:
        print(f"  deleted  {path}")
    for path in restored.kept:
        print(f"  kept     {path} (not snapshotted, so left as it is)")


# -- checkpoints list / create -----------------------------------------------------------------


async def _list(options: argparse.Namespace) -> ExitCode:
    async with _opened(options, write=False) as opened:
        if opened.session_id is None:
            checkpoints: list[Checkpoint] = []
            position = None
        else:
            checkpoints = await opened.service.checkpoints(opened.session_id)
            position = await opened.service.position(opened.session_id)
    current = position.id if position else None
    newest_first = list(reversed(checkpoints))
    if options.json:
        _dump([{**c.to_json(), "current": c.id == current} for c in newest_first])
        return ExitCode.OK
    if not checkpoints:
        print("no checkpoints yet; `penguin-tui checkpoints create` takes one")
        return ExitCode.OK
    now = time.time()
    width = max(len(c.branch) for c in checkpoints)
    for c in newest_first:
        mark = "*" if c.id == current else " "
        spent = c.usage.input_tokens + c.usage.output_tokens
        print(
            f"{mark} {c.id[:8]}  {c.branch:<{width}}  {c.kind.value:<6}  "
            f"{age(now - c.created_at) + ' ago':>7}  {plural(c.files_changed, 'file'):>8}  "
            f"{_lines(c):>9}  {tokens(spent, shorten_from=None) + ' tok':>10}  "
            f"{money(c.usage.cost_usd):>7}  {c.label}".rstrip()
        )
    return ExitCode.OK


async def _create(options: argparse.Namespace) -> ExitCode:
    async with _opened(options, write=True, create_session=True) as opened:
        checkpoint = await opened.service.create(
            opened.session, CheckpointKind.MANUAL, options.label or ""
        )
    if options.json:
        _dump({**checkpoint.to_json(), "current": True})
    else:
        print(checkpoint.id)
    if checkpoint.skipped:
        names = ", ".join(f"{path} ({reason})" for path, reason in checkpoint.skipped[:5])
        more = f" and {len(checkpoint.skipped) - 5} more" if len(checkpoint.skipped) > 5 else ""
        print(f"penguin-tui: left out of the snapshot: {names}{more}", file=sys.stderr)
    return ExitCode.OK


# -- checkpoints diff ----------------------------------------------------------------------------


def _side_json(side: Side) -> dict[str, object]:
    return {
        "label": side.label,
        "messages": [_message_json(m) for m in side.messages],
        "input_tokens": side.usage.input_tokens,
        "output_tokens": side.usage.output_tokens,
        "cost_usd": side.usage.cost_usd,
        "calls": side.usage.calls,
    }


def _comparison_json(comparison: Comparison) -> dict[str, object]:
    files, added, removed = totals(comparison.files)
    return {
        "old": comparison.old.to_json(),
        "new": comparison.new.to_json() if comparison.new else None,
        "files": [f.to_json() for f in comparison.files],
        "totals": {"files": files, "added": added, "removed": removed},
        "left": _side_json(comparison.left),
        "right": _side_json(comparison.right),
    }


def _stat_name(diff: FileDiff) -> str:
    return f"{diff.old_path} => {diff.path}" if diff.old_path else diff.path


def stat_lines(files: Sequence[FileDiff]) -> list[str]:
    """``git diff --stat``-like lines: ``path | +N -M`` per file, then a total line."""
    width = max((len(_stat_name(f)) for f in files), default=0)
    lines = []
    for diff in files:
        change = "Bin" if diff.binary else f"+{diff.added} -{diff.removed}"
        lines.append(f" {_stat_name(diff):<{width}} | {change}")
    count, added, removed = totals(files)
    lines.append(
        f" {plural(count, 'file')} changed, {plural(added, 'insertion')}(+), "
        f"{plural(removed, 'deletion')}(-)"
    )
    return lines


def patch_lines(files: Sequence[FileDiff]) -> list[str]:
    """The unified diff again, rebuilt from the parsed files and hunks."""
    lines: list[str] = []
    for diff in files:
        old = diff.old_path or diff.path
        lines.append(f"diff --git a/{old} b/{diff.path}")
        if diff.status is FileStatus.ADDED:
            lines.append(f"new file mode {diff.new_mode or '100644'}")
        elif diff.status is FileStatus.DELETED:
            lines.append(f"deleted file mode {diff.old_mode or '100644'}")
        elif diff.old_mode and diff.new_mode and diff.old_mode != diff.new_mode:
            lines += [f"old mode {diff.old_mode}", f"new mode {diff.new_mode}"]
        if diff.old_path:
            verb = "copy" if diff.status is FileStatus.COPIED else "rename"
            if diff.similarity is not None:
                lines.append(f"similarity index {diff.similarity}%")
            lines += [f"{verb} from {diff.old_path}", f"{verb} to {diff.path}"]
        if diff.binary:
            lines.append(f"Binary files a/{old} and b/{diff.path} differ")
            continue
        if not diff.hunks:
            continue
        lines.append("--- /dev/null" if diff.status is FileStatus.ADDED else f"--- a/{old}")
        deleted = diff.status is FileStatus.DELETED
        lines.append("+++ /dev/null" if deleted else f"+++ b/{diff.path}")
        for hunk in diff.hunks:
            lines.append(hunk.header)
            for line in hunk.lines:
                lines.append(f"\\ {line.text}" if line.kind == "\\" else line.kind + line.text)
    return lines


def _print_side(name: str, side: Side) -> None:
    print(
        f"{name}: {side.label} · {plural(len(side.messages), 'message')} since the common "
        f"point · {_usage_line(side.usage)}"
    )
    for message in side.messages:
        print(f"  {message.role.value:<9}  {first_line(message, 100)}")


async def _diff(options: argparse.Namespace) -> ExitCode:
    if options.stat and options.json:
        return fail("--stat and --json cannot be used together", ExitCode.USAGE)
    async with _opened(options, write=False) as opened:
        comparison = await opened.service.compare(opened.session, options.old, options.new)
    if options.json:
        _dump(_comparison_json(comparison))
        return ExitCode.OK
    if options.stat:
        print("\n".join(stat_lines(comparison.files)))
        return ExitCode.OK
    if comparison.files:
        print("\n".join(patch_lines(comparison.files)))
    else:
        print(f"no file differs between {comparison.left.label} and {comparison.right.label}")
    print()
    _print_side("left ", comparison.left)
    _print_side("right", comparison.right)
    return ExitCode.OK


# -- checkpoints revert / undo / redo ------------------------------------------------------------


def _preview_json(preview: RevertPreview) -> dict[str, object]:
    return {
        "target": preview.target.to_json(),
        "mode": preview.mode.value,
        "files": [
            {
                "path": stat.path,
                "added": stat.added,
                "removed": stat.removed,
                "deleted": stat.path in preview.deleted,
                "only_in_safety": stat.path in preview.only_in_safety,
            }
            for stat in preview.files
        ],
        "messages_leaving": [_message_json(m) for m in preview.messages_leaving],
    }


_MODE_WORDS = {
    RevertMode.CODE: "the code",
    RevertMode.CONVERSATION: "the conversation",
    RevertMode.BOTH: "the code and the conversation",
}


def _print_preview(preview: RevertPreview) -> None:
    print(f"Revert {_MODE_WORDS[preview.mode]} to {checkpoint_label(preview.target)}")
    for line in plain_lines(revert_preview_lines(preview, COMMAND_LINE)):
        print(line)


def _confirmed(question: str) -> bool:
    """Ask on the terminal; anything but y or yes (or end of input) is a no."""
    print(f"{question} [y/N] ", end="", file=sys.stderr, flush=True)
    answer = sys.stdin.readline()
    return answer.strip().lower() in ("y", "yes")


async def _revert(options: argparse.Namespace) -> ExitCode:
    mode = RevertMode(options.mode)
    async with _opened(options, write=True) as opened:
        if not options.yes:
            preview = await opened.service.preview_revert(opened.session, options.id, mode)
            if options.json:
                _dump({"preview": _preview_json(preview)})
            else:
                _print_preview(preview)
            if not sys.stdin.isatty():
                return fail(
                    "not reverted: stdin is not a terminal, so nobody can confirm; "
                    "add --yes to revert",
                    ExitCode.USAGE,
                )
            if not _confirmed("Revert?"):
                return fail("not reverted; nothing changed")
        result = await opened.service.revert(opened.session, options.id, mode)
    if options.json:
        _dump(_result_json(result, mode=mode.value))
    else:
        target = checkpoint_label(result.checkpoint)
        _print_result(f"reverted {_MODE_WORDS[mode]} to {target} on {result.branch}", result)
        print("`penguin-tui checkpoints undo` takes it back")
    return ExitCode.OK


async def _undo_or_redo(options: argparse.Namespace) -> ExitCode:
    async with _opened(options, write=True) as opened:
        if options.action == "undo":
            result = await opened.service.undo(opened.session)
            headline = f"undone: {result.branch} is back at {checkpoint_label(result.checkpoint)}"
        else:
            result = await opened.service.redo(opened.session)
            headline = f"redone: {result.branch} is at {checkpoint_label(result.checkpoint)} again"
    if options.json:
        _dump(_result_json(result))
    else:
        _print_result(headline, result)
    return ExitCode.OK


# -- branches ------------------------------------------------------------------------------------


async def _list_branches(options: argparse.Namespace) -> ExitCode:
    async with _opened(options, write=False) as opened:
        if opened.session_id is None:
            if options.json:
                _dump([])
            else:
                print(_NO_SESSION)
            return ExitCode.OK
        branches = await opened.service.branches(opened.session_id)
        checkpoints = await opened.service.checkpoints(opened.session_id)
    counts = {branch.name: 0 for branch in branches}
    for checkpoint in checkpoints:
        counts[checkpoint.branch] = counts.get(checkpoint.branch, 0) + 1
    if options.json:
        _dump(
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
    async with _opened(options, write=True) as opened:
        result = await opened.service.branch_from(opened.session, options.source, options.name)
    if options.json:
        _dump(_result_json(result))
    else:
        _print_result(
            f"switched to the new branch {result.branch} at {checkpoint_label(result.checkpoint)}",
            result,
        )
    return ExitCode.OK


async def _switch(options: argparse.Namespace) -> ExitCode:
    async with _opened(options, write=True) as opened:
        result = await opened.service.switch(opened.session, options.name)
    if options.json:
        _dump(_result_json(result))
    else:
        _print_result(
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
    async with _opened(options, write=not options.dry_run) as opened:
        if options.dry_run:
            preview = await opened.service.preview_merge(opened.session, options.name, files)
        else:
            result = await opened.service.merge(opened.session, options.name, files)
    if options.dry_run:
        if options.json:
            _dump({"preview": _merge_preview_json(preview)})
        else:
            _print_merge_preview(preview)
        if preview.conflicts:
            return _conflicts_failure(preview.conflicts, foreseen=True)
        return ExitCode.OK
    what = ", ".join(options.files) + f" from {options.name}" if options.files else options.name
    if options.json:
        _dump(
            _result_json(
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
        _print_result(f"merged {what} into {result.branch}", result)
    if not result.conflicts:
        return ExitCode.OK
    if not options.json:
        print(f"{plural(len(result.conflicts), 'file')} with conflicts:")
        for path in result.conflicts:
            print(f"  {path}")
    return _conflicts_failure(result.conflicts, foreseen=False)


# -- dispatch ------------------------------------------------------------------------------------

Handler = Callable[[argparse.Namespace], Coroutine[Any, Any, ExitCode]]

_CHECKPOINTS: dict[str, Handler] = {
    "list": _list,
    "create": _create,
    "diff": _diff,
    "revert": _revert,
    "undo": _undo_or_redo,
    "redo": _undo_or_redo,
}
_BRANCHES: dict[str, Handler] = {
    "list": _list_branches,
    "create": _create_branch,
    "switch": _switch,
    "merge": _merge,
}


def checkpoints_command(options: argparse.Namespace) -> ExitCode:
    handler = _CHECKPOINTS[options.action]
    return run_at_edge(lambda: handler(options))


def branches_command(options: argparse.Namespace) -> ExitCode:
    handler = _BRANCHES[options.action]
    return run_at_edge(lambda: handler(options))


def _lines(checkpoint: Checkpoint) -> str:
    """+/- lines against the parent; a first checkpoint (the whole project) is "initial"."""
    if checkpoint.parent_id is None:
        return "initial"
    return f"+{checkpoint.lines_added} -{checkpoint.lines_removed}"
