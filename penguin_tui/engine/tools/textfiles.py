"""Reading project files as text, refusing binaries, and unified diffs of a change."""

from __future__ import annotations

import difflib
from dataclasses import dataclass
from pathlib import Path

from penguin_tui.engine.tools.base import ToolError, ToolPreview

BINARY_SNIFF_BYTES = 8 * 1024


class BinaryFileError(ToolError):
    """The file has a NUL byte in its first 8 KiB, so it is not shown or edited as text."""


def looks_binary(head: bytes) -> bool:
    """Git's rule of thumb: a NUL byte near the start means binary."""
    return b"\0" in head[:BINARY_SNIFF_BYTES]


def ensure_regular_file(path: Path, shown_as: str) -> None:
    """Refuse devices, sockets and pipes: opening a FIFO would block the tool forever."""
    if path.exists() and not path.is_file() and not path.is_dir():
        raise ToolError(f"{shown_as} is not a regular file (a device, socket or pipe)")


def read_text(path: Path, shown_as: str) -> str:
    """The whole file decoded as UTF-8 (bad bytes replaced), line endings kept."""
    if path.is_dir():
        raise ToolError(f"{shown_as} is a directory, not a file; use list_files to see inside it")
    if not path.exists():
        raise ToolError(f"{shown_as} does not exist")
    ensure_regular_file(path, shown_as)
    data = path.read_bytes()
    if looks_binary(data):
        raise BinaryFileError(f"{shown_as} looks like a binary file (it has NUL bytes)")
    return data.decode("utf-8", errors="replace")


def split_lines(text: str) -> list[str]:
    """Lines split on ``\\n`` only (like the numbering of read_file), ``\\r`` endings dropped."""
    lines = text.split("\n")
    if lines and lines[-1] == "":
        lines.pop()
    return [line[:-1] if line.endswith("\r") else line for line in lines]


def write_text(path: Path, text: str) -> None:
    """Write ``text`` exactly (no newline translation), in place so the file mode is kept."""
    with path.open("w", encoding="utf-8", newline="") as handle:
        handle.write(text)


@dataclass(frozen=True)
class FileChange:
    """A file tool's planned change, worked out once: shown in the approval question as its
    diff, then written as it was shown."""

    path: Path
    shown_as: str
    before: str | None  # None: the file does not exist yet
    after: str

    def diff(self) -> str:
        return unified_diff(self.before, self.after, self.shown_as)

    def preview(self) -> ToolPreview:
        return ToolPreview(self.diff(), is_diff=True)

    def write(self) -> None:
        """Write the new text, creating missing parent folders."""
        self.path.parent.mkdir(parents=True, exist_ok=True)
        write_text(self.path, self.after)


def unified_diff(old: str | None, new: str, shown_as: str) -> str:
    """A git-style unified diff from ``old`` (None: a new file) to ``new``."""
    before = "/dev/null" if old is None else f"a/{shown_as}"
    lines = difflib.unified_diff(
        (old or "").splitlines(keepends=True),
        new.splitlines(keepends=True),
        fromfile=before,
        tofile=f"b/{shown_as}",
    )
    out = []
    for line in lines:
        if line.endswith("\n"):
            out.append(line)
        else:
            out.append(line + "\n\\ No newline at end of file\n")
    return "".join(out)


def diff_stats(diff: str) -> tuple[int, int]:
    """Lines added and removed in a unified diff."""
    added = removed = 0
    for line in diff.splitlines():
        if line.startswith("+") and not line.startswith("+++"):
            added += 1
        elif line.startswith("-") and not line.startswith("---"):
            removed += 1
    return added, removed
