"""The diff view: a file list beside the hunks, unified or side by side, syntax-highlighted.

The hunks are drawn with Textual's Line API: the diff is laid out as rows (file headers,
notes, hunk headers, lines or old/new pairs) that are worked out from file and hunk blocks on
demand, and only the rows on screen become strips, highlighted a chunk at a time and kept in
small LRU caches. A diff of thousands of hunks mounts about as fast as a small one. Colours
come from the theme, through component classes and Textual's highlight theme.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections.abc import Sequence
from typing import Literal

from pygments.lexer import Lexer  # type: ignore[import-untyped]
from rich.segment import Segment
from textual.app import ComposeResult
from textual.binding import Binding
from textual.cache import LRUCache
from textual.content import Content, Span
from textual.events import Click, Resize
from textual.geometry import Size
from textual.highlight import HighlightTheme
from textual.message import Message
from textual.reactive import reactive
from textual.scroll_view import ScrollView
from textual.strip import Strip
from textual.style import Style
from textual.widget import Widget

from penguin_tui.checkpoints.diff import DiffLine, FileDiff, FileStatus, Hunk

LayoutChoice = Literal["auto", "unified", "split"]
LayoutMode = Literal["unified", "split"]

SPLIT_MIN_WIDTH = 140  # "auto" shows old and new side by side from this width
FILE_LIST_MIN_WIDTH = 100  # below this the file list is hidden
TAB_SIZE = 4
NAVIGATION_ACTIONS = {"next_hunk", "previous_hunk", "next_file", "previous_file", "toggle_layout"}
CHUNK = 200  # lines highlighted together: a huge hunk is never lexed in one go
HIGHLIGHT_MAX_CHARS = 50_000  # a chunk longer than this is drawn without highlighting

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


# -- highlighting --------------------------------------------------------------------------

_TOKEN_STYLES: dict[object, str] = {}


def _token_style(token_type: object) -> str:
    """The highlight theme's style for a pygments token, walking up to its parents."""
    if (cached := _TOKEN_STYLES.get(token_type)) is not None:
        return cached
    styles = HighlightTheme.STYLES
    current: object = token_type
    style = ""
    while current is not None:
        if found := styles.get(current):  # type: ignore[call-overload]
            style = found
            break
        current = getattr(current, "parent", None)
    _TOKEN_STYLES[token_type] = style
    return style


_LEXERS: dict[str, Lexer] = {}
_LEXER_NAMES: dict[str, str] = {}


def _lexer_names() -> dict[str, str]:
    """File name or ``*.ext`` pattern → pygments lexer name, from pygments' own table.

    ``get_lexer_for_filename`` compiles a regular expression for each of pygments' ~1,500
    patterns on first use (70 ms here); plain extensions and names cover what a diff shows.
    """
    if not _LEXER_NAMES:
        from pygments.lexers._mapping import LEXERS  # type: ignore[import-untyped]

        for _module, name, _aliases, patterns, _mimes in LEXERS.values():
            for pattern in patterns:
                known = _LEXER_NAMES.get(pattern)
                # Where several lexers claim a pattern, the plain one ("SQL", not "SQL+Jinja").
                if known is None or ("+" in known and "+" not in name):
                    _LEXER_NAMES[pattern] = name
        _LEXER_NAMES["*.tcss"] = "SCSS"
    return _LEXER_NAMES


def lexer_for(path: str) -> Lexer | None:
    """The pygments lexer for a file name, or None for plain text; one instance per language."""
    from pygments.lexers import find_lexer_class  # type: ignore[import-untyped]

    names = _lexer_names()
    base = path.rsplit("/", 1)[-1]
    dot = base.rfind(".")
    name = names.get(base) or (names.get("*" + base[dot:].lower()) if dot > 0 else None)
    if name is None or name == "Text only":
        return None
    if (lexer := _LEXERS.get(name)) is None:
        cls = find_lexer_class(name)
        if cls is None:
            return None
        lexer = _LEXERS[name] = cls(stripnl=False, ensurenl=False)
    return lexer


