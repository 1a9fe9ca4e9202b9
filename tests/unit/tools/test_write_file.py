"""write_file: whole files written exactly, parents created, a diff against the old content."""

from __future__ import annotations

from pathlib import Path

from penguin_tui.engine.tools.base import ToolContext

from .helpers import call, write


async def test_creates_a_file_and_its_folders(root: Path, ctx: ToolContext) -> None:
    result = await call("write_file", {"path": "new/pkg/mod.py", "content": "x = 1\n"}, ctx)
    assert result.status == "ok"
    assert (root / "new/pkg/mod.py").read_text() == "x = 1\n"
    assert result.output == "Created new/pkg/mod.py (1 line)."
    assert result.diff == "--- /dev/null\n+++ b/new/pkg/mod.py\n@@ -0,0 +1 @@\n+x = 1\n"


async def test_replacing_returns_a_unified_diff(root: Path, ctx: ToolContext) -> None:
    write(root, "a.txt", "one\ntwo\nthree\n")
    result = await call("write_file", {"path": "a.txt", "content": "one\n2\nthree"}, ctx)
    assert (root / "a.txt").read_bytes() == b"one\n2\nthree"
    assert result.output == "Updated a.txt: +2 -2 lines, 3 lines now."
    assert result.summary == "write a.txt: +2 -2"
    assert result.diff is not None
    assert result.diff.splitlines() == [
        "--- a/a.txt",
        "+++ b/a.txt",
        "@@ -1,3 +1,3 @@",
        " one",
        "-two",
        "-three",
        "+2",
        "+three",
        "\\ No newline at end of file",
    ]


async def test_content_is_written_byte_for_byte(root: Path, ctx: ToolContext) -> None:
    await call("write_file", {"path": "crlf.txt", "content": "a\r\nb\r\n"}, ctx)
    assert (root / "crlf.txt").read_bytes() == b"a\r\nb\r\n"


async def test_same_content_is_not_rewritten(root: Path, ctx: ToolContext) -> None:
    write(root, "same.txt", "same\n")
    result = await call("write_file", {"path": "same.txt", "content": "same\n"}, ctx)
    assert result.status == "ok"
    assert "nothing was written" in result.output
    assert result.diff is None


async def test_a_directory_is_refused(root: Path, ctx: ToolContext) -> None:
    (root / "folder").mkdir()
    result = await call("write_file", {"path": "folder", "content": "x"}, ctx)
    assert result.status == "error"
    assert result.output == "Error: folder is a directory; give the path of a file to write"


async def test_os_errors_are_one_line(root: Path, ctx: ToolContext) -> None:
    write(root, "plain.txt", "x")
    result = await call("write_file", {"path": "plain.txt/child.txt", "content": "x"}, ctx)
    assert result.status == "error"
    assert result.output == "Error: plain.txt: File exists"
