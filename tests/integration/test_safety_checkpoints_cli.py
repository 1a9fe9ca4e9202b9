"""Undo and redo save the current state first, but never as a copy of the position: when
the files and the conversation are exactly the position's, that checkpoint already holds
them, and a new safety checkpoint would only be an empty row in every listing."""

from __future__ import annotations

from pathlib import Path

from tests.integration.test_checkpoints_cli import (
    Captured,
    as_json,
    checkpoint,
    in_project,
    listed,
    ok,
    read,
    write,
)


def test_undo_and_redo_add_no_empty_safety_checkpoint(capsys: Captured, project: Path) -> None:
    first = checkpoint(capsys, project, "first")
    write(project, "main.py", "print('second')\n")
    checkpoint(capsys, project, "second")
    ok(capsys, *in_project(project, "checkpoints", "revert", first, "--code", "--yes"))
    rows = listed(capsys, project)
    assert [row["label"] for row in rows] == ["before revert to " + first[:8], "second", "first"]

    undone = as_json(capsys, project, "checkpoints", "undo")
    assert undone["safety_id"] is None
    assert read(project, "main.py") == "print('second')\n"
    redone = as_json(capsys, project, "checkpoints", "redo")
    assert redone["safety_id"] is None
    assert read(project, "main.py") == "print('hello')\n"
    ok(capsys, *in_project(project, "checkpoints", "undo"))
    ok(capsys, *in_project(project, "checkpoints", "redo"))

    # Four undos and redos later: not one row more, and no empty one.
    after = listed(capsys, project)
    assert [row["id"] for row in after] == [row["id"] for row in rows]
    assert next(row["id"] for row in after if row["current"]) == first


def test_an_undo_after_an_edit_still_saves_the_edit_first(capsys: Captured, project: Path) -> None:
    first = checkpoint(capsys, project, "first")
    write(project, "main.py", "print('second')\n")
    checkpoint(capsys, project, "second")
    ok(capsys, *in_project(project, "checkpoints", "revert", first, "--code", "--yes"))
    write(project, "main.py", "print('edited by hand')\n")

    undone = as_json(capsys, project, "checkpoints", "undo")
    assert undone["safety_id"] is not None
    safety = listed(capsys, project)[0]
    assert safety["id"] == undone["safety_id"]
    assert safety["label"] == "before undoing the revert" and safety["files_changed"] == 1
