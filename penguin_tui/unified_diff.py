"""Unified diffs as data: git's patch output (or a plain ``---``/``+++`` diff) parsed into files,
hunks and numbered lines, for the diff pane, the chat and the headless commands.

The parser makes one pass over the lines and uses a regular expression only for hunk headers,
so a diff of thousands of hunks parses in milliseconds. It expects git's output made with
``--no-color --no-ext-diff -M -c core.quotePath=false``; quoted paths are unquoted anyway.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from enum import StrEnum

__all__ = ["DiffLine", "FileDiff", "FileStatus", "Hunk", "parse_unified", "totals"]

DEV_NULL = "/dev/null"
_HUNK_HEADER = re.compile(r"@@ -(\d+)(?:,(\d+))? \+(\d+)(?:,(\d+))? @@")
# Prefixes git puts before paths: a/ b/ by default; diff.mnemonicPrefix and --no-index use
# the others.
_OLD_PREFIXES = ("a/", "c/", "i/", "o/", "1/")
_NEW_PREFIXES = ("b/", "w/", "i/", "o/", "2/")
_ESCAPES = {
    "a": 7,
    "b": 8,
    "t": 9,
    "n": 10,
    "v": 11,
    "f": 12,
    "r": 13,
    '"': 34,
    "\\": 92,
}
_TYPE_BITS = ("100", "120", "160", "040")


class FileStatus(StrEnum):
    """What happened to a file, in git's words."""

    ADDED = "added"
    MODIFIED = "modified"
    DELETED = "deleted"
    RENAMED = "renamed"
    COPIED = "copied"
    TYPE_CHANGED = "type-changed"


@dataclass(frozen=True, slots=True)
class DiffLine:
    """One line of a hunk: its marker (`` ``, ``+``, ``-`` or ``\\``), text and line numbers."""

    kind: str
    text: str
    old_no: int | None
    new_no: int | None


@dataclass(frozen=True, slots=True)
class Hunk:
    """A ``@@`` block: where it sits in the old and new file, and its lines."""

    header: str
    old_start: int
    old_count: int
    new_start: int
    new_count: int
    lines: tuple[DiffLine, ...]


@dataclass(frozen=True, slots=True)
class FileDiff:
    """The change to one file: status, paths, modes, line counts and hunks."""

    path: str
    old_path: str | None
    status: FileStatus
    binary: bool
    added: int
    removed: int
    hunks: tuple[Hunk, ...]
    old_mode: str | None = None
    new_mode: str | None = None
    similarity: int | None = None

    def to_json(self) -> dict[str, object]:
        """A plain-JSON form for the headless commands and the event log."""
        return {
            "path": self.path,
            "old_path": self.old_path,
            "status": self.status.value,
            "binary": self.binary,
            "added": self.added,
            "removed": self.removed,
            "old_mode": self.old_mode,
            "new_mode": self.new_mode,
            "similarity": self.similarity,
            "hunks": [
                {
                    "header": hunk.header,
                    "old_start": hunk.old_start,
                    "old_count": hunk.old_count,
                    "new_start": hunk.new_start,
                    "new_count": hunk.new_count,
                    "lines": [
                        {
                            "kind": line.kind,
                            "text": line.text,
                            "old": line.old_no,
                            "new": line.new_no,
                        }
                        for line in hunk.lines
                    ],
                }
                for hunk in self.hunks
            ],
        }


def totals(files: Sequence[FileDiff]) -> tuple[int, int, int]:
    """Files changed, lines added and lines removed, for a one-line summary."""
    return len(files), sum(f.added for f in files), sum(f.removed for f in files)


# -- paths ---------------------------------------------------------------------------------


def _unquote(text: str) -> tuple[str, str]:
    """A C-quoted string at the start of ``text`` (after its opening quote) and what follows.

    Octal escapes are bytes of UTF-8, as git writes them.
    """
    out = bytearray()
    i, n = 0, len(text)
    while i < n:
        char = text[i]
        if char == '"':
            return out.decode("utf-8", errors="replace"), text[i + 1 :]
        if char == "\\" and i + 1 < n:
            nxt = text[i + 1]
            if nxt in _ESCAPES:
                out.append(_ESCAPES[nxt])
                i += 2
                continue
            if "0" <= nxt <= "7":
                digits = text[i + 1 : i + 4]
                out.append(int(digits, 8) & 0xFF)
                i += 1 + len(digits)
                continue
        out.extend(char.encode("utf-8"))
        i += 1
    return out.decode("utf-8", errors="replace"), ""


def _path_token(text: str) -> str:
    """A path as written after ``---``/``+++``/``rename from``: unquoted, timestamp dropped."""
    if text.startswith('"'):
        return _unquote(text[1:])[0]
    # git ends a name containing a space with a tab; plain diffs put a timestamp after one.
    tab = text.find("\t")
    return text if tab < 0 else text[:tab]


