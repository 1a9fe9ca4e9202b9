"""The hunks of a diff, drawn row by row with Textual's Line API: only the rows on screen become
strips, highlighted a chunk at a time and kept in small LRU caches."""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Sequence

from pygments.lexer import Lexer  # type: ignore[import-untyped]
from rich.segment import Segment
from textual.cache import LRUCache
from textual.content import Content
from textual.events import Resize
from textual.geometry import Size
from textual.scroll_view import ScrollView
from textual.strip import Strip
from textual.style import Style

from penguin_tui.app.widgets.diff_highlight import highlight_lines, lexer_for
from penguin_tui.app.widgets.diff_rows import (
    FILE,
    HUNK,
    LINE,
    MESSAGE,
    NOTE,
    PAIR,
    LayoutMode,
    Row,
    RowIndex,
    file_notes,
    file_summary,
    printable,
)
from penguin_tui.unified_diff import DiffLine, FileDiff, Hunk

CHUNK = 200  # lines highlighted together: a huge hunk is never lexed in one go


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
