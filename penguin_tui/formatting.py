"""Plain-text formatters shared by the command line and the workbench: money, token counts,
ages, sizes, checkpoint labels, a message on one line, and the revert preview.

It returns words, never styles: the preview's lines are spans with a tone (stressed, muted)
that the workbench turns into styles and the command line prints as they are. Standard library
and ``words`` only (the checkpoint records are named for their types), so the front ends share
it and the workbench's first frame does not load the store's records to draw its usage pane.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable, Sequence
from dataclasses import dataclass
from enum import Enum
from typing import TYPE_CHECKING, Literal, Protocol, TypeVar

from penguin_tui.words import counted, dollars

if TYPE_CHECKING:
    from penguin_tui.checkpoints.model import Checkpoint, RevertMode
    from penguin_tui.store.usage_report import UsageGroup
    from penguin_tui.tasks.plane import TaskDifference

# -- figures ---------------------------------------------------------------------------------


def money(cost: float | None, unpriced: int = 0) -> str:
    """Dollars: under a dollar to four decimals (``$0.0021``, where a call's cost lives), from a
    dollar on to cents (``$12.50``, ``$1,234.56``); ``n/a`` when no price is known, never a
    made-up ``$0.00``. ``unpriced`` calls the sum leaves out are added: ``$0.0021 (+2 n/a)``."""
    if cost is None:
        return "n/a"
    return dollars(cost) + (f" (+{unpriced} n/a)" if unpriced else "")


def tokens(count: int, *, shorten_from: int | None = 10_000) -> str:
    """A token count: ``1,234``; from ``shorten_from`` on in thousands, ``12.3k`` (None: in
    full however large, for a table that has room)."""
    if shorten_from is not None and count >= shorten_from:
        return f"{count / 1000:.1f}k"
    return f"{count:,}"


def age(seconds: float) -> str:
    """A short age, rounded down: ``12s``, ``5m``, ``3h``, ``2d`` (a clock set back: ``0s``)."""
    seconds = max(0.0, seconds)
    for limit, size, unit in ((60, 1, "s"), (3600, 60, "m"), (86400, 3600, "h")):
        if seconds < limit:
            return f"{int(seconds // size)}{unit}"
    return f"{int(seconds // 86400)}d"


# A task's status at a glance, in the task pane and in ``tasks list``.
TASK_GLYPHS = {
    "todo": "○",
    "doing": "◐",
    "blocked": "⊘",
    "review": "◎",
    "done": "✓",
    "failed": "✗",
    "cancelled": "–",
}


def duration(seconds: float) -> str:
    """Time spent: ``42s``, ``3m 05s``, ``2h 10m``."""
    whole = int(seconds)
    if whole < 60:
        return f"{whole}s"
    if whole < 3600:
        return f"{whole // 60}m {whole % 60:02d}s"
    return f"{whole // 3600}h {whole % 3600 // 60:02d}m"


def size(count: float, *, smallest: Literal["KiB", "MiB"] = "KiB") -> str:
    """Bytes in KiB, MiB or GiB, one decimal: ``2.1 GiB``; from ``smallest`` up (a store of a
    few KiB reads ``0.0 MiB`` beside its quota, not a figure that moves with git's version)."""
    units = ("KiB", "MiB", "GiB")
    first = units.index(smallest)
    count /= 1024 ** (first + 1)
    for unit in units[first:-1]:
        if count < 1024:
            return f"{count:.1f} {unit}"
        count /= 1024
    return f"{count:.1f} GiB"


def line_counts(added: int | None, removed: int | None, minus: str = "-", *, gap: str = " ") -> str:
    """``+12 -4``: lines added and removed in a file; ``binary`` when they are not counted.
    ``gap`` goes between the two (none in the checkpoint browser's tight rows: ``+12−4``)."""
    if added is None:
        return "binary"
    return f"+{added}{gap}{minus}{removed}"


def checkpoint_label(checkpoint: Checkpoint) -> str:
    """A checkpoint as a sentence names it: ``13722453 (main) 'before the fix'``."""
    label = f" {checkpoint.label!r}" if checkpoint.label else ""
    return f"{checkpoint.id[:8]} ({checkpoint.branch}){label}"


# -- messages ----------------------------------------------------------------------------------


class NamedCall(Protocol):
    """A tool call, as far as the formatters read it: the tool's name."""

    @property
    def tool(self) -> str: ...


class ShownMessage(Protocol):
    """A conversation message, as far as the formatters read it (the store's ``Message``)."""

    @property
    def role(self) -> str: ...

    @property
    def content(self) -> str: ...

    @property
    def tool_calls(self) -> Sequence[NamedCall]: ...


def first_line(message: ShownMessage, width: int) -> str:
    """A message on one line of at most ``width`` characters (then ``…``): its text with the
    line breaks and runs of spaces made single spaces, or ``[tool, tool]`` for a message that
    only calls tools."""
    text = " ".join(message.content.split())
    if not text and message.tool_calls:
        text = "[" + ", ".join(call.tool for call in message.tool_calls) + "]"
    return text[:width] + ("…" if len(text) > width else "")


# -- lines with tones ------------------------------------------------------------------------


class Tone(Enum):
    """How a front end may set a piece of text: as it is, stressed (bold), or muted (dim)."""

    PLAIN = "plain"
    STRONG = "strong"
    MUTED = "muted"


@dataclass(frozen=True)
class Span:
    """A piece of a line and its tone."""

    text: str
    tone: Tone = Tone.PLAIN


Line = tuple[Span, ...]


def plain_lines(lines: Iterable[Line]) -> list[str]:
    """The lines as the command line prints them: the spans' text, tones dropped."""
    return ["".join(span.text for span in line) for line in lines]


@dataclass(frozen=True)
class Layout:
    """How a front end lays out a preview: the minus sign of line counts, whether paths and
    roles are padded into columns, how wide a message's line is, and how many rows of a list
    are shown before ``… and N more`` (None: all)."""

    minus: str
    columns: bool
    message_width: int
    rows_shown: int | None


# The command line: ASCII, in columns, every row (a script or a pager gets them all).
COMMAND_LINE = Layout(minus="-", columns=True, message_width=100, rows_shown=None)
# The workbench's questions: the typographic minus, label: value rows, a cut for long lists.
WORKBENCH = Layout(minus="−", columns=False, message_width=70, rows_shown=200)


class FileChange(Protocol):
    """A file's line counts, as far as the formatters read them (the service's ``FileStat``)."""

    @property
    def path(self) -> str: ...

    @property
    def added(self) -> int | None: ...

    @property
    def removed(self) -> int | None: ...


Note = Callable[[str], Span | None]


def _no_note(path: str) -> Span | None:
    return None


RowT = TypeVar("RowT")


def _shown(rows: Sequence[RowT], layout: Layout) -> tuple[Sequence[RowT], Line | None]:
    """The rows a layout shows, and the ``… and N more`` line for the rest (or None)."""
    limit = layout.rows_shown
    if limit is None or len(rows) <= limit:
        return rows, None
    return rows[:limit], (Span(f"  … and {len(rows) - limit} more", Tone.MUTED),)


def file_rows(files: Sequence[FileChange], layout: Layout, note: Note = _no_note) -> list[Line]:
    """One row per file: its path, its line counts (muted) and what ``note`` says of it."""
    shown, more = _shown(files, layout)
    width = max((len(f.path) for f in shown), default=0) if layout.columns else 0
    rows: list[Line] = []
    for change in shown:
        row = [
            Span(f"  {change.path:<{width}}  "),
            Span(line_counts(change.added, change.removed, layout.minus), Tone.MUTED),
        ]
        said = note(change.path)
        if said is not None:
            row.append(Span(f"  {said.text}", said.tone))
        rows.append(tuple(row))
    return rows if more is None else [*rows, more]


def message_rows(messages: Sequence[ShownMessage], layout: Layout) -> list[Line]:
    """One row per message: its role (muted on the workbench) and its first line."""
    shown, more = _shown(messages, layout)
    rows: list[Line] = []
    for message in shown:
        line = first_line(message, layout.message_width)
        if layout.columns:
            rows.append((Span(f"  {message.role:<9}  {line}"),))
        else:
            rows.append((Span(f"  {message.role}: ", Tone.MUTED), Span(line)))
    return rows if more is None else [*rows, more]


# -- the revert preview ------------------------------------------------------------------------


class RevertPreviewShown(Protocol):
    """What a revert would do, as far as its preview reads it (the service's
    ``RevertPreview``): its mode, the files that change, the messages that leave, and a note
    per file (``only_in_safety``: the files only the revert's safety checkpoint will hold)."""

    @property
    def mode(self) -> RevertMode: ...

    @property
    def files(self) -> Sequence[FileChange]: ...

    @property
    def messages_leaving(self) -> Sequence[ShownMessage]: ...

    @property
    def only_in_safety(self) -> Collection[str]: ...

    @property
    def tasks(self) -> Sequence[TaskDifference]: ...

    def note(self, path: str) -> str: ...


def revert_preview_lines(preview: RevertPreviewShown, layout: Layout) -> list[Line]:
    """The files that change and the messages that leave the branch, as both front ends say
    it; a file only the revert's safety checkpoint will hold is said so, stressed."""

    def note(path: str) -> Span | None:
        said = preview.note(path)
        if not said:
            return None
        return Span(said, Tone.STRONG if path in preview.only_in_safety else Tone.MUTED)

    lines: list[Line] = []
    if preview.mode.code:
        if preview.files:
            heading = counted(len(preview.files), "file", "change") + ":"
            lines.append((Span(heading, Tone.STRONG),))
            lines += file_rows(preview.files, layout, note)
        else:
            lines.append((Span("no file changes", Tone.STRONG),))
    if preview.mode.conversation:
        leaving = preview.messages_leaving
        if leaving:
            them = "it" if len(leaving) == 1 else "them"
            heading = (
                f"{counted(len(leaving), 'message', 'leave')} the branch (kept in the store; "
                f"undo brings {them} back):"
            )
            lines.append((Span(heading, Tone.STRONG),))
            lines += message_rows(leaving, layout)
        else:
            lines.append((Span("no message leaves the branch", Tone.STRONG),))
    if preview.mode.tasks:
        if preview.tasks:
            lines.append((Span(counted(len(preview.tasks), "task", "change") + ":", Tone.STRONG),))
            lines += [(Span("  " + difference.line()),) for difference in preview.tasks]
        else:
            lines.append((Span("no task changes", Tone.STRONG),))
    return lines


# -- the usage report ------------------------------------------------------------------------

USAGE_COLUMNS = ("CALLS", "IN", "OUT", "CACHE R/W", "COST", "FAILED", "TTFT p50", "p95", "TOK/S")


def milliseconds(ms: float | None) -> str:
    """A short time: ``850ms``, ``1.2s``; ``-`` when there is none."""
    if ms is None:
        return "-"
    return f"{ms:.0f}ms" if ms < 1000 else f"{ms / 1000:.1f}s"


def usage_cells(group: UsageGroup) -> tuple[str, ...]:
    """A usage report group's figures, in the order of ``USAGE_COLUMNS``."""
    speed = group.tokens_per_s_p50
    return (
        f"{group.calls:,}",
        tokens(group.input_tokens),
        tokens(group.output_tokens),
        f"{tokens(group.cache_read_tokens)}/{tokens(group.cache_write_tokens)}",
        money(group.cost_usd, group.unpriced_calls),
        f"{group.failure_rate:.0%}",
        milliseconds(group.ttft_p50_ms),
        milliseconds(group.ttft_p95_ms),
        "-" if speed is None else f"{speed:.0f}",
    )
