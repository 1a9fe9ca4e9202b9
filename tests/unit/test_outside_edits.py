"""Which files count as "changed outside": the ones that differ from the checkpoint, as a
snapshot would see them (real files, a real shadow repository)."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from penguin_tui.checkpoints.outside_edits import edited_files
from penguin_tui.checkpoints.shadow import ShadowRepo

CAP = 1000


@pytest.fixture
def shadow(tmp_path: Path) -> Iterator[ShadowRepo]:
    project = tmp_path / "project"
    project.mkdir()
    repo = ShadowRepo(tmp_path / "shadow.git", project, max_file_bytes=CAP)
    repo.open()
    yield repo
    repo.close()


def test_only_files_that_differ_from_the_checkpoint_count(shadow: ShadowRepo) -> None:
    root = shadow.work_tree
    (root / ".gitignore").write_text("build/\n")
    (root / "same.py").write_text("same\n")
    (root / "edited.py").write_text("before\n")
    (root / "tool.sh").write_text("echo hi\n")
    (root / "gone").mkdir()
    (root / "gone" / "a.txt").write_text("a\n")
    (root / "gone" / "b.txt").write_text("b\n")
    tree = shadow.snapshot().tree

    (root / "same.py").write_text("same\n")  # written again, same bytes
    (root / "edited.py").write_text("after\n")
    os.chmod(root / "tool.sh", 0o755)
    for name in ("a.txt", "b.txt"):
        (root / "gone" / name).unlink()
    (root / "gone").rmdir()
    (root / "build").mkdir()
    (root / "build" / "out.o").write_text("ignored\n")
    (root / "big.bin").write_bytes(b"x" * (CAP + 1))  # a snapshot would leave it out
    (root / "new").mkdir()
    (root / "new" / "module.py").write_text("new\n")
    (root / ".penguin-restore-0123456789ab").unlink(missing_ok=True)  # already renamed

    reported = {
        "same.py",
        "edited.py",
        "tool.sh",
        "gone",
        "build",
        "build/out.o",
        "big.bin",
        "new",
        ".penguin-restore-0123456789ab",
    }
    assert edited_files(shadow, tree, reported) == {
        "edited.py",
        "tool.sh",
        "gone/a.txt",
        "gone/b.txt",
        "new/module.py",
    }
