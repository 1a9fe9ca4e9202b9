"""The diff pane driven by keys: hunks and files, unified and split, big diffs, odd files."""

from __future__ import annotations

import time
from collections.abc import Sequence

from textual.app import App, ComposeResult
from textual.binding import Binding
from textual.containers import Vertical

from penguin_tui.app.themes import builtin_theme_dir, load_themes
from penguin_tui.app.widgets.diff_body import DiffBody
from penguin_tui.app.widgets.diff_rows import LayoutChoice, split_pairs, split_row_count
from penguin_tui.app.widgets.diff_view import DiffFileList, DiffView
from penguin_tui.unified_diff import FileDiff, parse_unified

# Blank context lines are written without their leading space, as some tools trim them.
SAMPLE = '''\
diff --git a/notes.txt b/NOTES.md
similarity index 66%
rename from notes.txt
rename to NOTES.md
index 7c009c8..f4e74fd 100644
--- a/notes.txt
+++ b/NOTES.md
@@ -1,4 +1,4 @@
 Some notes
 about the project
 and more
-lines here
+lines here, edited
diff --git a/logo.png b/logo.png
index d0463d4..3f24bd8 100644
Binary files a/logo.png and b/logo.png differ
diff --git a/stats.py b/stats.py
index 01e2aa7..1db3a3a 100644
--- a/stats.py
+++ b/stats.py
@@ -5,7 +5,9 @@ import math

 def mean(values):
     """The average of a non-empty list of numbers."""
-    return sum(values) / (len(values) + 1)
+    if not values:
+        raise ValueError("mean of an empty list")
+    return sum(values) / len(values)


 def variance(values):
@@ -20,4 +22,6 @@ def stdev(values):
 def median(values):
     ordered = sorted(values)
     middle = len(ordered) // 2
-    return ordered[middle]
+    if len(ordered) % 2:
+        return ordered[middle]
+    return (ordered[middle - 1] + ordered[middle]) / 2
diff --git a/test_stats.py b/test_stats.py
new file mode 100644
index 0000000..da83949
--- /dev/null
+++ b/test_stats.py
@@ -0,0 +1,5 @@
+import stats
+
+
+def test_mean():
+    assert stats.mean([1, 2, 3]) == 2
'''


def big_diff(hunks: int) -> str:
    """``hunks`` small hunks, fifty to a file."""
    parts = []
    for number in range(hunks):
        if number % 50 == 0:
            name = f"src/module_{number // 50}.py"
            parts.append(f"diff --git a/{name} b/{name}\n--- a/{name}\n+++ b/{name}\n")
        start = (number % 50) * 30 + 1
        parts.append(
            f"@@ -{start},4 +{start},4 @@ def f{number}():\n"
            f"     x = 1\n-    old_{number} = call()\n+    new_{number} = call()\n"
            "     y = 2\n     z = 3\n"
        )
    return "".join(parts)


class DiffApp(App[None]):
    """Nothing but a diff pane, in penguin-dark."""

    def __init__(
        self,
        files: Sequence[FileDiff] = (),
        layout: LayoutChoice = "auto",
        compact: bool = False,
        theme: str = "penguin-dark",
    ) -> None:
        super().__init__()
        self.files = files
        self.layout_choice: LayoutChoice = layout
        self.compact = compact
        self.messages: list[DiffView.FileSelected] = []
        for item in load_themes([builtin_theme_dir()])[0]:
            self.register_theme(item)
        self.theme = theme

    def compose(self) -> ComposeResult:
        yield DiffView(self.files, layout=self.layout_choice, compact=self.compact)

    def on_diff_view_file_selected(self, message: DiffView.FileSelected) -> None:
        self.messages.append(message)

    @property
    def view(self) -> DiffView:
        return self.query_one(DiffView)


def screen_text(app: App[None]) -> str:
    """Every row of the body as plain text."""
    body = app.query_one(DiffBody)
    return "\n".join(body.render_line(y).text for y in range(body.size.height))


def layout(app: DiffApp) -> str:
    return app.view.layout_mode


def top(app: DiffApp) -> int:
    return round(app.query_one(DiffBody).scroll_y)


async def test_n_and_p_put_each_hunk_at_the_top() -> None:
    app = DiffApp(parse_unified(SAMPLE))
    async with app.run_test(size=(100, 12)) as pilot:
        await pilot.pause()
        view, body = app.view, app.query_one(DiffBody)
        hunk_rows = body.index.hunk_rows
        assert view.current_hunk == 0 and top(app) == 0

        await pilot.press("n")
        assert (view.current_hunk, top(app)) == (0, hunk_rows[0])
        assert screen_text(app).splitlines()[0].startswith("@@ -1,4 +1,4 @@")
        await pilot.press("n")
        assert (view.current_hunk, view.current_file, top(app)) == (1, 2, hunk_rows[1])
        assert screen_text(app).splitlines()[0].startswith("@@ -5,7 +5,9 @@ import math")
        await pilot.press("n", "n", "n")  # past the last hunk: stays on it
        assert view.current_hunk == 3
        await pilot.press("p")
        assert view.current_hunk == 2
        await pilot.press("p", "p", "p", "p")
        assert (view.current_hunk, top(app)) == (0, hunk_rows[0])


