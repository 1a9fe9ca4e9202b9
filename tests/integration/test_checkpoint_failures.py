"""A turn's checkpoint under a real file size limit: the installed ``penguin-tui run`` runs
in a child process with ``RLIMIT_FSIZE`` (``ulimit -f``) at 300 KiB, against the scripted model
over real HTTP, with a real shadow git and a real SQLite file. The checkpoint that fails is
said where the user looks and taken at the next turn."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path
from typing import Any

from penguin_tui.testing import run_in_thread
from tests.conftest import script
from tests.integration.size_limit import LIMIT, Captured, cli, limited

HELLO = """
model = "m1"
rate = 0
[[turns]]
text = "Hello."
"""

# The shell's write stops at the limit (head gets SIGXFSZ): a 300 KiB file of random bytes,
# which git cannot store as an object under the same limit.
MAKE_BIG = """
model = "m1"
rate = 0
[[turns]]
text = "Making it."
[[turns.tool_calls]]
name = "run_shell"
arguments = '{"command": "head -c 400000 /dev/urandom > big.bin; echo made"}'
[[turns]]
text = "Made."
"""

ANYTHING_ELSE = """
model = "m1"
rate = 0
[[turns]]
text = "Nothing more to do."
"""


def turn(capsys: Captured, project: Path, text: str, prompt: str, *flags: str) -> str:
    """One `run` in this process, without a limit; its stderr."""
    with run_in_thread(script(text)) as server:
        code, _out, err = cli(
            capsys,
            "run",
            "-C",
            str(project),
            "--model",
            "m1",
            "--api-base",
            server.base_url,
            *flags,
            prompt,
        )
    assert code == 0, err
    return err


def limited_turn(project: Path, prompt: str, *flags: str) -> subprocess.CompletedProcess[str]:
    with run_in_thread(script(MAKE_BIG)) as server:
        return limited(
            "run",
            "-C",
            str(project),
            "--model",
            "m1",
            "--api-base",
            server.base_url,
            "--approve",
            "all",
            "--continue",
            *flags,
            prompt,
        )


def checkpoints(capsys: Captured, project: Path) -> list[dict[str, Any]]:
    code, out, err = cli(capsys, "checkpoints", "list", "-C", str(project), "--json")
    assert code == 0, err
    listed: list[dict[str, Any]] = json.loads(out)
    return listed


def test_a_turn_whose_checkpoint_hits_the_file_size_limit_says_so_and_the_next_turn_takes_it(
    capsys: Captured, project: Path
) -> None:
    turn(capsys, project, HELLO, "hello")  # the database and the shadow repository exist

    done = limited_turn(project, "make big")
    assert done.returncode == 0, done.stderr  # the turn itself went through
    assert (project / "big.bin").stat().st_size == LIMIT
    failures = [line for line in done.stderr.splitlines() if "checkpoint failed" in line]
    assert len(failures) == 1, done.stderr
    assert failures[0].startswith("penguin-tui: checkpoint failed: ")
    assert "“make big” are in no checkpoint yet" in failures[0]
    assert failures[0].endswith("will retry at the next turn")
    assert "make big" not in [c["label"] for c in checkpoints(capsys, project)]

    err = turn(capsys, project, ANYTHING_ELSE, "anything else?", "--continue")
    assert "checkpoint failed" not in err
    retried = next(c for c in checkpoints(capsys, project) if c["label"] == "make big (retried)")
    assert retried["kind"] == "auto" and retried["files_changed"] == 1
    code, out, err = cli(
        capsys, "checkpoints", "diff", retried["parent_id"], retried["id"], "-C", str(project)
    )
    assert code == 0, err
    assert "big.bin" in out
    failed_file = list((Path(os.environ["PENGUIN_HOME"]) / "shadow").glob("*.checkpoint-failed*"))
    assert failed_file == []  # the failure is made up for: nothing left to retry


def test_a_json_run_reports_the_failed_checkpoint_as_an_event(
    capsys: Captured, project: Path
) -> None:
    turn(capsys, project, HELLO, "hello")

    done = limited_turn(project, "make big", "--json")
    assert done.returncode == 0, done.stderr
    events = [json.loads(line) for line in done.stdout.splitlines()]
    (failed,) = [event for event in events if event["type"] == "checkpoint.failed"]
    assert failed["trigger"] == "turn" and failed["label"] == "make big"
    assert failed["reason"]
    assert failed["message"].startswith("checkpoint failed: ")
    assert failed["message"].endswith("will retry at the next turn")
    assert f"penguin-tui: {failed['message']}" in done.stderr.splitlines()
    assert "checkpoint.created" not in [e["type"] for e in events[events.index(failed) :]]
    # No second report of the same failure as a generic error.
    assert not [e for e in events if e["type"] == "error"]
