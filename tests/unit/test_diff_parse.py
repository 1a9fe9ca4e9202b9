"""parse_unified reads what real git prints (and the tools' own diffs) into files, hunks, lines."""

from __future__ import annotations

import json
import os
import subprocess
import time
from pathlib import Path

import pytest

from penguin_tui.engine.tools.textfiles import unified_diff
from penguin_tui.unified_diff import FileDiff, FileStatus, parse_unified, totals

DIFF_FLAGS = ("-M", "--no-color", "--no-ext-diff")


def git(repo: Path, *args: str) -> str:
    """The real git CLI on ``repo`` only, ignoring the user's and the system's config."""
    env = {**os.environ, "GIT_CONFIG_GLOBAL": os.devnull, "GIT_CONFIG_NOSYSTEM": "1"}
    completed = subprocess.run(
        [
            "git",
            "-c",
            "user.name=Penguin Test",
            "-c",
            "user.email=test@example.invalid",
            "-c",
            "core.quotePath=false",
            "-C",
            str(repo),
            *args,
        ],
        capture_output=True,
        check=False,
        timeout=30,
        env=env,
    )
    if completed.returncode not in (0, 1):  # diff --no-index exits 1 when files differ
        raise AssertionError(completed.stderr.decode())
    return completed.stdout.decode("utf-8")


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    path = tmp_path / "repo"
    path.mkdir()
    git(path, "init", "-q")
    return path


def write(repo: Path, name: str, text: str) -> None:
    (repo / name).parent.mkdir(parents=True, exist_ok=True)
    (repo / name).write_text(text, encoding="utf-8")


def commit(repo: Path) -> None:
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "snapshot")


def staged(repo: Path, *extra: str) -> list[FileDiff]:
    """Stage everything and parse ``git diff --cached`` the way the checkpoints run it."""
    git(repo, "add", "-A")
    return parse_unified(git(repo, "diff", "--cached", *DIFF_FLAGS, *extra))


NUMBERS = "".join(f"line {n}\n" for n in range(1, 31))


def test_a_modified_file_has_its_hunks_with_line_numbers(repo: Path) -> None:
    write(repo, "numbers.txt", NUMBERS)
    commit(repo)
    write(repo, "numbers.txt", NUMBERS.replace("line 3\n", "line three\n").replace("line 25\n", ""))

    [diff] = staged(repo)

    assert (diff.path, diff.old_path, diff.status) == ("numbers.txt", None, FileStatus.MODIFIED)
    assert (diff.added, diff.removed, diff.binary) == (1, 2, False)
    first, second = diff.hunks
    assert (first.old_start, first.old_count, first.new_start, first.new_count) == (1, 6, 1, 6)
    assert first.header == "@@ -1,6 +1,6 @@"
    kinds = [(line.kind, line.text, line.old_no, line.new_no) for line in first.lines]
    assert kinds[:4] == [
        (" ", "line 1", 1, 1),
        (" ", "line 2", 2, 2),
        ("-", "line 3", 3, None),
        ("+", "line three", None, 3),
    ]
    assert kinds[4] == (" ", "line 4", 4, 4)
    assert second.header.startswith("@@ -22,7 +22,6 @@")
    removed = [line for line in second.lines if line.kind == "-"]
    assert [(line.text, line.old_no) for line in removed] == [("line 25", 25)]
    assert second.lines[-1].old_no == 28 and second.lines[-1].new_no == 27


def test_added_and_deleted_files(repo: Path) -> None:
    write(repo, "old.txt", "bye\n")
    commit(repo)
    (repo / "old.txt").unlink()
    write(repo, "new.txt", "hello\nworld\n")

    files = {diff.path: diff for diff in staged(repo)}

    added, deleted = files["new.txt"], files["old.txt"]
    assert (added.status, added.added, added.removed, added.new_mode) == (
        FileStatus.ADDED,
        2,
        0,
        "100644",
    )
    assert added.hunks[0].header == "@@ -0,0 +1,2 @@"
    assert [line.new_no for line in added.hunks[0].lines] == [1, 2]
    assert (deleted.status, deleted.added, deleted.removed, deleted.old_mode) == (
        FileStatus.DELETED,
        0,
        1,
        "100644",
    )
    assert deleted.hunks[0].lines[0].old_no == 1


def test_a_pure_rename_has_no_hunks(repo: Path) -> None:
    write(repo, "before.py", NUMBERS)
    commit(repo)
    git(repo, "mv", "before.py", "after.py")

    [diff] = staged(repo)

    assert (diff.status, diff.path, diff.old_path) == (FileStatus.RENAMED, "after.py", "before.py")
    assert (diff.similarity, diff.hunks, diff.added, diff.removed) == (100, (), 0, 0)