async def test_f_and_shift_f_move_between_files() -> None:
    app = DiffApp(parse_unified(SAMPLE))
    async with app.run_test(size=(100, 12)) as pilot:
        await pilot.pause()
        view, body = app.view, app.query_one(DiffBody)
        file_rows = body.index.file_rows

        await pilot.press("f")
        assert (view.current_file, top(app)) == (1, file_rows[1])
        assert "M logo.png" in screen_text(app).splitlines()[0]
        await pilot.press("f")
        assert (view.current_file, view.current_hunk, top(app)) == (2, 1, file_rows[2])
        await pilot.press("F")
        assert (view.current_file, top(app)) == (1, file_rows[1])
        await pilot.press("F", "F")
        assert (view.current_file, top(app)) == (0, 0)
        await pilot.pause()
        assert [message.path for message in app.messages] == [
            "logo.png",
            "stats.py",
            "logo.png",
            "NOTES.md",
        ]


async def test_the_keys_follow_the_keymap() -> None:
    app = DiffApp(parse_unified(SAMPLE))
    async with app.run_test(size=(100, 12)) as pilot:
        await pilot.pause()
        app.set_keymap({"diff.next_hunk": "j", "diff.toggle_layout": "ctrl+s"})
        await pilot.press("n")
        assert top(app) == 0
        await pilot.press("j")
        assert app.view.current_hunk == 0 and top(app) > 0
        await pilot.press("ctrl+s")
        assert layout(app) == "split"


async def test_bindings_have_ids_and_show_in_the_footer_list() -> None:
    ids = {binding.id: binding for binding in DiffView.BINDINGS if isinstance(binding, Binding)}
    assert set(ids) == {
        "diff.next_hunk",
        "diff.previous_hunk",
        "diff.next_file",
        "diff.previous_file",
        "diff.toggle_layout",
    }
    keys = {name: binding.key for name, binding in ids.items()}
    assert keys == {
        "diff.next_hunk": "n",
        "diff.previous_hunk": "p",
        "diff.next_file": "f",
        "diff.previous_file": "F",
        "diff.toggle_layout": "v",
    }


async def test_v_toggles_unified_and_split() -> None:
    app = DiffApp(parse_unified(SAMPLE), layout="unified")
    async with app.run_test(size=(160, 12)) as pilot:
        await pilot.pause()
        assert layout(app) == "unified"
        assert "│" not in screen_text(app)
        await pilot.press("f", "f", "n")  # the second hunk of stats.py
        assert app.view.current_hunk == 2

        await pilot.press("v")
        assert layout(app) == "split"
        text = screen_text(app)
        assert "-     return ordered[middle]" in text and "│" in text
        assert text.splitlines()[0].startswith("@@ -20,4 +22,6 @@")  # still at that hunk
        await pilot.press("v")
        assert layout(app) == "unified"


async def test_auto_layout_is_split_when_wide_and_unified_when_narrow() -> None:
    wide = DiffApp(parse_unified(SAMPLE))
    async with wide.run_test(size=(160, 48)) as pilot:
        await pilot.pause()
        assert layout(wide) == "split"
        assert wide.query_one(DiffFileList).display
        row = next(line for line in screen_text(wide).splitlines() if "lines here" in line)
        assert "4 - lines here" in row and "4 + lines here, edited" in row

    narrow = DiffApp(parse_unified(SAMPLE))
    async with narrow.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        assert layout(narrow) == "unified"
        assert not narrow.query_one(DiffFileList).display  # too narrow for the list
        text = screen_text(narrow)
        assert " R notes.txt → NOTES.md  +1 −1" in text  # the header says which file
        assert " 4    - lines here" in text and "    4 + lines here, edited" in text

        await pilot.resize_terminal(160, 48)
        await pilot.pause()
        assert layout(narrow) == "split"


async def test_choosing_a_file_in_the_list_shows_it() -> None:
    app = DiffApp(parse_unified(SAMPLE))
    async with app.run_test(size=(160, 16)) as pilot:
        await pilot.pause()
        file_list = app.query_one(DiffFileList)
        file_list.focus()
        await pilot.press("down", "down", "down", "enter")
        assert app.view.current_file == 3
        assert " A test_stats.py  +5 −0" in screen_text(app)  # the last file: as far as it goes
        assert top(app) == app.query_one(DiffBody).max_scroll_y > 0
        await pilot.pause()
        assert app.messages[-1].path == "test_stats.py"


