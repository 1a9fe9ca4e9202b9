"""Every path a tool touches must resolve inside the project, symlinks followed."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from penguin_tui.engine.tools.base import ToolContext, ToolError
from penguin_tui.workspace import OutsideProjectError, relative_to_project, resolve_in_project

from .helpers import call, write


def test_relative_and_absolute_paths_inside_resolve(root: Path) -> None:
    write(root, "src/app.py")
    assert resolve_in_project(root, "src/app.py") == root / "src" / "app.py"
    assert resolve_in_project(root, str(root / "src" / "app.py")) == root / "src" / "app.py"
    assert resolve_in_project(root, "src/../src/app.py") == root / "src" / "app.py"
    assert resolve_in_project(root, "not/yet/there.txt") == root / "not" / "yet" / "there.txt"
    assert relative_to_project(root, "src/./app.py") == "src/app.py"
    assert relative_to_project(root, ".") == "."


def test_dot_dot_out_of_the_project_is_refused(root: Path) -> None:
    with pytest.raises(OutsideProjectError, match="outside the project"):
        resolve_in_project(root, "../secrets.txt")
    with pytest.raises(OutsideProjectError):
        resolve_in_project(root, "src/../../x")


def test_absolute_path_outside_is_refused(root: Path) -> None:
    with pytest.raises(OutsideProjectError, match="/etc/passwd is outside the project"):
        resolve_in_project(root, "/etc/passwd")


def test_sibling_folder_with_the_same_prefix_is_outside(root: Path) -> None:
    sibling = root.parent / (root.name + "-other")
    sibling.mkdir()
    with pytest.raises(OutsideProjectError):
        resolve_in_project(root, str(sibling / "file.txt"))


def test_symlink_pointing_outside_is_refused_with_the_reason(root: Path, tmp_path: Path) -> None:
    outside = tmp_path / "outside"
    outside.mkdir()
    (root / "link").symlink_to(outside)
    with pytest.raises(OutsideProjectError, match="through a symlink"):
        resolve_in_project(root, "link/file.txt")


def test_symlink_inside_the_project_is_followed(root: Path) -> None:
    write(root, "real/file.txt", "x")
    (root / "alias").symlink_to(root / "real")
    assert resolve_in_project(root, "alias/file.txt") == root / "real" / "file.txt"


def test_outside_error_is_a_tool_error_and_one_line(root: Path) -> None:
    with pytest.raises(ToolError) as caught:
        resolve_in_project(root, "../../x")
    assert isinstance(caught.value, OutsideProjectError)
    assert "\n" not in str(caught.value)


def test_nul_byte_and_symlink_loop_are_tool_errors(root: Path) -> None:
    with pytest.raises(ToolError, match="NUL"):
        resolve_in_project(root, "a\0b")
    (root / "loop").symlink_to(root / "loop")
    with pytest.raises(ToolError):
        resolve_in_project(root, "loop/x")


async def test_read_through_outside_symlink_is_refused(
    root: Path, tmp_path: Path, ctx: ToolContext
) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text("the secret\n")
    (root / "innocent.txt").symlink_to(secret)
    result = await call("read_file", {"path": "innocent.txt"}, ctx)
    assert result.status == "error"
    assert "outside the project" in result.output
    assert "the secret" not in result.output


async def test_write_through_outside_symlink_is_refused(
    root: Path, tmp_path: Path, ctx: ToolContext
) -> None:
    outside = tmp_path / "outside"
    outside.mkdir()
    (root / "out").symlink_to(outside)
    (root / "target.txt").symlink_to(outside / "target.txt")
    for path in ("out/new.txt", "target.txt"):
        result = await call("write_file", {"path": path, "content": "pwned"}, ctx)
        assert result.status == "error", path
        assert "outside the project" in result.output
    assert os.listdir(outside) == []


@pytest.mark.parametrize(
    ("tool", "arguments"),
    [
        ("read_file", {"path": "../x"}),
        ("list_files", {"path": "/"}),
        ("search", {"pattern": "x", "path": ".."}),
        ("write_file", {"path": "../escaped.txt", "content": "x"}),
        ("edit_file", {"path": "/etc/hostname", "old": "a", "new": "b"}),
    ],
)
async def test_every_file_tool_refuses_paths_outside(
    tool: str, arguments: dict[str, str], root: Path, ctx: ToolContext
) -> None:
    result = await call(tool, arguments, ctx)
    assert result.status == "error"
    assert "outside the project" in result.output
    assert not (root.parent / "escaped.txt").exists()