def highlight_lines(lexer: Lexer | None, texts: Sequence[str]) -> list[Content]:
    """One Content per line, lexed together so that multi-line tokens come out right.

    Very long text (minified code, data) is left plain: lexing it would stall the screen.
    """
    if lexer is None or not texts or sum(map(len, texts)) > HIGHLIGHT_MAX_CHARS:
        return [Content(text) for text in texts]
    lines: list[Content] = []
    spans: list[Span] = []
    parts: list[str] = []
    offset = 0
    for token_type, value in lexer.get_tokens("\n".join(texts) + "\n"):
        style = _token_style(token_type)
        pieces = value.split("\n")
        for number, piece in enumerate(pieces):
            if number:
                lines.append(Content("".join(parts), spans))
                parts, spans, offset = [], [], 0
            if piece:
                if style:
                    spans.append(Span(offset, offset + len(piece), style))
                parts.append(piece)
                offset += len(piece)
    if len(lines) != len(texts) or any(a.plain != b for a, b in zip(lines, texts, strict=True)):
        return [Content(text) for text in texts]  # the lexer changed the text: draw it plain
    return lines


# -- the body -------------------------------------------------------------------------------


class DiffBody(ScrollView, can_focus=True):
    """The hunks of a ``DiffView``, drawn row by row (Line API); owns the layout and caches."""

    COMPONENT_CLASSES = {
        "diff-view--added",
        "diff-view--removed",
        "diff-view--added-gutter",
        "diff-view--removed-gutter",
        "diff-view--gutter",
        "diff-view--filler",
        "diff-view--hunk-header",
        "diff-view--file-header",
        "diff-view--note",
        "diff-view--message",
    }

    DEFAULT_CSS = """
    DiffBody { background: $surface; height: 1fr; }
    DiffBody:focus { background-tint: $foreground 3%; }
    DiffBody > .diff-view--added { background: $success 15%; }
    DiffBody > .diff-view--removed { background: $error 15%; }
    DiffBody > .diff-view--added-gutter { background: $success 25%; color: $text-success; }
    DiffBody > .diff-view--removed-gutter { background: $error 25%; color: $text-error; }
    DiffBody > .diff-view--gutter { color: $text-muted; }
    DiffBody > .diff-view--filler { background: $panel; }
    DiffBody > .diff-view--hunk-header { background: $primary 12%; color: $text-primary; }
    DiffBody > .diff-view--file-header { background: $panel; text-style: bold; }
    DiffBody > .diff-view--note { color: $text-muted; text-style: italic; }
    DiffBody > .diff-view--message { color: $text-muted; }
    """

    def __init__(self, files: Sequence[FileDiff], mode: LayoutMode) -> None:
        super().__init__()
        self.files: tuple[FileDiff, ...] = tuple(files)
        self.mode: LayoutMode = mode
        self._index: RowIndex | None = None
        self._strips: LRUCache[int, tuple[Strip, Strip]] = LRUCache(1024)
        self._highlights: LRUCache[tuple[int, int, int], list[Content]] = LRUCache(256)
        self._lexers: dict[int, Lexer | None] = {}
        self._styles: dict[str, Style] = {}

    # -- the rows ---------------------------------------------------------------------------

    @property
    def index(self) -> RowIndex:
        """The rows for the current files and layout, built on first use."""
        if self._index is None or self._index.mode != self.mode:
            self._index = RowIndex(self.files, self.mode)
            self._strips.clear()
            self._update_virtual_size()
        return self._index

    def replace(self, files: Sequence[FileDiff], mode: LayoutMode) -> None:
        """New content: drop every cache and go back to the top."""
        self.files = tuple(files)
        self.mode = mode
        self._index = None
        self._highlights.clear()
        self._lexers.clear()
        if self.is_mounted:
            self.index  # noqa: B018 - builds the rows and sets the virtual size
            self.scroll_to(0, 0, animate=False, immediate=True)
            self.refresh()

    def set_mode(self, mode: LayoutMode) -> None:
        """Switch unified/split, keeping the hunk at the top of the view at the top."""
        if mode == self.mode:
            return
        if self._index is None or not self.is_mounted:
            self.mode = mode
            return
        top = self.top_row()
        anchor = self.index.row(top) if top < self.index.count else None
        self.mode = mode
        index = self.index
        target = 0
        if anchor is not None:
            kind, fi, hi = anchor[0], anchor[1], anchor[2]
            if kind in (HUNK, LINE, PAIR) and self.files[fi].hunks:
                first = bisect_left(index.hunk_files, fi)
                target = index.hunk_rows[first + hi]
            elif fi < len(index.file_rows):
                target = index.file_rows[fi]
        self.scroll_to(0, target, animate=False, immediate=True)
        self.refresh()

    def _update_virtual_size(self) -> None:
        index = self._index
        if index is None:
            return
        width = 0
        if index.mode == "unified":
            width = self._gutter_width(index) + index.code_width + 1
        self.virtual_size = Size(width, index.count)

    @staticmethod
    def _gutter_width(index: RowIndex) -> int:
        return 2 * index.number_width + 4

    def top_row(self) -> int:
        return round(self.scroll_y)

    def scroll_to_row(self, row: int) -> int:
        """Put ``row`` at the top (as far as the end allows); return where the view lands."""
        self.scroll_to(0, row, animate=False, immediate=True)
        return round(self.scroll_y)

    # -- caches ------------------------------------------------------------------------------

    def get_content_height(self, container: Size, viewport: Size, width: int) -> int:
        return self.index.count

    # Long moves jump instead of animating: every frame of an animation would draw fresh rows.

    def action_scroll_home(self) -> None:
        self.scroll_home(animate=False, x_axis=self.scroll_y == 0)

    def action_scroll_end(self) -> None:
        self.scroll_end(animate=False, x_axis=False)

    def action_page_up(self) -> None:
        self.scroll_page_up(animate=False)

    def action_page_down(self) -> None:
        self.scroll_page_down(animate=False)

    def notify_style_update(self) -> None:
        super().notify_style_update()
        self._styles.clear()
        self._strips.clear()

    def on_resize(self, event: Resize) -> None:
        self._strips.clear()

    def _style(self, name: str) -> Style:
        if (style := self._styles.get(name)) is None:
            style = self._styles[name] = self.get_visual_style(name)
        return style

    def _lexer(self, fi: int) -> Lexer | None:
        if fi not in self._lexers:
            self._lexers[fi] = lexer_for(self.files[fi].path)
        return self._lexers[fi]

    def _code(self, fi: int, hi: int, li: int) -> Content:
        """The highlighted text of one line; its chunk of the hunk is lexed on first use."""
        chunk = li // CHUNK
        key = (fi, hi, chunk)
        lines = self._highlights.get(key)
        if lines is None:
            lines = self._highlight_chunk(fi, self.files[fi].hunks[hi], chunk)
            self._highlights[key] = lines
        return lines[li - chunk * CHUNK]

    def _highlight_chunk(self, fi: int, hunk: Hunk, chunk: int) -> list[Content]:
        part = hunk.lines[chunk * CHUNK : (chunk + 1) * CHUNK]
        texts = [printable(line.text) for line in part]
        lexer = self._lexer(fi)
        pairs = list(zip(texts, part, strict=True))
        old = highlight_lines(lexer, [text for text, line in pairs if line.kind in " -"])
        new = highlight_lines(lexer, [text for text, line in pairs if line.kind in " +"])
        out: list[Content] = []
        o = n = 0
        for text, line in zip(texts, part, strict=True):
            if line.kind == "-":
                out.append(old[o])
                o += 1
            elif line.kind == "+":
                out.append(new[n])
                n += 1
            elif line.kind == " ":
                out.append(new[n])
                o += 1
                n += 1
            else:
                out.append(Content(text))
        return out

    # -- drawing -----------------------------------------------------------------------------

    def _strip(self, content: Content, style: Style) -> Strip:
        segments = [
            Segment(text, part.rich_style)
            for text, part in content.render(style, end="", parse_style=self._get_style)
        ]
        return Strip(segments, content.cell_length)

    def render_line(self, y: int) -> Strip:
        index = self.index
        row_number = round(self.scroll_y) + y
        width = self.scrollable_content_region.width
        base = self.visual_style.rich_style
        if row_number >= index.count:
            return Strip.blank(width, base)
        cached = self._strips.get(row_number)
        if cached is None:
            cached = self._render_row(index, index.row(row_number), width)
            self._strips[row_number] = cached
        fixed, scrolling = cached
        if index.mode == "split" or scrolling.cell_length == 0:
            return fixed.crop_extend(0, width, base)
        code_width = max(0, width - fixed.cell_length)
        scroll_x = round(self.scroll_x)
        return Strip.join([fixed, scrolling.crop_extend(scroll_x, scroll_x + code_width, None)])

    def _render_row(self, index: RowIndex, row: Row, width: int) -> tuple[Strip, Strip]:
        """A row as (fixed part, horizontally scrolling part)."""
        kind, fi, hi, a, b = row
        empty = Strip([])
        if kind == LINE:
            return self._unified_line(index, self.files[fi].hunks[hi].lines[a], fi, hi, a)
        if kind == PAIR:
            return self._split_row(index, fi, hi, a, b, width), empty
        if kind == HUNK:
            style = self._style("diff-view--hunk-header")
            header = printable(self.files[fi].hunks[hi].header)
            return self._strip(Content(header), style).extend_cell_length(
                width, style.rich_style
            ), empty
        if kind == FILE:
            style = self._style("diff-view--file-header")
            strip = self._strip(file_summary(self.files[fi], lead=" "), style)
            return strip.extend_cell_length(width, style.rich_style), empty
        if kind == NOTE:
            text = "  " + file_notes(self.files[fi])[a]
            return self._strip(Content(text), self._style("diff-view--note")), empty
        if kind == MESSAGE:
            return self._strip(Content(" No changes."), self._style("diff-view--message")), empty
        return empty, empty

    def _line_styles(self, kind: str) -> tuple[Style, Style]:
        """(gutter, text) styles of a line of the given kind."""
        if kind == "+":
            return self._style("diff-view--added-gutter"), self._style("diff-view--added")
        if kind == "-":
            return self._style("diff-view--removed-gutter"), self._style("diff-view--removed")
        if kind == "\\":
            return self._style("diff-view--gutter"), self._style("diff-view--note")
        return self._style("diff-view--gutter"), self.visual_style

    def _unified_line(
        self, index: RowIndex, line: DiffLine, fi: int, hi: int, li: int
    ) -> tuple[Strip, Strip]:
        width = index.number_width
        gutter_style, text_style = self._line_styles(line.kind)
        old = "" if line.old_no is None else str(line.old_no)
        new = "" if line.new_no is None else str(line.new_no)
        marker = " " if line.kind == "\\" else line.kind
        gutter = self._strip(Content(f"{old:>{width}} {new:>{width}} {marker} "), gutter_style)
        code = Content(printable(line.text)) if line.kind == "\\" else self._code(fi, hi, li)
        text = self._strip(code, text_style)
        # Padding to the full line width keeps the added/removed background across the row.
        fill = max(index.code_width + 1, self.scrollable_content_region.width)
        return gutter, text.extend_cell_length(fill, text_style.rich_style)

    def _split_row(
        self, index: RowIndex, fi: int, hi: int, old: int, new: int, width: int
    ) -> Strip:
        left_width = (width - 1) // 2
        right_width = width - 1 - left_width
        lines = self.files[fi].hunks[hi].lines
        divider = self._strip(Content("│"), self._style("diff-view--gutter"))
        left = self._half(index, lines, fi, hi, old, left_width, old_side=True)
        right = self._half(index, lines, fi, hi, new, right_width, old_side=False)
        return Strip.join([left, divider, right])

    def _half(
        self,
        index: RowIndex,
        lines: tuple[DiffLine, ...],
        fi: int,
        hi: int,
        li: int,
        width: int,
        *,
        old_side: bool,
    ) -> Strip:
        if li < 0:
            style = self._style("diff-view--filler")
            return Strip.blank(width, style.rich_style)
        line = lines[li]
        gutter_style, text_style = self._line_styles(line.kind)
        number = line.old_no if old_side else line.new_no
        shown = "" if number is None else str(number)
        marker = " " if line.kind == "\\" else line.kind
        gutter = self._strip(Content(f"{shown:>{index.number_width}} {marker} "), gutter_style)
        code = Content(printable(line.text)) if line.kind == "\\" else self._code(fi, hi, li)
        text_width = max(0, width - gutter.cell_length)
        text = self._strip(code, text_style).crop_extend(0, text_width, text_style.rich_style)
        return Strip.join([gutter, text]).crop(0, width)