def _strip_prefix(path: str, prefixes: tuple[str, ...]) -> str:
    if path == DEV_NULL:
        return path
    return path[2:] if path[:2] in prefixes else path


def _git_header_paths(rest: str) -> tuple[str, str]:
    """The two paths of ``diff --git A B`` (prefixes still on).

    Unquoted names may hold spaces; for a non-rename both halves name the same file, so the
    split that makes them equal (prefix aside) is the right one.
    """
    if rest.startswith('"'):
        old, after = _unquote(rest[1:])
        after = after[1:] if after.startswith(" ") else after
        new = _unquote(after[1:])[0] if after.startswith('"') else after
        return old, new
    if rest.endswith('"'):
        quote = rest.rfind(' "')
        if quote >= 0:
            return rest[:quote], _unquote(rest[quote + 2 :])[0]
    length = len(rest)
    if length % 2 == 1:
        half = length // 2
        old, new = rest[:half], rest[half + 1 :]
        if rest[half] == " " and old[2:] == new[2:]:
            return old, new
    split = rest.find(" b/")
    if split < 0:
        split = rest.find(" ")
    if split < 0:
        return rest, rest
    return rest[:split], rest[split + 1 :]


# -- the parser ----------------------------------------------------------------------------


@dataclass
class _FileBuilder:
    """A file being read; turned into a frozen ``FileDiff`` when the next one starts."""

    git_header: bool
    old_path: str | None = None
    new_path: str | None = None
    status: FileStatus | None = None
    binary: bool = False
    old_mode: str | None = None
    new_mode: str | None = None
    similarity: int | None = None
    seen_minus: bool = False
    seen_plus: bool = False
    added: int = 0
    removed: int = 0
    hunks: list[Hunk] = field(default_factory=list)

    def finish(self) -> FileDiff | None:
        old, new = self.old_path, self.new_path
        if old is None and new is None:
            return None
        status = self.status
        if status is None:
            if old == DEV_NULL or (old is None and self.new_mode and not self.old_mode):
                status = FileStatus.ADDED
            elif new == DEV_NULL:
                status = FileStatus.DELETED
            elif (
                self.old_mode
                and self.new_mode
                and self.old_mode[:3] != self.new_mode[:3]
                and self.old_mode[:3] in _TYPE_BITS
            ):
                status = FileStatus.TYPE_CHANGED
            else:
                status = FileStatus.MODIFIED
        if status is FileStatus.DELETED:
            path = old if old not in (None, DEV_NULL) else new
        else:
            path = new if new not in (None, DEV_NULL) else old
        assert path is not None
        renamed = status in (FileStatus.RENAMED, FileStatus.COPIED)
        return FileDiff(
            path=path,
            old_path=old if renamed else None,
            status=status,
            binary=self.binary,
            added=self.added,
            removed=self.removed,
            hunks=tuple(self.hunks),
            old_mode=self.old_mode,
            new_mode=self.new_mode,
            similarity=self.similarity,
        )


def parse_unified(text: str) -> list[FileDiff]:
    """Every file of a git patch (``git diff``, ``git diff-tree -p``) or a plain unified diff.

    Lines that belong to no file (a commit header, combined diffs) are skipped.
    """
    files: list[FileDiff] = []
    lines = text.split("\n")
    if lines and lines[-1] == "":
        lines.pop()
    current: _FileBuilder | None = None
    skipping = False  # inside a GIT binary patch or a combined diff
    i, count = 0, len(lines)

    def close() -> None:
        if current is not None and (done := current.finish()) is not None:
            files.append(done)

    while i < count:
        line = lines[i]
        i += 1
        if line.startswith("diff "):
            close()
            if line.startswith("diff --git "):
                current = _FileBuilder(git_header=True)
                old, new = _git_header_paths(line[11:])
                current.old_path = _strip_prefix(old, _OLD_PREFIXES)
                current.new_path = _strip_prefix(new, _NEW_PREFIXES)
                skipping = False
            else:  # diff --cc / --combined: not supported, skipped whole
                current = None
                skipping = True
            continue
        if skipping:
            continue
        if line.startswith("@@ "):
            if current is None:
                continue
            match = _HUNK_HEADER.match(line)
            if match is None:
                continue
            i = _read_hunk(lines, i, line, match, current)
            continue
        if line.startswith("--- "):
            if current is None or current.seen_minus or current.hunks or not current.git_header:
                close()
                current = _FileBuilder(git_header=False)
            current.seen_minus = True
            current.old_path = _strip_prefix(_path_token(line[4:]), _OLD_PREFIXES)
            continue
        if current is None:
            continue
        if _header_line(line, current):
            skipping = True  # a GIT binary patch: its lines are not a diff
    close()
    return files


