"""How tool calls look in the chat (fixed content, both themes at 80x24); the approval
question's snapshots are taken over the workbench (test_snapshots.py)."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from textual.app import App, ComposeResult
from textual.containers import VerticalScroll

from penguin_tui.app.themes import builtin_theme_dir, load_themes
from penguin_tui.app.widgets.tool_call import ToolCallView

DIFF = """--- a/stats.py
+++ b/stats.py
@@ -1,3 +1,3 @@
 def mean(values):
     \"\"\"The average of a non-empty list of numbers.\"\"\"
-    return sum(values) / (len(values) + 1)
+    return sum(values) / len(values)
"""


class ToolCallsApp(App[None]):
    """Three finished tool calls as the chat shows them, in a given theme."""

    def __init__(self, theme: str) -> None:
        super().__init__()
        self.wanted_theme = theme
        themes, _ = load_themes([builtin_theme_dir()])
        for item in themes:
            self.register_theme(item)

    def compose(self) -> ComposeResult:
        with VerticalScroll():
            yield ToolCallView("c1", "list_files", '{"path": "."}')
            yield ToolCallView("c2", "run_shell", '{"command": "python3 -m unittest -v"}')
            yield ToolCallView("c3", "edit_file", '{"path": "stats.py"}')

    def on_mount(self) -> None:
        self.theme = self.wanted_theme
        views = list(self.query(ToolCallView))
        views[0].finished("ok", "3 entries", 12.0, "README.md\nhello.py\nstats.py", None)
        views[1].finished("ok", "exit 1 · 9 lines · 0.1 s", 140.0, "FAILED (failures=1)", None)
        views[2].finished("ok", "1 line changed", 3.0, "", DIFF)


@pytest.mark.parametrize("theme", ["penguin-dark", "penguin-light"])
def test_tool_calls_inline(snap_compare: Callable[..., bool], theme: str) -> None:
    """Three collapsed-or-open tool calls: ✓ list_files with its summary and duration, ✓ run_shell
    with exit 1, and ✓ edit_file opened on its coloured diff (- divisor + 1, + plain divisor)."""
    assert snap_compare(ToolCallsApp(theme), terminal_size=(80, 24))
