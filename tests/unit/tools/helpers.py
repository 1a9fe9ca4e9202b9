"""Helpers shared by the tool tests: calling a tool, making files, a real git, processes."""

from __future__ import annotations

import subprocess
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from penguin_tui.engine.tools.base import ToolContext, ToolLimits, ToolResult
from penguin_tui.engine.tools.registry import run_tool


def context(root: Path, **limits: Any) -> ToolContext:
    """A context with some limits changed, for the tests of caps."""
    return ToolContext.for_project(root, limits=ToolLimits(**limits))


async def call(name: str, arguments: str | Mapping[str, Any], ctx: ToolContext) -> ToolResult:
    return await run_tool(name, arguments, ctx)


def write(root: Path, relative: str, text: str = "") -> Path:
    path = root / relative
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def git(root: Path, *args: str) -> str:
    """Run the real git CLI in ``root`` (with an identity, quietly)."""
    identity = ["-c", "user.name=Penguin Test", "-c", "user.email=test@example.invalid"]
    completed = subprocess.run(
        ["git", *identity, "-c", "init.defaultBranch=main", "-C", str(root), *args],
        capture_output=True,
        text=True,
        check=True,
        timeout=30,
    )
    return completed.stdout


def tree_bytes(directory: Path) -> dict[str, bytes | None]:
    """Every entry under ``directory`` with its content (None for folders)."""
    return {
        path.relative_to(directory).as_posix(): None if path.is_dir() else path.read_bytes()
        for path in sorted(directory.rglob("*"))
    }


def live_group_members(pgid: int) -> list[str]:
    """Command lines of the group's processes that are still running (zombies excluded).

    ``os.killpg(pgid, 0)`` is not enough here: the container's init does not reap orphans,
    so a killed background ``sleep`` lingers as a zombie that still belongs to the group.
    """
    members = []
    for stat_file in Path("/proc").glob("[0-9]*/stat"):
        try:
            text = stat_file.read_text()
            cmdline = (stat_file.parent / "cmdline").read_bytes()
        except OSError:
            continue
        fields = text[text.rfind(")") + 2 :].split()
        if fields[2] == str(pgid) and fields[0] not in ("Z", "X"):
            members.append(cmdline.replace(b"\0", b" ").decode(errors="replace").strip())
    return members


def read_pid(pid_file: Path) -> int | None:
    """The number a command wrote with ``echo $$ > pid``, once it is there."""
    try:
        text = pid_file.read_text().strip()
    except FileNotFoundError:
        return None
    return int(text) if text else None