def _header_line(line: str, current: _FileBuilder) -> bool:
    """Read one line of a file's header into ``current``; true when a binary patch begins."""
    if line.startswith("+++ "):
        current.seen_plus = True
        current.new_path = _strip_prefix(_path_token(line[4:]), _NEW_PREFIXES)
        if current.old_path is None:
            current.old_path = current.new_path
    elif line.startswith("new file mode "):
        current.status = FileStatus.ADDED
        current.new_mode = line[14:].strip()
    elif line.startswith("deleted file mode "):
        current.status = FileStatus.DELETED
        current.old_mode = line[18:].strip()
    elif line.startswith("old mode "):
        current.old_mode = line[9:].strip()
    elif line.startswith("new mode "):
        current.new_mode = line[9:].strip()
    elif line.startswith("similarity index "):
        current.similarity = _percent(line[17:])
    elif line.startswith(("rename from ", "rename to ", "copy from ", "copy to ")):
        _rename_or_copy(line, current)
    elif line.startswith("Binary files "):
        current.binary = True
        if not current.git_header:
            _binary_paths(line, current)
    elif line.startswith("GIT binary patch"):
        current.binary = True
        return True
    return False


def _rename_or_copy(line: str, current: _FileBuilder) -> None:
    verb, side, rest = line.split(" ", 2)
    current.status = FileStatus.RENAMED if verb == "rename" else FileStatus.COPIED
    if side == "from":
        current.old_path = _path_token(rest)
    else:
        current.new_path = _path_token(rest)


def _percent(text: str) -> int | None:
    digits = text.strip().rstrip("%")
    return int(digits) if digits.isdigit() else None


def _binary_paths(line: str, current: _FileBuilder) -> None:
    """Paths from ``Binary files A and B differ`` when no ``diff --git`` line named them."""
    body = line[len("Binary files ") :]
    if body.endswith(" differ"):
        body = body[: -len(" differ")]
    old, _, new = body.partition(" and ")
    current.old_path = _strip_prefix(_path_token(old), _OLD_PREFIXES)
    current.new_path = _strip_prefix(_path_token(new), _NEW_PREFIXES)


def _line_maker() -> Callable[[str, str, int | None, int | None], DiffLine]:
    """``DiffLine(...)`` without the frozen dataclass's ``object.__setattr__`` per field.

    Building lines is most of the parse; writing the slots directly makes it a third faster.
    """
    new = object.__new__
    slots = [getattr(DiffLine, name).__set__ for name in ("kind", "text", "old_no", "new_no")]
    set_kind, set_text, set_old, set_new = slots

    def make(kind: str, text: str, old_no: int | None, new_no: int | None) -> DiffLine:
        line = new(DiffLine)
        set_kind(line, kind)
        set_text(line, text)
        set_old(line, old_no)
        set_new(line, new_no)
        return line

    return make


_make_line = _line_maker()


def _read_hunk(
    lines: list[str], i: int, header: str, match: re.Match[str], current: _FileBuilder
) -> int:
    """Read the lines of one hunk starting at ``lines[i]``; return the index after it.

    The counts in the header say where the hunk ends, so a removed line that reads
    ``-- x`` is never taken for a ``---`` header.
    """
    old_start = int(match.group(1))
    old_count = 1 if match.group(2) is None else int(match.group(2))
    new_start = int(match.group(3))
    new_count = 1 if match.group(4) is None else int(match.group(4))
    old_no, new_no = old_start, new_start
    old_end, new_end = old_start + old_count, new_start + new_count
    out: list[DiffLine] = []
    append = out.append
    make = _make_line
    context = 0
    count = len(lines)
    while i < count:
        line = lines[i]
        marker = line[:1]
        if old_no >= old_end and new_no >= new_end:
            if marker == "\\":
                append(make("\\", line[2:] if line[1:2] == " " else line[1:], None, None))
                i += 1
            break
        if marker == " " or not line:
            append(make(" ", line[1:], old_no, new_no))
            old_no += 1
            new_no += 1
            context += 1
        elif marker == "-":
            append(make("-", line[1:], old_no, None))
            old_no += 1
        elif marker == "+":
            append(make("+", line[1:], None, new_no))
            new_no += 1
        elif marker == "\\":
            append(make("\\", line[2:] if line[1:2] == " " else line[1:], None, None))
        else:  # a truncated hunk: stop at whatever comes next
            break
        i += 1
    current.hunks.append(Hunk(header, old_start, old_count, new_start, new_count, tuple(out)))
    current.added += new_no - new_start - context
    current.removed += old_no - old_start - context
    return i
