"""The diff view: a file list beside the hunks, unified or side by side, syntax-highlighted.

This module holds the pane (``DiffView``: layout choice, hunk and file keys) and its file
list. The hunks are drawn by ``DiffBody`` (``diff_body``) with Textual's Line API, from rows
laid out by ``diff_rows`` and highlighted by ``diff_highlight``; only the rows on screen
become strips, so a diff of thousands of hunks mounts about as fast as a small one. Colours
come from the theme, through component classes and Textual's highlight theme.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections.abc import Sequence

from rich.segment import Segment
from textual.app import ComposeResult
from textual.binding import Binding
from textual.content import Content
from textual.events import Click, Resize
from textual.geometry import Size
from textual.message import Message
from textual.reactive import reactive
from textual.scroll_view import ScrollView
from textual.strip import Strip
from textual.widget import Widget

from penguin_tui.app.widgets.diff_body import DiffBody
from penguin_tui.app.widgets.diff_rows import LayoutChoice, LayoutMode, file_summary
from penguin_tui.unified_diff import FileDiff

SPLIT_MIN_WIDTH = 140  # "auto" shows old and new side by side from this width
FILE_LIST_MIN_WIDTH = 100  # below this the file list is hidden
NAVIGATION_ACTIONS = {"next_hunk", "previous_hunk", "next_file", "previous_file", "toggle_layout"}


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
