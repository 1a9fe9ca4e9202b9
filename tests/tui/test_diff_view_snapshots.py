"""How the diff pane looks: unified at 80x24, side by side at 160x48, in both themes."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from penguin_tui.unified_diff import parse_unified
from tests.tui.test_diff_view import SAMPLE, DiffApp


@pytest.mark.parametrize("theme", ["penguin-dark", "penguin-light"])
def test_diff_unified_at_80_columns(snap_compare: Callable[..., bool], theme: str) -> None:
    """No file list (too narrow). From the top: "R notes.txt → NOTES.md +1 −1", the note
    "renamed from notes.txt (66% similar)", its hunk with line 4 removed (red) and edited
    (green); "M logo.png binary" with "binary file changed"; "M stats.py +6 −2" and its first
    hunk "@@ -5,7 +5,9 @@ import math" with Python highlighted (def, names, strings), old and new
    line numbers in the gutter, the removed divisor line red and three added lines green."""
    app = DiffApp(parse_unified(SAMPLE), theme=theme)
    assert snap_compare(app, terminal_size=(80, 24))


@pytest.mark.parametrize("theme", ["penguin-dark", "penguin-light"])
def test_diff_side_by_side_at_160_columns(snap_compare: Callable[..., bool], theme: str) -> None:
    """The file list on the left (R NOTES.md, M logo.png binary, M stats.py +6 −2, A
    test_stats.py +5 −0; the first one under the cursor). The body shows old on the left and
    new on the right with their own line numbers: the removed line faces the added one, the
    extra added lines face blank filler, the new test file has only a right side; all four
    files fit, the binary one and the rename described in words."""
    app = DiffApp(parse_unified(SAMPLE), theme=theme)
    assert snap_compare(app, terminal_size=(160, 48))
