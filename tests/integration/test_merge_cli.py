"""`penguin-tui branches merge` on a real project: a dry run shows the merge and changes
nothing, a merge that would change nothing records nothing, a merge that cannot be done fails
before its safety checkpoint, and a pick's safety checkpoint says it was a pick."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

from tests.integration.test_checkpoints_cli import (
    Captured,
    checkpoint,
    cli,
    in_project,
    listed,
    ok,
    read,
    two_branches,
    write,
)


def fingerprint(project: Path) -> dict[str, str]:
    """Every file of the project, by content."""
    return {
        str(path): hashlib.sha256(path.read_bytes()).hexdigest()
        for path in sorted(project.rglob("*"))
        if path.is_file()
    }


def test_dry_run_shows_the_files_that_would_change_and_changes_nothing(
    capsys: Captured, project: Path
) -> None:
    write(project, "main.py", "a = 1\nb = 2\nc = 3\nd = 4\ne = 5\n")
    two_branches(
        capsys,
        project,
        ours="a = 'ours'\nb = 2\nc = 3\nd = 4\ne = 5\n",
        theirs="a = 1\nb = 2\nc = 3\nd = 4\ne = 'theirs'\n",
    )
    rows_before = listed(capsys, project)
    before = fingerprint(project)

    out = ok(capsys, *in_project(project, "branches", "merge", "idea", "--dry-run"))
    assert out.splitlines() == [
        "Merge idea into main (dry run: nothing is changed)",
        "2 files would change:",
        "  main.py  +1 -1",
        "  util.py  +2 -0",
    ]
    assert fingerprint(project) == before
    assert listed(capsys, project) == rows_before  # no checkpoint, the position unmoved
    assert ok(capsys, *in_project(project, "branches", "list")).startswith("* main")

    # The merge itself then does what the dry run said.
    ok(capsys, *in_project(project, "branches", "merge", "idea"))
    assert read(project, "main.py") == "a = 'ours'\nb = 2\nc = 3\nd = 4\ne = 'theirs'\n"


def test_dry_run_foresees_a_conflict_exits_1_and_writes_no_marker(
    capsys: Captured, project: Path
) -> None:
    two_branches(capsys, project, ours="print('ours')\n", theirs="print('theirs')\n")
    before = fingerprint(project)
    code, out, err = cli(capsys, *in_project(project, "branches", "merge", "idea", "--dry-run"))
    assert code == 1
    assert "1 conflict foreseen" in out and "  main.py\n" in out.split("foreseen")[1]
    assert err.strip() == ("penguin-tui: 1 conflicted file foreseen (main.py); nothing changed")
    assert read(project, "main.py") == "print('ours')\n"
    assert fingerprint(project) == before

    code, out, _ = cli(
        capsys, *in_project(project, "branches", "merge", "idea", "--dry-run", "--json")
    )
    preview = json.loads(out)["preview"]
    assert preview["source"] == "idea" and preview["branch"] == "main"
    assert preview["conflicts"] == ["main.py"]
    assert {change["path"] for change in preview["changes"]} == {"main.py", "util.py"}
    assert preview["files"] == []
    assert fingerprint(project) == before


def test_dry_run_of_a_pick_shows_only_the_picked_files(capsys: Captured, project: Path) -> None:
    two_branches(capsys, project, ours="print('ours')\n", theirs="print('theirs')\n")
    out = ok(
        capsys,
        *in_project(project, "branches", "merge", "idea", "--files", "util.py", "--dry-run"),
    )
    assert out.splitlines() == [
        "Merge util.py from idea into main (dry run: nothing is changed)",
        "1 file would change:",
        "  util.py  +2 -0",
    ]
    assert not (project / "util.py").exists()


def test_a_merge_that_changes_nothing_says_so_and_adds_no_checkpoint(
    capsys: Captured, project: Path
) -> None:
    two_branches(capsys, project, ours="print('ours')\n", theirs="print('ours')\n")
    ok(capsys, *in_project(project, "branches", "merge", "idea", "--files", "util.py"))
    rows_before = listed(capsys, project)

    # main now has everything idea brought: merging it again changes nothing.
    out = ok(capsys, *in_project(project, "branches", "merge", "idea"))
    assert out.startswith("nothing to merge: main already has every change of idea")
    assert listed(capsys, project) == rows_before

    code, out, _ = cli(capsys, *in_project(project, "branches", "merge", "idea", "--json"))
    assert code == 0
    result = json.loads(out)
    assert result["changed"] is False and result["safety_id"] is None
    assert result["written"] == [] and result["conflicts"] == []
    assert listed(capsys, project) == rows_before

    out = ok(capsys, *in_project(project, "branches", "merge", "idea", "--dry-run"))
    assert out.splitlines()[1] == "no file would change"


def test_a_merge_with_a_bad_file_fails_before_any_safety_checkpoint(
    capsys: Captured, project: Path
) -> None:
    two_branches(capsys, project, ours="print('ours')\n", theirs="print('theirs')\n")
    rows_before = listed(capsys, project)
    position = next(row["id"] for row in rows_before if row["current"])

    code, _, err = cli(
        capsys, *in_project(project, "branches", "merge", "idea", "--files", "nothere.py")
    )
    assert code == 1 and "nothere.py does not differ" in err
    rows = listed(capsys, project)
    assert rows == rows_before  # no safety checkpoint, and the position did not move
    assert next(row["id"] for row in rows if row["current"]) == position


def test_a_picks_safety_checkpoint_says_it_was_a_pick(capsys: Captured, project: Path) -> None:
    two_branches(capsys, project, ours="print('ours')\n", theirs="print('theirs')\n")
    ok(capsys, *in_project(project, "branches", "merge", "idea", "--files", "util.py"))
    labels = [row["label"] for row in listed(capsys, project)]
    assert labels[:2] == ["files from idea", "before picking files from idea"]
    assert not any("before merging" in label for label in labels)


def test_a_merged_checkpoints_label_counts_one_conflict_in_the_singular(
    capsys: Captured, project: Path
) -> None:
    two_branches(capsys, project, ours="print('ours')\n", theirs="print('theirs')\n")
    code, _, _ = cli(capsys, *in_project(project, "branches", "merge", "idea"))
    assert code == 1
    assert listed(capsys, project)[0]["label"] == "merged idea (1 conflict to resolve)"


def test_a_merge_right_after_a_checkpoint_takes_no_empty_safety_checkpoint(
    capsys: Captured, project: Path
) -> None:
    """The files and the conversation are exactly the position's: undo comes back to the
    position itself, so the merge adds one row, not an empty safety row before it."""
    two_branches(capsys, project, ours="print('ours')\n", theirs="print('ours')\n")
    position = checkpoint(capsys, project, "ours")
    ok(capsys, *in_project(project, "branches", "merge", "idea", "--files", "util.py"))
    rows = listed(capsys, project)
    assert rows[0]["label"] == "files from idea" and rows[0]["parent_id"] == position
    assert rows[1]["id"] == position

    ok(capsys, *in_project(project, "checkpoints", "undo"))
    assert not (project / "util.py").exists()
    assert next(row["id"] for row in listed(capsys, project) if row["current"]) == position