def test_a_rename_with_edits_keeps_both_paths_and_its_hunk(repo: Path) -> None:
    write(repo, "before.py", NUMBERS)
    commit(repo)
    git(repo, "mv", "before.py", "after.py")
    write(repo, "after.py", NUMBERS.replace("line 30\n", "line thirty\n"))

    [diff] = staged(repo)

    assert (diff.status, diff.path, diff.old_path) == (FileStatus.RENAMED, "after.py", "before.py")
    assert diff.similarity is not None and 80 <= diff.similarity < 100
    assert (diff.added, diff.removed, len(diff.hunks)) == (1, 1, 1)


def test_a_copy_is_reported_as_copied(repo: Path) -> None:
    write(repo, "template.txt", NUMBERS)
    commit(repo)
    write(repo, "copy.txt", NUMBERS)

    [diff] = staged(repo, "-C", "--find-copies-harder")

    assert (diff.status, diff.path, diff.old_path) == (
        FileStatus.COPIED,
        "copy.txt",
        "template.txt",
    )
    assert diff.similarity == 100


def test_binary_files_added_and_modified(repo: Path) -> None:
    (repo / "logo.png").write_bytes(b"\x89PNG\x00\x01")
    commit(repo)
    (repo / "logo.png").write_bytes(b"\x89PNG\x00\x02\x03")
    (repo / "icon.bin").write_bytes(b"\x00\xff\x00")

    for extra in ((), ("--binary",)):  # "Binary files … differ" and "GIT binary patch"
        files = {diff.path: diff for diff in staged(repo, *extra)}
        assert set(files) == {"logo.png", "icon.bin"}
        assert files["logo.png"].binary and files["logo.png"].status is FileStatus.MODIFIED
        assert files["icon.bin"].binary and files["icon.bin"].status is FileStatus.ADDED
        assert all(not diff.hunks for diff in files.values())


def test_a_mode_change_alone_is_a_modification_without_hunks(repo: Path) -> None:
    write(repo, "run.sh", "echo hi\n")
    commit(repo)
    (repo / "run.sh").chmod(0o755)

    [diff] = staged(repo)

    assert (diff.status, diff.old_mode, diff.new_mode) == (FileStatus.MODIFIED, "100644", "100755")
    assert diff.hunks == ()


def test_a_new_symlink_is_an_added_file_with_mode_120000(repo: Path) -> None:
    write(repo, "target.txt", "x\n")
    commit(repo)
    (repo / "link").symlink_to("target.txt")

    [diff] = staged(repo)

    assert (diff.path, diff.status, diff.new_mode) == ("link", FileStatus.ADDED, "120000")
    line, marker = diff.hunks[0].lines
    assert (line.kind, line.text) == ("+", "target.txt")
    assert (marker.kind, marker.text) == ("\\", "No newline at end of file")


@pytest.mark.parametrize(
    "name",
    ["with space.py", "two  spaces b/x.txt", "ünïcødé 文件.txt", 'tab\there "quoted"\\.txt'],
    ids=["space", "prefix-like", "unicode", "tab-quote-backslash"],
)
def test_awkward_names_come_back_exactly(repo: Path, name: str) -> None:
    write(repo, name, "one\n")
    commit(repo)
    write(repo, name, "one\ntwo\n")
    write(repo, "new " + name, "fresh\n")

    files = {diff.path: diff for diff in staged(repo)}

    assert set(files) == {name, "new " + name}
    assert files[name].status is FileStatus.MODIFIED and files[name].added == 1
    assert files["new " + name].status is FileStatus.ADDED


def test_a_mode_change_on_a_name_with_spaces_splits_the_header(repo: Path) -> None:
    # No ---/+++ lines here: the path comes from "diff --git a/x y b/x y" alone.
    write(repo, "my script.sh", "echo\n")
    commit(repo)
    (repo / "my script.sh").chmod(0o755)

    [diff] = staged(repo)

    assert diff.path == "my script.sh"


def test_renamed_awkward_names(repo: Path) -> None:
    write(repo, "a b.txt", NUMBERS)
    commit(repo)
    git(repo, "mv", "a b.txt", 'c\t"d".txt')

    [diff] = staged(repo)

    assert (diff.status, diff.old_path, diff.path) == (FileStatus.RENAMED, "a b.txt", 'c\t"d".txt')


def test_no_newline_at_end_of_file_on_both_sides(repo: Path) -> None:
    write(repo, "end.txt", "a\nb")
    commit(repo)
    write(repo, "end.txt", "a\nc")

    [diff] = staged(repo)

    kinds = [(line.kind, line.text) for line in diff.hunks[0].lines]
    assert kinds == [
        (" ", "a"),
        ("-", "b"),
        ("\\", "No newline at end of file"),
        ("+", "c"),
        ("\\", "No newline at end of file"),
    ]
    assert (diff.added, diff.removed) == (1, 1)


