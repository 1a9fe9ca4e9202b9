"""The project's files as the user sees them: ``.gitignore``d files and ``.git/`` left out.

Inside a git work tree git itself answers (``git ls-files``, read-only: it never writes the
index, and runs nothing the repository's config names, see ``project_git``); elsewhere a small
walker applies ``.gitignore`` files with ``patterns``.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

from penguin_tui.config.secrets import SecretFreeEnvironment
from penguin_tui.workspace.patterns import IgnoreRule, is_ignored, parse_gitignore
from penguin_tui.workspace.project_git import run_project_git


def project_files(root: Path, environment: SecretFreeEnvironment) -> list[str]:
    """Every file under ``root`` that is not ignored, as sorted POSIX paths relative to it.
    Git, when asked, runs with an environment derived from ``environment``."""
    base = root.resolve()
    listed = _git_files(base, environment)
    if listed is None:
        return _walk(base)
    return sorted(path for path in listed if _is_listable_file(base / path))


def _git_files(root: Path, environment: SecretFreeEnvironment) -> list[str] | None:
    """Tracked plus untracked-but-not-ignored files, or None when ``root`` is not in a work tree."""
    completed = run_project_git(
        root, ["ls-files", "--cached", "--others", "--exclude-standard", "-z"], environment
    )
    if completed is None or completed.returncode != 0:
        return None
    names = {os.fsdecode(name) for name in completed.stdout.split(b"\0") if name}
    return [name.rstrip("/") for name in names if not _inside_git_dir(name)]


def _inside_git_dir(path: str) -> bool:
    return ".git" in path.split("/")


def _is_listable_file(path: Path) -> bool:
    """Still there and not a directory (a staged-then-deleted file, a submodule)."""
    try:
        mode = path.lstat().st_mode
    except OSError:
        return False
    return not stat.S_ISDIR(mode)


def _walk(root: Path) -> list[str]:
    """Walk ``root`` applying ``info/exclude`` and every ``.gitignore`` on the way down."""
    rules = _read_rules(root / ".git" / "info" / "exclude", "")
    found: list[str] = []
    pending: list[tuple[Path, str, list[IgnoreRule]]] = [(root, "", rules)]
    while pending:
        directory, relative, inherited = pending.pop()
        rules = inherited + _read_rules(directory / ".gitignore", relative)
        try:
            entries = list(os.scandir(directory))
        except OSError:
            continue  # unreadable directory: nothing we can list in it
        for entry in entries:
            if entry.name == ".git":
                continue
            path = f"{relative}/{entry.name}" if relative else entry.name
            try:
                is_dir = entry.is_dir(follow_symlinks=False)
            except OSError:
                continue
            if is_ignored(path, is_dir, rules):
                continue
            if is_dir:
                pending.append((Path(entry.path), path, rules))
            else:
                found.append(path)
    return sorted(found)


def _read_rules(path: Path, base: str) -> list[IgnoreRule]:
    try:
        text = path.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return []
    return parse_gitignore(text, base)
