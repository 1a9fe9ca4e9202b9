"""``penguin-tui checkpoints create`` on a project without checkpoints: git goes over the
project's files once (the snapshot), and the garbage collection that reads every object again
waits a day."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from penguin_tui.cli.main import main

# Options git takes before its command, with the value that follows them.
_WITH_VALUE = {"-c", "-C"}


def spy_on_git(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Put a ``git`` first on PATH that writes down its arguments (a file a call, NUL between
    them, named by its process id: two gits side by side never mix their lines), then runs
    the real git; the folder of those files."""
    real_git = shutil.which("git")
    assert real_git is not None
    spy = tmp_path / "spy"
    calls = tmp_path / "git-calls"
    spy.mkdir()
    calls.mkdir()
    (spy / "git").write_text(
        f"#!/bin/sh\nprintf '%s\\0' \"$@\" > '{calls}'/$$\nexec {real_git} \"$@\"\n"
    )
    (spy / "git").chmod(0o755)
    monkeypatch.setenv("PATH", f"{spy}{os.pathsep}{os.environ['PATH']}")
    return calls


def commands(calls: Path) -> list[str]:
    """The git command of each logged call (``update-index`` in ``--git-dir=X -c k=v
    update-index --add``)."""
    found = []
    for logged in calls.iterdir():
        skip = False
        for arg in logged.read_bytes().decode("utf-8", "replace").split("\0")[:-1]:
            if skip:
                skip = False
            elif arg in _WITH_VALUE:
                skip = True
            elif not arg.startswith("-"):
                found.append(arg)
                break
    return found


def test_the_first_checkpoint_reads_the_files_once_and_collects_no_garbage(
    project: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    for number in range(30):
        (project / f"module_{number}.py").write_text(f"value = {number}\n")
    log = spy_on_git(tmp_path, monkeypatch)

    assert main(["checkpoints", "create", "-C", str(project)]) == 0, capsys.readouterr().err

    ran = commands(log)
    assert ran.count("update-index") == 1  # the one pass that reads the files
    assert "gc" not in ran  # packing every object again waits a day
    assert "add" not in ran and "hash-object" not in ran
