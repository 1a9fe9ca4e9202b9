"""``penguin-tui checkpoints list|create|diff|revert|undo|redo``: snapshots of the project's
code and conversation, taken, compared and gone back to, headless."""

from __future__ import annotations

import argparse
import sys
import time
from typing import TYPE_CHECKING

from penguin_tui.checkpoints.model import Checkpoint, CheckpointKind, RevertMode
from penguin_tui.cli.diff_writer import patch_lines, stat_lines
from penguin_tui.cli.edge import Handler, run_at_edge
from penguin_tui.cli.exit_codes import ExitCode, fail
from penguin_tui.cli.project import open_project
from penguin_tui.cli.results import dump, message_json, print_result, result_json
from penguin_tui.formatting import (
    COMMAND_LINE,
    age,
    checkpoint_label,
    first_line,
    line_counts,
    money,
    plain_lines,
    revert_preview_lines,
    tokens,
)
from penguin_tui.store import UsageTotals
from penguin_tui.unified_diff import totals
from penguin_tui.words import plural

if TYPE_CHECKING:
    from penguin_tui.checkpoints.service import Comparison, RevertPreview, Side


def _usage_line(usage: UsageTotals) -> str:
    return f"{usage.input_tokens:,} tokens in, {usage.output_tokens:,} out, {money(usage.cost_usd)}"


async def _list(options: argparse.Namespace) -> ExitCode:
    async with open_project(options, write=False) as opened:
        if opened.session_id is None:
            checkpoints: list[Checkpoint] = []
            position = None
        else:
            checkpoints = await opened.service.checkpoints(opened.session_id)
            position = await opened.service.position(opened.session_id)
    current = position.id if position else None
    newest_first = list(reversed(checkpoints))
    if options.json:
        dump([{**c.to_json(), "current": c.id == current} for c in newest_first])
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


def _lines(checkpoint: Checkpoint) -> str:
    """+/- lines against the parent; a first checkpoint (the whole project) is "initial"."""
    if checkpoint.parent_id is None:
        return "initial"
    return line_counts(checkpoint.lines_added, checkpoint.lines_removed)


async def _create(options: argparse.Namespace) -> ExitCode:
    async with open_project(options, write=True, create_session=True) as opened:
        checkpoint = await opened.service.create(
            opened.session, CheckpointKind.MANUAL, options.label or ""
        )
    if options.json:
        dump({**checkpoint.to_json(), "current": True})
    else:
        print(checkpoint.id)
    if checkpoint.skipped:
        names = ", ".join(f"{path} ({reason})" for path, reason in checkpoint.skipped[:5])
        more = f" and {len(checkpoint.skipped) - 5} more" if len(checkpoint.skipped) > 5 else ""
        print(f"penguin-tui: left out of the snapshot: {names}{more}", file=sys.stderr)
    return ExitCode.OK


def _side_json(side: Side) -> dict[str, object]:
    return {
        "label": side.label,
        "messages": [message_json(m) for m in side.messages],
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
        "tasks": [difference.to_json() for difference in comparison.tasks],
    }


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
    async with open_project(options, write=False) as opened:
        comparison = await opened.service.compare(opened.session, options.old, options.new)
    if options.json:
        dump(_comparison_json(comparison))
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
    if comparison.tasks:
        print(f"tasks: {plural(len(comparison.tasks), 'task')} differ")
        for difference in comparison.tasks:
            print(f"  {difference.line()}")
    return ExitCode.OK


def _preview_json(preview: RevertPreview) -> dict[str, object]:
    return {
        "target": preview.target.to_json(),
        "mode": preview.mode.value,
        "parts": preview.mode.parts,
        "tasks": [difference.to_json() for difference in preview.tasks],
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
        "messages_leaving": [message_json(m) for m in preview.messages_leaving],
    }


_PART_WORDS = {"code": "the code", "conversation": "the conversation", "tasks": "the tasks"}


def _mode_words(mode: RevertMode) -> str:
    """``the code``, ``the code and the tasks``, ``the code, the conversation and the tasks``."""
    words = [_PART_WORDS[part] for part in mode.parts]
    return words[0] if len(words) == 1 else ", ".join(words[:-1]) + " and " + words[-1]


def revert_mode(options: argparse.Namespace) -> RevertMode:
    """The parts the flags name: --code, --conversation and --tasks add up; --both is the
    code and the conversation (also with no flag); --all is the three."""
    code, conversation, tasks = options.code, options.conversation, options.tasks
    if options.all:
        code = conversation = tasks = True
    if options.both or not (code or conversation or tasks):
        code = conversation = True
    return RevertMode.of(code=code, conversation=conversation, tasks=tasks)


def _print_preview(preview: RevertPreview) -> None:
    print(f"Revert {_mode_words(preview.mode)} to {checkpoint_label(preview.target)}")
    for line in plain_lines(revert_preview_lines(preview, COMMAND_LINE)):
        print(line)


def _confirmed(question: str) -> bool:
    """Ask on the terminal; anything but y or yes (or end of input) is a no."""
    print(f"{question} [y/N] ", end="", file=sys.stderr, flush=True)
    answer = sys.stdin.readline()
    return answer.strip().lower() in ("y", "yes")


async def _revert(options: argparse.Namespace) -> ExitCode:
    mode = revert_mode(options)
    async with open_project(options, write=True) as opened:
        if not options.yes:
            preview = await opened.service.preview_revert(opened.session, options.id, mode)
            if options.json:
                dump({"preview": _preview_json(preview)})
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
        dump(result_json(result, mode=mode.value, parts=mode.parts))
    else:
        target = checkpoint_label(result.checkpoint)
        print_result(f"reverted {_mode_words(mode)} to {target} on {result.branch}", result)
        print("`penguin-tui checkpoints undo` takes it back")
    return ExitCode.OK


async def _undo_or_redo(options: argparse.Namespace) -> ExitCode:
    async with open_project(options, write=True) as opened:
        if options.action == "undo":
            result = await opened.service.undo(opened.session)
            headline = f"undone: {result.branch} is back at {checkpoint_label(result.checkpoint)}"
        else:
            result = await opened.service.redo(opened.session)
            headline = f"redone: {result.branch} is at {checkpoint_label(result.checkpoint)} again"
    if options.json:
        dump(result_json(result))
    else:
        print_result(headline, result)
    return ExitCode.OK


_CHECKPOINTS: dict[str, Handler] = {
    "list": _list,
    "create": _create,
    "diff": _diff,
    "revert": _revert,
    "undo": _undo_or_redo,
    "redo": _undo_or_redo,
}


def checkpoints_command(options: argparse.Namespace) -> ExitCode:
    handler = _CHECKPOINTS[options.action]
    return run_at_edge(lambda: handler(options))