# -- the file list ----------------------------------------------------------------------------


class DiffFileList(ScrollView, can_focus=True):
    """The changed files, one line each (Line API, so thousands cost nothing); enter or a
    click shows the file under the cursor."""

    COMPONENT_CLASSES = {"diff-file-list--cursor"}

    DEFAULT_CSS = """
    DiffFileList {
        dock: left; width: 42; max-width: 40%; height: 1fr;
        background: $surface; border-right: vkey $panel; overflow-x: hidden;
    }
    DiffFileList > .diff-file-list--cursor { background: $block-cursor-blurred-background; }
    DiffFileList:focus > .diff-file-list--cursor {
        background: $block-cursor-background; color: $block-cursor-foreground;
    }
    """

    BINDINGS = [
        Binding("up", "cursor(-1)", "Up", id="diff.files.up", show=False),
        Binding("down", "cursor(1)", "Down", id="diff.files.down", show=False),
        Binding("pageup", "page(-1)", "Page up", id="diff.files.page_up", show=False),
        Binding("pagedown", "page(1)", "Page down", id="diff.files.page_down", show=False),
        Binding("home", "cursor(-1_000_000)", "First", id="diff.files.first", show=False),
        Binding("end", "cursor(1_000_000)", "Last", id="diff.files.last", show=False),
        Binding("enter", "choose", "Show file", id="diff.files.show", show=False),
    ]

    cursor: reactive[int] = reactive(0, always_update=True)

    class Chosen(Message):
        """The user chose file ``index`` in the list."""

        def __init__(self, index: int) -> None:
            super().__init__()
            self.index = index

    def __init__(self) -> None:
        super().__init__()
        self.files: tuple[FileDiff, ...] = ()
        self._labels: dict[int, Content] = {}

    def show_files(self, files: Sequence[FileDiff]) -> None:
        self.files = tuple(files)
        self._labels.clear()
        self.virtual_size = Size(0, len(self.files))
        self.cursor = 0

    def watch_cursor(self, cursor: int) -> None:
        top = round(self.scroll_y)
        height = self.scrollable_content_region.height
        if cursor < top:
            self.scroll_to(y=cursor, animate=False)
        elif height and cursor >= top + height:
            self.scroll_to(y=cursor - height + 1, animate=False)
        self.refresh()

    def action_cursor(self, step: int) -> None:
        if self.files:
            self.cursor = max(0, min(self.cursor + step, len(self.files) - 1))

    def action_page(self, direction: int) -> None:
        self.action_cursor(direction * max(1, self.scrollable_content_region.height - 1))

    def action_choose(self) -> None:
        if self.files:
            self.post_message(self.Chosen(self.cursor))

    def on_click(self, event: Click) -> None:
        row = round(self.scroll_y) + event.y
        if 0 <= row < len(self.files):
            self.cursor = row
            self.post_message(self.Chosen(row))

    def render_line(self, y: int) -> Strip:
        row = round(self.scroll_y) + y
        width = self.scrollable_content_region.width
        if row >= len(self.files):
            return Strip.blank(width, self.rich_style)
        if (label := self._labels.get(row)) is None:
            label = self._labels[row] = file_summary(self.files[row], lead="")
        style = self.get_visual_style("diff-file-list--cursor") if row == self.cursor else None
        base = style or self.visual_style
        segments = [
            Segment(text, part.rich_style)
            for text, part in label.render(base, end="", parse_style=self._get_style)
        ]
        return Strip(segments).crop_extend(0, width, base.rich_style)


