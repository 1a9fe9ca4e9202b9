"""A revert stopped by a real file size limit: the installed ``penguin-tui checkpoints revert``
runs in a child process with ``RLIMIT_FSIZE`` (``ulimit -f``) at 300 KiB. It leaves no
half-written copy in the project, says where it stopped, and the next start finishes it."""

from __future__ import annotations

import json
import os
from pathlib import Path

from penguin_tui.workspace.watch import RESTORE_TEMP_PREFIX
from tests.integration.size_limit import Captured, cli, limited


def test_a_revert_stopped_by_the_file_size_limit_leaves_no_copy_and_the_next_start_finishes_it(
    capsys: Captured, project: Path
) -> None:
    big = os.urandom(400 * 1024)
    (project / "big.bin").write_bytes(big)
    code, out, err = cli(capsys, "checkpoints", "create", "-C", str(project), "--label", "big")
    assert code == 0, err
    with_big = out.strip()
    (project / "big.bin").unlink()
    (project / "main.py").write_text("print('changed')\n")

    done = limited("checkpoints", "revert", with_big, "--code", "--yes", "-C", str(project))
    assert done.returncode == 1
    assert not [p for p in project.iterdir() if p.name.startswith(RESTORE_TEMP_PREFIX)]
    assert not (project / "big.bin").exists()
    (line,) = done.stderr.splitlines()
    assert "the restore stopped at big.bin (file size limit)" in line
    assert "with 0 of 2 files written" in line
    assert "the next start of penguin-tui (or the next checkpoint command) finishes" in line

    # The next start (any command that opens the project's checkpoints) finishes it.
    code, out, err = cli(capsys, "checkpoints", "list", "-C", str(project), "--json")
    assert code == 0, err
    assert [c["label"] for c in json.loads(out)][:2] == ["before revert to " + with_big[:8], "big"]
    assert (project / "big.bin").read_bytes() == big
    assert (project / "main.py").read_text() == "print('hello')\n"
    assert not [p for p in project.iterdir() if p.name.startswith(RESTORE_TEMP_PREFIX)]