def test_removed_lines_that_look_like_headers_stay_lines(repo: Path) -> None:
    write(repo, "notes.md", "-- a\n++ b\nkeep\n")
    commit(repo)
    write(repo, "notes.md", "keep\n")

    [diff] = staged(repo)

    assert [(line.kind, line.text) for line in diff.hunks[0].lines] == [
        ("-", "-- a"),
        ("-", "++ b"),
        (" ", "keep"),
    ]
    assert diff.removed == 2


def test_diff_no_index_between_two_files(tmp_path: Path) -> None:
    (tmp_path / "left.txt").write_text("same\nold\n", encoding="utf-8")
    (tmp_path / "right.txt").write_text("same\nnew\n", encoding="utf-8")

    [diff] = parse_unified(
        git(tmp_path, "diff", "--no-index", *DIFF_FLAGS, "left.txt", "right.txt")
    )

    assert diff.path == "right.txt"
    assert (diff.added, diff.removed) == (1, 1)


def test_the_tools_own_diffs_parse_too() -> None:
    created = parse_unified(unified_diff(None, "print('hi')\nprint('bye')", "src/app.py"))
    edited = parse_unified(unified_diff("a\nb\nc\n", "a\nB\nc\n", "notes/todo list.txt"))

    [new] = created
    assert (new.path, new.status, new.added, new.removed) == ("src/app.py", FileStatus.ADDED, 2, 0)
    assert new.hunks[0].lines[-1].kind == "\\"
    [changed] = edited
    assert (changed.path, changed.status) == ("notes/todo list.txt", FileStatus.MODIFIED)
    assert [(line.kind, line.text) for line in changed.hunks[0].lines] == [
        (" ", "a"),
        ("-", "b"),
        ("+", "B"),
        (" ", "c"),
    ]


def test_several_plain_diffs_in_a_row_are_separate_files() -> None:
    text = unified_diff("x\n", "y\n", "one.txt") + unified_diff("p\n", "q\n", "two.txt")

    assert [diff.path for diff in parse_unified(text)] == ["one.txt", "two.txt"]


def test_nothing_to_parse() -> None:
    assert parse_unified("") == []
    assert parse_unified("commit 123\nAuthor: someone\n\n    message\n") == []


def test_to_json_is_plain_json(repo: Path) -> None:
    write(repo, "a.txt", "one\n")
    commit(repo)
    write(repo, "a.txt", "two\n")

    [diff] = staged(repo)
    data = json.loads(json.dumps(diff.to_json()))

    assert data == {
        "path": "a.txt",
        "old_path": None,
        "status": "modified",
        "binary": False,
        "added": 1,
        "removed": 1,
        "old_mode": None,
        "new_mode": None,
        "similarity": None,
        "hunks": [
            {
                "header": "@@ -1 +1 @@",
                "old_start": 1,
                "old_count": 1,
                "new_start": 1,
                "new_count": 1,
                "lines": [
                    {"kind": "-", "text": "one", "old": 1, "new": None},
                    {"kind": "+", "text": "two", "old": None, "new": 1},
                ],
            }
        ],
    }


def test_totals_count_files_and_lines() -> None:
    files = parse_unified(unified_diff("a\nb\n", "a\nc\nd\n", "x") + unified_diff(None, "z\n", "y"))

    assert totals(files) == (2, 3, 1)
    assert totals([]) == (0, 0, 0)


def big_diff(hunks: int, per_hunk: int = 20) -> str:
    parts = []
    for number in range(hunks):
        if number % 50 == 0:
            name = f"src/module_{number // 50}.py"
            parts.append(f"diff --git a/{name} b/{name}\n--- a/{name}\n+++ b/{name}\n")
        start = (number % 50) * 40 + 1
        parts.append(f"@@ -{start},{per_hunk - 2} +{start},{per_hunk - 2} @@ def f():\n")
        parts += [f"     value = compute({k})\n" for k in range(per_hunk - 4)]
        parts += ["-    old = 1\n", "-    older = 2\n", "+    new = 1\n", "+    newer = 2\n"]
    return "".join(parts)


def test_a_thousand_hunks_parse_in_well_under_50_ms() -> None:
    text = big_diff(1000)
    assert text.count("\n") > 20_000
    best = float("inf")
    for _ in range(3):
        started = time.perf_counter()
        files = parse_unified(text)
        best = min(best, time.perf_counter() - started)

    assert sum(len(diff.hunks) for diff in files) == 1000
    assert totals(files) == (20, 2000, 2000)
    assert best < 0.05, f"parsing took {best * 1000:.1f} ms"
