"""No git that penguin-tui starts gets the keys: a process of the same user (the agent's,
left running in the background) can read a child's ``/proc/<pid>/environ`` while it runs."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

from penguin_tui.cli import main
from penguin_tui.testing import run_in_thread
from tests.conftest import script

OPENAI_KEY = "sk-test-openai-93b1e07c2d8a4f55"


LOOK_AND_WRITE = """
model = "m1"
rate = 0
[[turns]]
[[turns.tool_calls]]
name = "list_files"
arguments = '{"path": "."}'
[[turns.tool_calls]]
name = "search"
arguments = '{"pattern": "hello"}'
[[turns.tool_calls]]
name = "write_file"
arguments = '{"path": "notes.txt", "content": "checked"}'
[[turns]]
text = "Done."
"""


def test_no_git_that_penguin_tui_starts_gets_the_keys(
    capsys: pytest.CaptureFixture[str],
    project: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # Every git penguin-tui starts (the project's for list_files and search, the shadow
    # repository's for the checkpoint) writes down its environment, which a process of the
    # same user could read in /proc/<pid>/environ while it runs.
    real_git = shutil.which("git")
    assert real_git is not None
    spy = tmp_path / "spy"
    spy.mkdir()
    log = tmp_path / "git-environments.log"
    (spy / "git").write_text(
        f'#!/bin/sh\nenv >> "{log}"\necho ---- >> "{log}"\nexec {real_git} "$@"\n'
    )
    (spy / "git").chmod(0o755)
    monkeypatch.setenv("PATH", f"{spy}{os.pathsep}{os.environ['PATH']}")
    monkeypatch.setenv("OPENAI_API_KEY", OPENAI_KEY)
    monkeypatch.setenv("MY_PASS", "pass-canary-7373")
    subprocess.run([real_git, "init", "-q", str(project)], check=True)
    with run_in_thread(script(LOOK_AND_WRITE)) as server:
        code = main(
            ["run", "-C", str(project), "--model", "m1", "--api-base", server.base_url]
            + ["--approve", "all", "look around"]
        )
        assert code == 0, capsys.readouterr().err
    environments = log.read_text().split("----\n")
    assert len(environments) > 3, "list_files, search and the checkpoint all ran git"
    assert any("PENGUIN_HOME=" in env for env in environments)
    for env in environments:
        assert OPENAI_KEY not in env and "pass-canary-7373" not in env