async def test_a_diff_of_5000_hunks_mounts_fast_and_end_reaches_the_last_hunk() -> None:
    files = parse_unified(big_diff(5000))
    app = DiffApp()
    async with app.run_test(size=(160, 48)) as pilot:
        await pilot.pause()
        started = time.perf_counter()
        await app.mount(DiffView(files, id="big"))
        await pilot.pause()
        elapsed = time.perf_counter() - started
        view = app.query_one("#big", DiffView)
        assert elapsed < 0.25, f"mounting took {elapsed * 1000:.0f} ms"

        view.focus()
        await pilot.press("end")
        await pilot.pause()
        body = view.query_one(DiffBody)
        assert body.scroll_y == body.max_scroll_y > 0
        text = "\n".join(body.render_line(y).text for y in range(body.size.height))
        assert "old_4999 = call()" in text and "new_4999 = call()" in text
        await pilot.press("home")
        assert view.current_hunk == 0


async def test_binary_files_renames_and_mode_changes_are_described() -> None:
    mode_change = "diff --git a/run.sh b/run.sh\nold mode 100644\nnew mode 100755\n"
    app = DiffApp(parse_unified(SAMPLE + mode_change), layout="unified")
    async with app.run_test(size=(100, 60)) as pilot:
        await pilot.pause()
        text = screen_text(app)
        assert "renamed from notes.txt (66% similar)" in text
        assert " M logo.png  binary" in text and "binary file changed" in text
        assert " M run.sh  +0 −0" in text and "mode 100644 → 100755" in text


async def test_an_empty_diff_says_no_changes() -> None:
    app = DiffApp([])
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        assert screen_text(app).splitlines()[0].strip() == "No changes."
        await pilot.press("n", "f", "v", "end")  # nothing to move to, nothing breaks
        assert app.view.current_file is None and app.view.current_hunk is None


async def test_show_replaces_the_content_and_goes_back_to_the_top() -> None:
    app = DiffApp(parse_unified(SAMPLE))
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        await pilot.press("f", "f")
        assert top(app) > 0
        app.view.show(parse_unified(big_diff(3)), title="turn 2")
        await pilot.pause()
        assert top(app) == 0 and app.view.border_title == "turn 2"
        assert len(app.view.files) == 1 and app.view.current_hunk == 0
        assert "src/module_0.py" in screen_text(app)


async def test_code_is_highlighted_from_the_theme() -> None:
    app = DiffApp(parse_unified(SAMPLE), layout="unified")
    async with app.run_test(size=(100, 40)) as pilot:
        await pilot.pause()
        body = app.query_one(DiffBody)
        row = next(
            body.render_line(y)
            for y in range(body.size.height)
            if "def mean(values):" in body.render_line(y).text
        )
        colours = {segment.style.color for segment in row if segment.text.strip() and segment.style}
        assert len(colours) >= 3  # gutter, keyword, name…

        dark = row.text
        before = [segment.style for segment in row]
        app.theme = "penguin-light"
        await pilot.pause()
        after = next(
            body.render_line(y)
            for y in range(body.size.height)
            if "def mean(values):" in body.render_line(y).text
        )
        assert after.text == dark
        assert [segment.style for segment in after] != before


async def test_compact_view_has_no_file_list_and_leaves_n_and_p_to_the_screen() -> None:
    class Host(App[None]):
        BINDINGS = [Binding("n", "answer('no')", "No")]

        def __init__(self) -> None:
            super().__init__()
            self.answers: list[str] = []

        def compose(self) -> ComposeResult:
            with Vertical():
                yield DiffView(parse_unified(big_diff(10)), layout="unified", compact=True)

        def action_answer(self, text: str) -> None:
            self.answers.append(text)

        def on_mount(self) -> None:
            self.query_one(Vertical).styles.height = "auto"
            self.query_one(DiffView).styles.max_height = 8

    app = Host()
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        view = app.query_one(DiffView)
        assert not view.query(DiffFileList)
        assert view.size.height == 8  # at most its max-height, then it scrolls
        assert app.focused is view.query_one(DiffBody)
        await pilot.press("n")
        assert app.answers == ["no"]
        await pilot.press("down", "down")
        assert view.query_one(DiffBody).scroll_y == 2


async def test_control_characters_and_tabs_are_drawn_safely() -> None:
    diff = "--- a/x.txt\n+++ b/x.txt\n@@ -1 +1 @@\n-a\tb\n+esc\x1b[31mred\r\n"
    app = DiffApp(parse_unified(diff), layout="unified")
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        text = screen_text(app)
        assert "a   b" in text
        assert "esc␛[31mred␍" in text and "\x1b" not in text


def test_split_rows_pair_removed_runs_with_the_added_lines_after_them() -> None:
    [diff] = parse_unified(SAMPLE.split("diff --git a/test_stats.py")[0].split("differ\n")[1])
    first, second = diff.hunks
    pairs = split_pairs(first)
    kinds = [
        (first.lines[old].kind if old >= 0 else None, first.lines[new].kind if new >= 0 else None)
        for old, new in pairs
    ]
    assert kinds[3:6] == [("-", "+"), (None, "+"), (None, "+")]
    for hunk in diff.hunks:
        assert split_row_count(hunk) == len(split_pairs(hunk))
    assert len(split_pairs(second)) == 6
