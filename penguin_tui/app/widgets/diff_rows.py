"""The diff laid out as rows: files and hunks as blocks, found by bisecting, and the pairing
of old and new lines for the side-by-side layout. No widgets here; ``DiffBody`` draws the rows.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Sequence
from typing import Literal

from textual.content import Content

from penguin_tui.unified_diff import FileDiff, FileStatus, Hunk

LayoutChoice = Literal["auto", "unified", "split"]
LayoutMode = Literal["unified", "split"]

TAB_SIZE = 4

STATUS_LETTERS = {
    FileStatus.ADDED: "A",
    FileStatus.MODIFIED: "M",
    FileStatus.DELETED: "D",
    FileStatus.RENAMED: "R",
    FileStatus.COPIED: "C",
    FileStatus.TYPE_CHANGED: "T",
}
STATUS_STYLES = {
    FileStatus.ADDED: "$text-success",
    FileStatus.MODIFIED: "$text-warning",
    FileStatus.DELETED: "$text-error",
    FileStatus.RENAMED: "$text-primary",
    FileStatus.COPIED: "$text-primary",
    FileStatus.TYPE_CHANGED: "$text-accent",
}

# Row kinds. A row is (kind, file, hunk, a, b): for a hunk header `a` is
# the hunk's number in the whole diff; for a line `a` is its index in the hunk; for a split
# row `a`/`b` are the old/new line indexes (-1 for none); for a note `a` is the note number.
FILE, NOTE, HUNK, LINE, PAIR, BLANK, MESSAGE = range(7)
Row = tuple[int, int, int, int, int]

# Control characters would move the terminal's cursor: show their pictures instead.
_VISIBLE: dict[int, int | None] = {code: 0x2400 + code for code in range(32) if code != 9}
_VISIBLE.update({0x7F: 0x2421, 0x85: 0x20, 0x2028: 0x20, 0x2029: 0x20, 0xFEFF: None})


def printable(text: str) -> str:
    """A line as it can be drawn: tabs expanded, control characters made visible."""
    if "\t" in text:
        text = text.expandtabs(TAB_SIZE)
    return text.translate(_VISIBLE)


def file_label(diff: FileDiff) -> str:
    """The path as the user reads it: ``old → new`` for renames and copies."""
    if diff.old_path and diff.old_path != diff.path:
        return f"{diff.old_path} → {diff.path}"
    return diff.path


def file_notes(diff: FileDiff) -> list[str]:
    """What the hunks cannot show: rename, mode change, binary content, an empty file."""
    notes: list[str] = []
    if diff.status in (FileStatus.RENAMED, FileStatus.COPIED) and diff.old_path:
        verb = "renamed" if diff.status is FileStatus.RENAMED else "copied"
        similar = f" ({diff.similarity}% similar)" if diff.similarity is not None else ""
        notes.append(f"{verb} from {diff.old_path}{similar}")
    if diff.old_mode and diff.new_mode and diff.old_mode != diff.new_mode:
        notes.append(f"mode {diff.old_mode} → {diff.new_mode}")
    elif diff.status is FileStatus.ADDED and diff.new_mode == "120000":
        notes.append("new symbolic link")
    elif diff.status is FileStatus.DELETED and diff.old_mode == "120000":
        notes.append("symbolic link deleted")
    if diff.binary:
        what = {FileStatus.ADDED: "added", FileStatus.DELETED: "deleted"}.get(
            diff.status, "changed"
        )
        notes.append(f"binary file {what}")
    elif not diff.hunks and diff.status in (FileStatus.ADDED, FileStatus.DELETED):
        notes.append(f"empty file {diff.status.value}")
    return notes


def file_summary(diff: FileDiff, lead: str) -> Content:
    """``M path  +3 −1``: status letter, path and line counts (or "binary")."""
    parts: list[tuple[str, str] | str] = [
        lead,
        (STATUS_LETTERS[diff.status], f"bold {STATUS_STYLES[diff.status]}"),
        " ",
        printable(file_label(diff)),
        "  ",
    ]
    if diff.binary:
        parts.append(("binary", "$foreground-muted"))
    else:
        parts += [(f"+{diff.added}", "$text-success"), " ", (f"−{diff.removed}", "$text-error")]
    return Content.assemble(*parts)


class RowIndex:
    """The diff laid out as rows for one layout, without building a row per line.

    Files and hunks are blocks; a row is found by bisecting the blocks' first rows, and the
    old/new pairs of a side-by-side hunk are worked out when the hunk is first drawn.
    """

    def __init__(self, files: Sequence[FileDiff], mode: LayoutMode) -> None:
        self.files = files
        self.mode: LayoutMode = mode
        self.file_rows: list[int] = []  # each file's header row
        self.hunk_rows: list[int] = []  # each hunk's header row, over the whole diff
        self.hunk_files: list[int] = []  # the file of each hunk
        self._starts: list[int] = []  # first row of each block
        self._blocks: list[tuple[int, int, int]] = []  # (file, hunk or -1, hunk number)
        self._pairs: dict[int, list[tuple[int, int]]] = {}
        highest = longest = 0
        rows = 0
        split = mode == "split"
        for fi, diff in enumerate(files):
            self._starts.append(rows)
            self._blocks.append((fi, -1, 0))
            rows += 1 if fi else 0
            self.file_rows.append(rows)
            rows += 1 + len(file_notes(diff))
            for hi, hunk in enumerate(diff.hunks):
                self._starts.append(rows)
                self._blocks.append((fi, hi, len(self.hunk_rows)))
                self.hunk_rows.append(rows)
                self.hunk_files.append(fi)
                highest = max(
                    highest, hunk.old_start + hunk.old_count, hunk.new_start + hunk.new_count
                )
                if split:
                    rows += 1 + split_row_count(hunk)
                else:
                    rows += 1 + len(hunk.lines)
                    longest = max(
                        longest, max((_width(line.text) for line in hunk.lines), default=0)
                    )
        self.count = rows if files else 1
        self.number_width = len(str(max(highest, 1)))
        self.code_width = longest

    def row(self, number: int) -> Row:
        """What row ``number`` shows."""
        if not self.files:
            return (MESSAGE, 0, 0, 0, 0)
        block = bisect_right(self._starts, number) - 1
        fi, hi, hunk_number = self._blocks[block]
        offset = number - self._starts[block]
        if hi < 0:
            if fi:
                if offset == 0:
                    return (BLANK, fi, 0, 0, 0)
                offset -= 1
            return (FILE, fi, 0, 0, 0) if offset == 0 else (NOTE, fi, 0, offset - 1, 0)
        if offset == 0:
            return (HUNK, fi, hi, hunk_number, 0)
        if self.mode == "unified":
            return (LINE, fi, hi, offset - 1, 0)
        pairs = self._pairs.get(hunk_number)
        if pairs is None:
            pairs = self._pairs[hunk_number] = split_pairs(self.files[fi].hunks[hi])
        old, new = pairs[offset - 1]
        return (PAIR, fi, hi, old, new)


def _width(text: str) -> int:
    return len(text) + (TAB_SIZE - 1) * text.count("\t") if "\t" in text else len(text)


def split_pairs(hunk: Hunk) -> list[tuple[int, int]]:
    """Side-by-side rows as (old line, new line) indexes, -1 for none: each run of removed
    lines faces the added lines that follow it; context faces itself."""
    out: list[tuple[int, int]] = []
    old: list[int] = []
    new: list[int] = []
    last = " "

    def flush() -> None:
        for k in range(max(len(old), len(new))):
            out.append((old[k] if k < len(old) else -1, new[k] if k < len(new) else -1))
        old.clear()
        new.clear()

    for li, line in enumerate(hunk.lines):
        kind = line.kind
        if kind == "-" or (kind == "\\" and last == "-"):
            if kind == "-" and new:
                flush()
            old.append(li)
        elif kind == "+" or (kind == "\\" and last == "+"):
            new.append(li)
        else:
            flush()
            out.append((li, li))
        if kind != "\\":
            last = kind
    flush()
    return out


def split_row_count(hunk: Hunk) -> int:
    """``len(split_pairs(hunk))`` without building the pairs."""
    rows = old = new = 0
    last = " "
    for line in hunk.lines:
        kind = line.kind
        if kind == "-" or (kind == "\\" and last == "-"):
            if kind == "-" and new:
                rows += max(old, new)
                old = new = 0
            old += 1
        elif kind == "+" or (kind == "\\" and last == "+"):
            new += 1
        else:
            rows += max(old, new) + 1
            old = new = 0
        if kind != "\\":
            last = kind
    return rows + max(old, new)
