"""A comparison's files written back as text: ``git diff --stat``-like lines, or the unified
diff rebuilt from the parsed files and hunks (``checkpoints diff``)."""

from __future__ import annotations

from collections.abc import Sequence

from penguin_tui.unified_diff import FileDiff, FileStatus, totals
from penguin_tui.words import plural


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
