"""edit_file: exact, unique replacements; misses show the nearest lines so the model can retry."""

from __future__ import annotations

import time
from pathlib import Path

from penguin_tui.engine.tools.base import ToolContext

from .helpers import call, write

SOURCE = """\
import os


def greet(name):
    message = "hello " + name
    print(message)
    return message


def main():
    greet("world")
    greet("penguin")
"""


async def test_replaces_a_unique_snippet_and_returns_the_diff(root: Path, ctx: ToolContext) -> None:
    write(root, "app.py", SOURCE)
    old = '    message = "hello " + name\n'
    new = '    message = f"hello {name}"\n'
    result = await call("edit_file", {"path": "app.py", "old": old, "new": new}, ctx)
    assert result.status == "ok"
    assert (root / "app.py").read_text() == SOURCE.replace(old, new)
    assert result.output.startswith("Edited app.py: replaced 1 occurrence (first at line 5)")
    assert result.diff is not None
    assert '-    message = "hello " + name' in result.diff
    assert '+    message = f"hello {name}"' in result.diff
    assert result.diff in result.output
    assert result.summary == "edit app.py: +1 -1"


async def test_not_found_shows_the_nearest_lines_with_numbers(root: Path, ctx: ToolContext) -> None:
    write(root, "app.py", SOURCE)
    old = 'def greet(name):\n    msg = "hello " + name\n    print(msg)\n'
    result = await call("edit_file", {"path": "app.py", "old": old, "new": "x"}, ctx)
    assert result.status == "error"
    assert result.output.startswith("Error: old was not found in app.py. The most similar text")
    assert "is at lines 4-6:" in result.output
    assert '     5\t    message = "hello " + name' in result.output
    assert "without the line numbers" in result.output
    assert (root / "app.py").read_text() == SOURCE


async def test_a_whitespace_only_miss_is_named(root: Path, ctx: ToolContext) -> None:
    write(root, "app.py", SOURCE)
    old = "def main():\n  greet('world')\n".replace("'", '"')
    result = await call("edit_file", {"path": "app.py", "old": old, "new": "x"}, ctx)
    assert "The text at lines 10-11 differs from old only in whitespace" in result.output


async def test_line_numbers_copied_from_read_file_are_pointed_out(
    root: Path, ctx: ToolContext
) -> None:
    write(root, "app.py", SOURCE)
    old = "     1\timport os\n"
    result = await call("edit_file", {"path": "app.py", "old": old, "new": "import sys\n"}, ctx)
    assert "line numbers copied from read_file" in result.output
    assert "     1\timport os" in result.output


async def test_nothing_similar_says_so(root: Path, ctx: ToolContext) -> None:
    write(root, "app.py", SOURCE)
    result = await call("edit_file", {"path": "app.py", "old": "zzzzqqqq", "new": "x"}, ctx)
    assert "Nothing in the file looks similar" in result.output


async def test_several_occurrences_are_counted_with_their_lines(
    root: Path, ctx: ToolContext
) -> None:
    write(root, "app.py", SOURCE)
    result = await call("edit_file", {"path": "app.py", "old": "greet(", "new": "hail("}, ctx)
    assert result.status == "error"
    assert "old appears 3 times in app.py (at lines 4, 11, 12)" in result.output
    assert "replace_all" in result.output
    assert (root / "app.py").read_text() == SOURCE


async def test_replace_all_replaces_every_occurrence(root: Path, ctx: ToolContext) -> None:
    write(root, "app.py", SOURCE)
    arguments = {"path": "app.py", "old": "greet(", "new": "hail(", "replace_all": True}
    result = await call("edit_file", arguments, ctx)
    assert result.status == "ok"
    assert "replaced 3 occurrences" in result.output
    assert (root / "app.py").read_text() == SOURCE.replace("greet(", "hail(")


async def test_crlf_files_match_snippets_written_with_lf(root: Path, ctx: ToolContext) -> None:
    (root / "win.txt").write_bytes(b"first\r\nsecond\r\nthird\r\n")
    arguments = {"path": "win.txt", "old": "first\nsecond\n", "new": "1\n2\n"}
    result = await call("edit_file", arguments, ctx)
    assert result.status == "ok"
    assert (root / "win.txt").read_bytes() == b"1\r\n2\r\nthird\r\n"


async def test_refusals(root: Path, ctx: ToolContext) -> None:
    write(root, "app.py", SOURCE)
    (root / "data.bin").write_bytes(b"ab\x00cd")
    cases = {
        "Error: missing.py does not exist; use write_file to create it": {
            "path": "missing.py",
            "old": "a",
            "new": "b",
        },
        "Error: old and new are the same; there is nothing to change": {
            "path": "app.py",
            "old": "import os",
            "new": "import os",
        },
        "Error: data.bin looks like a binary file (it has NUL bytes)": {
            "path": "data.bin",
            "old": "ab",
            "new": "xy",
        },
    }
    for expected, arguments in cases.items():
        result = await call("edit_file", arguments, ctx)
        assert (result.status, result.output) == ("error", expected)
    empty = await call("edit_file", {"path": "app.py", "old": "", "new": "x"}, ctx)
    assert "old is empty" in empty.output
    assert (root / "data.bin").read_bytes() == b"ab\x00cd"


async def test_the_nearest_match_is_found_quickly_in_a_long_file(
    root: Path, ctx: ToolContext
) -> None:
    lines = [
        f"    value_{i} = compute(x{i % 17}, y={i * 7 % 1000})  # step {i}" for i in range(8000)
    ]
    write(root, "long.py", "\n".join(lines) + "\n")
    old = "\n".join(line.replace("compute", "calc") for line in lines[5000:5015])
    started = time.monotonic()
    result = await call("edit_file", {"path": "long.py", "old": old, "new": "x"}, ctx)
    assert time.monotonic() - started < 2
    assert "is at lines 5001-5015:" in result.output
