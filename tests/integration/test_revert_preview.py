"""`checkpoints revert` without `--yes`: the preview says which files the revert deletes and
marks the ones that only its own safety checkpoint will hold (created or changed since the
last checkpoint); undo brings them back."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from penguin_tui.cli.main import main

Captured = pytest.CaptureFixture[str]

KEPT = "kept in the safety checkpoint; undo brings it back"


def cli(capsys: Captured, project: Path, *args: str) -> tuple[int, str, str]:
    code = main([*args, "-C", str(project)])
    out, err = capsys.readouterr()
    return code, out, err


def checkpoint(capsys: Captured, project: Path, label: str) -> str:
    code, out, err = cli(capsys, project, "checkpoints", "create", "--label", label)
    assert code == 0, err
    return out.strip()


def made_by_hand_after_a_checkpoint(capsys: Captured, project: Path) -> str:
    """base: main.py; then seen.txt, checkpointed; then, by hand, neverseen.txt and an edit
    of main.py that no checkpoint holds. Returns base's id."""
    base = checkpoint(capsys, project, "base")
    (project / "seen.txt").write_text("checkpointed\n")
    checkpoint(capsys, project, "seen")
    (project / "neverseen.txt").write_text("made by hand\n")
    (project / "main.py").write_text("print('edited by hand')\n")
    return base


def test_the_preview_marks_files_created_or_changed_since_the_last_checkpoint(
    capsys: Captured, project: Path
) -> None:
    base = made_by_hand_after_a_checkpoint(capsys, project)

    code, out, err = cli(capsys, project, "checkpoints", "revert", base, "--code")
    assert code == 2, err  # stdin is not a terminal: preview only
    assert "3 files change:" in out
    rows = {line.split()[0]: line for line in out.splitlines() if line.startswith("  ")}
    assert rows["neverseen.txt"].endswith(f"deleted — created since the last checkpoint; {KEPT}")
    assert rows["main.py"].endswith(f"changed since the last checkpoint; {KEPT}")
    assert rows["seen.txt"].endswith("+0 -1  deleted")  # its checkpoint holds it
    assert (project / "neverseen.txt").exists()  # a preview changes nothing

    code, out, err = cli(capsys, project, "checkpoints", "revert", base, "--code", "--json")
    assert code == 2, err
    files: dict[str, dict[str, Any]] = {
        entry["path"]: entry for entry in json.loads(out)["preview"]["files"]
    }
    assert files["neverseen.txt"]["deleted"] and files["neverseen.txt"]["only_in_safety"]
    assert not files["main.py"]["deleted"] and files["main.py"]["only_in_safety"]
    assert files["seen.txt"]["deleted"] and not files["seen.txt"]["only_in_safety"]


def test_the_revert_deletes_a_file_made_since_and_undo_brings_it_back(
    capsys: Captured, project: Path
) -> None:
    base = made_by_hand_after_a_checkpoint(capsys, project)

    code, out, err = cli(capsys, project, "checkpoints", "revert", base, "--code", "--yes")
    assert code == 0, err
    assert "deleted  neverseen.txt" in out
    assert not (project / "neverseen.txt").exists()
    assert (project / "main.py").read_text() == "print('hello')\n"

    code, out, err = cli(capsys, project, "checkpoints", "undo")
    assert code == 0, err
    assert (project / "neverseen.txt").read_text() == "made by hand\n"
    assert (project / "main.py").read_text() == "print('edited by hand')\n"


def test_one_file_and_one_message_are_counted_in_the_singular(
    capsys: Captured, project: Path
) -> None:
    base = checkpoint(capsys, project, "base")
    (project / "main.py").write_text("print('two')\n")
    code, out, err = cli(capsys, project, "checkpoints", "revert", base, "--code")
    assert code == 2, err
    assert "1 file changes:" in out
