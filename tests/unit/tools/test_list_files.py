"""list_files: every file under a folder, paths usable as they are, big trees summarised."""

from __future__ import annotations

from pathlib import Path

from penguin_tui.engine.tools.base import ToolContext

from .helpers import call, context, write


async def test_lists_files_recursively_from_the_root(root: Path, ctx: ToolContext) -> None:
    for name in ["README.md", "src/app.py", "src/ui/view.py"]:
        write(root, name)
    result = await call("list_files", "", ctx)
    assert result.status == "ok"
    assert result.output.splitlines() == [
        "3 files under the project (ignored files not shown):",
        "README.md",
        "src/app.py",
        "src/ui/view.py",
    ]
    assert result.summary == "listed .: 3 files"


async def test_a_subfolder_keeps_project_relative_paths(root: Path, ctx: ToolContext) -> None:
    write(root, "src/app.py")
    write(root, "src/ui/view.py")
    write(root, "srcs/other.py")
    result = await call("list_files", {"path": "src/"}, ctx)
    assert result.output.splitlines()[1:] == ["src/app.py", "src/ui/view.py"]


async def test_large_trees_summarise_deep_folders(root: Path) -> None:
    write(root, "README.md")
    for i in range(30):
        write(root, f"pkg/mod{i}/file.py")
        write(root, f"pkg/mod{i}/deeper/x.py")
    result = await call("list_files", {}, context(root, list_max_entries=40))
    lines = result.output.splitlines()
    assert "61 files under the project" in lines[0]
    assert "call list_files on one to see inside" in lines[0]
    assert "README.md" in lines
    assert "pkg/mod7/ (2 files)" in lines
    assert len(lines) == 1 + 31


async def test_when_even_the_top_level_is_too_big_the_rest_is_counted(root: Path) -> None:
    for i in range(12):
        write(root, f"f{i:02}.txt")
    result = await call("list_files", {}, context(root, list_max_entries=5))
    lines = result.output.splitlines()
    assert lines[1:6] == ["f00.txt", "f01.txt", "f02.txt", "f03.txt", "f04.txt"]
    assert lines[-1] == "… and 7 more entries; list a subfolder to see them"


async def test_files_missing_folders_and_empty_ones(root: Path, ctx: ToolContext) -> None:
    write(root, "a.txt")
    (root / "empty").mkdir()
    single = await call("list_files", {"path": "a.txt"}, ctx)
    assert (single.status, single.output) == ("ok", "a.txt")
    missing = await call("list_files", {"path": "nope"}, ctx)
    assert (missing.status, missing.output) == ("error", "Error: nope does not exist")
    empty = await call("list_files", {"path": "empty"}, ctx)
    assert empty.status == "ok"
    assert empty.output.startswith("No files under empty")
