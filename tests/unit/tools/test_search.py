"""search: regex over the project's files, `path:line: text`, filters, caps, bad regexes."""

from __future__ import annotations

from pathlib import Path

from penguin_tui.engine.tools.base import ToolContext

from .helpers import call, context, write


def make_project(root: Path) -> None:
    write(root, "src/app.py", "import os\n\ndef main():\n    return os.getcwd()\n")
    write(root, "src/util.py", "def helper():\n    return 1\n")
    write(root, "web/app.ts", "export function main() {}\n")
    write(root, ".gitignore", "dist/\n")
    write(root, "dist/bundle.js", "function main() {}\n")
    (root / "blob.bin").write_bytes(b"\x00def main\n")


async def test_matches_are_path_line_text(root: Path, ctx: ToolContext) -> None:
    make_project(root)
    result = await call("search", {"pattern": r"def \w+\("}, ctx)
    assert result.status == "ok"
    assert result.output.splitlines() == [
        "src/app.py:3: def main():",
        "src/util.py:1: def helper():",
    ]
    assert result.summary == "search 'def \\\\w+\\\\(': 2 matches in 2 files"


async def test_ignored_and_binary_files_are_skipped(root: Path, ctx: ToolContext) -> None:
    make_project(root)
    result = await call("search", {"pattern": "main"}, ctx)
    paths = {line.split(":")[0] for line in result.output.splitlines()}
    assert paths == {"src/app.py", "web/app.ts"}


async def test_path_glob_and_case_filters(root: Path, ctx: ToolContext) -> None:
    make_project(root)
    in_web = await call("search", {"pattern": "main", "path": "web"}, ctx)
    assert in_web.output == "web/app.ts:1: export function main() {}"
    only_py = await call("search", {"pattern": "return", "glob": "*.py"}, ctx)
    assert len(only_py.output.splitlines()) == 2
    ts = await call("search", {"pattern": "main", "glob": "*.{ts,tsx}"}, ctx)
    assert ts.output.startswith("web/app.ts:1:")
    one_file = await call("search", {"pattern": "return", "path": "src/util.py"}, ctx)
    assert one_file.output == "src/util.py:2:     return 1"
    loud = await call("search", {"pattern": "IMPORT OS", "ignore_case": True}, ctx)
    assert loud.output == "src/app.py:1: import os"


async def test_invalid_regex_shows_the_regex_error(root: Path, ctx: ToolContext) -> None:
    result = await call("search", {"pattern": "foo(bar"}, ctx)
    assert result.status == "error"
    assert "invalid regular expression 'foo(bar'" in result.output
    assert "missing ), unterminated subpattern at position 3" in result.output


async def test_no_matches_is_a_plain_answer(root: Path, ctx: ToolContext) -> None:
    make_project(root)
    result = await call("search", {"pattern": "nowhere_to_be_found"}, ctx)
    assert result.status == "ok"
    assert result.output.startswith("No matches for 'nowhere_to_be_found' in 4 files")


async def test_match_cap_says_there_are_more(root: Path) -> None:
    write(root, "many.txt", "hit\n" * 50)
    result = await call("search", {"pattern": "hit"}, context(root, search_max_matches=10))
    lines = result.output.splitlines()
    assert lines[9] == "many.txt:10: hit"
    assert "stopped after 10 matches, there are more" in result.output
    assert result.summary == "search 'hit': 10+ matches in 1 file"


async def test_output_is_capped_head_and_tail(root: Path) -> None:
    write(root, "wide.txt", "".join(f"hit {i} {'y' * 200}\n" for i in range(100)))
    result = await call("search", {"pattern": "hit"}, context(root, output_max_chars=2000))
    assert result.output.startswith("wide.txt:1: hit 0 ")
    assert "characters omitted" in result.output
    assert "wide.txt:100: hit 99" in result.output
    assert len(result.output) < 2200


async def test_long_lines_are_shortened(root: Path, ctx: ToolContext) -> None:
    write(root, "min.js", "x" * 1000 + "needle\n")
    result = await call("search", {"pattern": "x+"}, ctx)
    assert result.output.endswith(" …")
    assert len(result.output) < 400


async def test_an_ignored_folder_says_why_nothing_was_searched(
    root: Path, ctx: ToolContext
) -> None:
    make_project(root)
    result = await call("search", {"pattern": "main", "path": "dist"}, ctx)
    assert result.output == (
        "No matches for 'main' in 0 files under dist. "
        "(no text files there: empty, binary, or ignored by .gitignore)"
    )


async def test_symlinks_to_files_outside_are_not_searched(
    root: Path, tmp_path: Path, ctx: ToolContext
) -> None:
    outside = tmp_path / "elsewhere.txt"
    outside.write_text("canary-outside\n")
    (root / "link.txt").symlink_to(outside)
    write(root, "inside.txt", "canary-inside\n")
    result = await call("search", {"pattern": "canary"}, ctx)
    assert result.output.splitlines()[0] == "inside.txt:1: canary-inside"
    assert "canary-outside" not in result.output
    assert "1 symlink to outside the project skipped" in result.output
