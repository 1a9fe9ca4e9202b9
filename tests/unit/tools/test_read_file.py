"""read_file: numbered lines, ranges, caps that say how to read on, binaries refused."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from penguin_tui.engine.tools.base import ToolContext

from .helpers import call, context, write


async def test_lines_are_numbered(root: Path, ctx: ToolContext) -> None:
    write(root, "src/app.py", "import os\n\nprint(os.getcwd())\n")
    result = await call("read_file", {"path": "src/app.py"}, ctx)
    assert result.status == "ok"
    assert result.output == "     1\timport os\n     2\t\n     3\tprint(os.getcwd())"
    assert result.summary == "read src/app.py lines 1-3 of 3"
    assert result.duration_ms > 0


async def test_a_range_of_lines(root: Path, ctx: ToolContext) -> None:
    write(root, "n.txt", "".join(f"line {i}\n" for i in range(1, 11)))
    result = await call("read_file", {"path": "n.txt", "start_line": 4, "end_line": 6}, ctx)
    assert result.output.splitlines() == ["     4\tline 4", "     5\tline 5", "     6\tline 6"]
    assert "of 10" in result.summary


async def test_crlf_and_missing_final_newline_are_shown_cleanly(
    root: Path, ctx: ToolContext
) -> None:
    (root / "win.txt").write_bytes(b"one\r\ntwo")
    result = await call("read_file", {"path": "win.txt"}, ctx)
    assert result.output == "     1\tone\n     2\ttwo"


async def test_line_cap_says_where_to_continue(root: Path) -> None:
    write(root, "long.txt", "".join(f"{i}\n" for i in range(1, 31)))
    result = await call("read_file", {"path": "long.txt"}, context(root, read_max_lines=10))
    assert result.status == "ok"
    assert result.output.splitlines()[9] == "    10\t10"
    assert "Showing lines 1-10 of 30" in result.output
    assert "start_line=11" in result.output
    follow = await call("read_file", {"path": "long.txt", "start_line": 11}, context(root))
    assert follow.output.splitlines()[0] == "    11\t11"


async def test_byte_cap_says_where_to_continue(root: Path) -> None:
    write(root, "wide.txt", "".join(f"{'x' * 99}\n" for _ in range(50)))
    result = await call("read_file", {"path": "wide.txt"}, context(root, read_max_bytes=1000))
    assert len(result.output.splitlines()[0].split("\t")[1]) == 99
    assert "1000 bytes limit was reached" in result.output
    assert "start_line=11" in result.output


async def test_an_over_long_line_is_cut_and_numbering_continues(root: Path) -> None:
    write(root, "min.js", "a" * 5000 + "\nnext\n")
    result = await call("read_file", {"path": "min.js"}, context(root, read_max_bytes=2048))
    first, *rest = result.output.splitlines()
    assert "line cut at 2 KiB" in first
    assert len(first) < 2200
    assert "start_line=2" in result.output
    follow = await call("read_file", {"path": "min.js", "start_line": 2}, context(root))
    assert follow.output == "     2\tnext"


async def test_binary_files_are_refused(root: Path, ctx: ToolContext) -> None:
    (root / "image.png").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)))
    result = await call("read_file", {"path": "image.png"}, ctx)
    assert result.status == "error"
    assert "binary" in result.output
    assert "IHDR" not in result.output


async def test_missing_file_suggests_similar_names(root: Path, ctx: ToolContext) -> None:
    write(root, "src/config.py")
    result = await call("read_file", {"path": "src/confg.py"}, ctx)
    assert result.status == "error"
    assert result.output == (
        "Error: src/confg.py does not exist; similar names in the same folder: config.py"
    )


async def test_directories_empty_files_and_bad_ranges(root: Path, ctx: ToolContext) -> None:
    write(root, "empty.txt")
    write(root, "three.txt", "1\n2\n3\n")
    folder = await call("read_file", {"path": "."}, ctx)
    assert folder.status == "error"
    assert "is a directory" in folder.output and "list_files" in folder.output
    empty = await call("read_file", {"path": "empty.txt"}, ctx)
    assert (empty.status, empty.output) == ("ok", "(empty.txt is empty)")
    past = await call("read_file", {"path": "three.txt", "start_line": 9}, ctx)
    assert past.output == "Error: start_line 9 is past the end of three.txt (it has 3 lines)"
    backwards = await call("read_file", {"path": "three.txt", "start_line": 3, "end_line": 2}, ctx)
    assert "end_line (2) is before start_line (3)" in backwards.output
    zero = await call("read_file", {"path": "three.txt", "start_line": 0}, ctx)
    assert zero.status == "error" and "start_line" in zero.output


@pytest.mark.skipif(os.geteuid() == 0, reason="root reads files whatever their mode")
async def test_unreadable_file_is_a_one_line_error(root: Path, ctx: ToolContext) -> None:
    path = write(root, "locked.txt", "x\n")
    path.chmod(0)
    result = await call("read_file", {"path": "locked.txt"}, ctx)
    assert result.output == "Error: locked.txt: Permission denied"


async def test_a_named_pipe_is_refused_instead_of_blocking(root: Path, ctx: ToolContext) -> None:
    os.mkfifo(root / "pipe")
    for tool, arguments in [
        ("read_file", {"path": "pipe"}),
        ("edit_file", {"path": "pipe", "old": "a", "new": "b"}),
        ("write_file", {"path": "pipe", "content": "x"}),
    ]:
        result = await call(tool, arguments, ctx)
        assert result.output == "Error: pipe is not a regular file (a device, socket or pipe)"
    found = await call("search", {"pattern": "x"}, ctx)
    assert found.status == "ok"