# -- the pane -------------------------------------------------------------------------------


class DiffView(Widget):
    """A list of file changes: file list, hunks (unified or side by side), hunk/file keys.

    ``compact`` drops the file list and the navigation keys (scrolling stays): the form used
    inside a tool call and the approval question, where n/p belong to the surrounding screen.
    """

    BINDINGS = [
        Binding("n", "next_hunk", "Next hunk", id="diff.next_hunk"),
        Binding("p", "previous_hunk", "Prev hunk", id="diff.previous_hunk"),
        Binding("f", "next_file", "Next file", id="diff.next_file"),
        Binding("F", "previous_file", "Prev file", id="diff.previous_file"),
        Binding("v", "toggle_layout", "Split/unified", id="diff.toggle_layout"),
    ]

    DEFAULT_CSS = """
    DiffView { height: 1fr; }
    DiffView.-compact { height: auto; }
    DiffView.-compact > DiffBody { height: auto; max-height: 100%; }
    DiffView.-narrow > DiffFileList { display: none; }
    """

    class FileSelected(Message):
        """The file at the top of the view changed (keys, the file list or scrolling)."""

        def __init__(self, diff_view: DiffView, index: int, path: str) -> None:
            super().__init__()
            self.diff_view = diff_view
            self.index = index
            self.path = path

        @property
        def control(self) -> DiffView:
            return self.diff_view

    def __init__(
        self,
        files: Sequence[FileDiff] = (),
        *,
        title: str = "",
        layout: LayoutChoice = "auto",
        compact: bool = False,
        id: str | None = None,
        classes: str | None = None,
    ) -> None:
        super().__init__(id=id, classes=classes)
        self._choice: LayoutChoice = layout
        self._compact = compact
        self.set_class(compact, "-compact")
        self.border_title = title
        self._body = DiffBody(files, "unified" if layout == "auto" else layout)
        self._file_list = None if compact else DiffFileList()
        # After a key moved the view: (landing row, hunk, file), so that repeated keys step
        # on even when the end of the diff stops the scrolling.
        self._pin: tuple[int, int | None, int | None] | None = None
        self._reported_file: int | None = None

    def compose(self) -> ComposeResult:
        yield self._body
        if self._file_list is not None:
            yield self._file_list

    def on_mount(self) -> None:
        # A first guess from the screen's width, so a wide pane is laid out once, not twice.
        self._body.set_mode(self._pick_mode(self.app.size.width))
        self._body.index  # noqa: B018 - lays the rows out before the first frame
        if self._file_list is not None:
            self._file_list.show_files(self.files)
        self.watch(self._body, "scroll_y", self._scrolled, init=False)

    # -- public API -------------------------------------------------------------------------

    @property
    def files(self) -> tuple[FileDiff, ...]:
        """The files shown."""
        return self._body.files

    @property
    def layout_mode(self) -> LayoutMode:
        """The layout in use now: ``unified`` or ``split``."""
        return self._body.mode

    @property
    def current_file(self) -> int | None:
        """Index of the file at the top of the view (None without files)."""
        if not self.files:
            return None
        if self._pin is not None and self._pin[2] is not None:
            return self._pin[2]
        rows = self._body.index.file_rows
        return max(0, bisect_right(rows, self._body.top_row()) - 1)

    @property
    def current_hunk(self) -> int | None:
        """Index (over the whole diff) of the hunk at the top of the view (None without hunks)."""
        rows = self._body.index.hunk_rows
        if not rows:
            return None
        if self._pin is not None and self._pin[1] is not None:
            return self._pin[1]
        return max(0, bisect_right(rows, self._body.top_row()) - 1)

    def show(self, files: Sequence[FileDiff], title: str = "") -> None:
        """Replace the content and go back to the top."""
        self.border_title = title
        self._pin = None
        self._reported_file = None
        self._body.replace(files, self._pick_mode(self.size.width))
        if self._file_list is not None and self.is_mounted:
            self._file_list.show_files(self._body.files)

    def focus(self, scroll_visible: bool = True) -> DiffView:
        self._body.focus(scroll_visible)
        return self

    def focus_file_list(self) -> bool:
        """Focus the file list; False when there is none (compact, or too narrow to show)."""
        if self._file_list is None or not self._file_list.display or self.has_class("-narrow"):
            return False
        self._file_list.focus()
        return True

    # -- layout -----------------------------------------------------------------------------

    def _pick_mode(self, width: int) -> LayoutMode:
        if self._choice != "auto":
            return self._choice
        return "split" if width >= SPLIT_MIN_WIDTH else "unified"

    def on_resize(self, event: Resize) -> None:
        self.set_class(event.size.width < FILE_LIST_MIN_WIDTH, "-narrow")
        self._pin = None
        self._body.set_mode(self._pick_mode(event.size.width))

    # -- keys -------------------------------------------------------------------------------

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        return not (self._compact and action in NAVIGATION_ACTIONS)

    def action_next_hunk(self) -> None:
        rows = self._body.index.hunk_rows
        if not rows:
            return
        if self._pin is not None and self._pin[1] is not None:
            target = self._pin[1] + 1
        else:
            target = bisect_right(rows, self._body.top_row())
        self._go_to_hunk(min(target, len(rows) - 1))

    def action_previous_hunk(self) -> None:
        rows = self._body.index.hunk_rows
        if not rows:
            return
        if self._pin is not None and self._pin[1] is not None:
            target = self._pin[1] - 1
        else:
            target = bisect_left(rows, self._body.top_row()) - 1
        self._go_to_hunk(max(target, 0))

    def action_next_file(self) -> None:
        rows = self._body.index.file_rows
        if not self.files:
            return
        if self._pin is not None and self._pin[2] is not None:
            target = self._pin[2] + 1
        else:
            target = bisect_right(rows, self._body.top_row())
        self.go_to_file(min(target, len(self.files) - 1))

    def action_previous_file(self) -> None:
        rows = self._body.index.file_rows
        if not self.files:
            return
        if self._pin is not None and self._pin[2] is not None:
            target = self._pin[2] - 1
        else:
            target = bisect_left(rows, self._body.top_row()) - 1
        self.go_to_file(max(target, 0))

    def action_toggle_layout(self) -> None:
        self._choice = "unified" if self.layout_mode == "split" else "split"
        self._pin = None
        self._body.set_mode(self._choice)

    def _go_to_hunk(self, hunk: int) -> None:
        index = self._body.index
        landed = self._body.scroll_to_row(index.hunk_rows[hunk])
        self._pin = (landed, hunk, index.hunk_files[hunk])
        self._file_changed()

    def go_to_file(self, file: int) -> None:
        """Scroll file number ``file`` to the top."""
        index = self._body.index
        landed = self._body.scroll_to_row(index.file_rows[file])
        first = bisect_left(index.hunk_files, file)
        hunk = first if first < len(index.hunk_files) and index.hunk_files[first] == file else None
        self._pin = (landed, hunk, file)
        self._file_changed()

    def _scrolled(self, scroll_y: float) -> None:
        if self._pin is not None and round(scroll_y) != self._pin[0]:
            self._pin = None
        self._file_changed()

    def _file_changed(self) -> None:
        current = self.current_file
        if current is None or current == self._reported_file:
            return
        self._reported_file = current
        if self._file_list is not None and self._file_list.cursor != current:
            self._file_list.cursor = current
        self.post_message(self.FileSelected(self, current, self.files[current].path))

    def on_diff_file_list_chosen(self, event: DiffFileList.Chosen) -> None:
        event.stop()
        self.go_to_file(event.index)
