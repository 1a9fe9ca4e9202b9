"""The project's files honour .gitignore (nested, negated, info/exclude), with or without git."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from penguin_tui.config.secrets import SecretFreeEnvironment
from penguin_tui.engine.tools.base import ToolContext
from penguin_tui.workspace import PathGlob, parse_gitignore, project_files
from penguin_tui.workspace.patterns import is_ignored, translate

from .helpers import call, git, tree_bytes, write

ENVIRONMENT = SecretFreeEnvironment.of()

ROOT_GITIGNORE = """\
# comments and blank lines are skipped

*.log
!keep.log
build/
/top_only.txt
secret/**
!secret/public.txt
docs/**/draft.md
"""

EXPECTED = [
    ".gitignore",
    "a.py",
    "docs/final.md",
    "keep.log",
    "secret/public.txt",
    "sub/.gitignore",
    "sub/important.tmp",
    "sub/top_only.txt",
    "x.tmp",
]


def make_tree(root: Path) -> None:
    write(root, ".gitignore", ROOT_GITIGNORE)
    for name in [
        "a.py",
        "debug.log",
        "keep.log",
        "build/out.o",
        "sub/build/nested.o",
        "top_only.txt",
        "sub/top_only.txt",
        "x.tmp",
        "sub/x.tmp",
        "sub/deep/y.tmp",
        "sub/important.tmp",
        "secret/hidden.txt",
        "secret/public.txt",
        "docs/draft.md",
        "docs/a/b/draft.md",
        "docs/final.md",
        "excluded.txt",
    ]:
        write(root, name, f"{name}\n")
    write(root, "sub/.gitignore", "*.tmp\n!important.tmp\n")


@pytest.fixture(params=["git", "plain"])
def tree(request: pytest.FixtureRequest, root: Path) -> Path:
    """The same tree as a real git work tree and as a plain folder with a bare .git/info."""
    if request.param == "git":
        git(root, "init", "-q")
    else:
        (root / ".git" / "info").mkdir(parents=True)
    (root / ".git" / "info" / "exclude").write_text("excluded.txt\n")
    make_tree(root)
    return root


def test_ignored_files_are_left_out(tree: Path) -> None:
    assert project_files(tree, ENVIRONMENT) == EXPECTED


async def test_list_files_and_search_honour_gitignore(tree: Path) -> None:
    ctx = ToolContext.for_project(tree)
    listing = await call("list_files", {}, ctx)
    assert listing.output.splitlines()[1:] == EXPECTED
    found = await call("search", {"pattern": r"^\w[\w/]*\.(log|o|txt|md)$"}, ctx)
    paths = sorted({line.split(":", 1)[0] for line in found.output.splitlines() if line})
    assert paths == ["docs/final.md", "keep.log", "secret/public.txt", "sub/top_only.txt"]


def test_git_lists_tracked_files_even_when_ignored_like_git_does(root: Path) -> None:
    git(root, "init", "-q")
    write(root, "vendor.log", "tracked on purpose\n")
    git(root, "add", "vendor.log")
    git(root, "commit", "-q", "-m", "vendor")
    write(root, ".gitignore", "*.log\n")
    write(root, "new.log", "ignored\n")
    assert project_files(root, ENVIRONMENT) == [".gitignore", "vendor.log"]


def test_deleted_but_staged_files_are_not_listed(root: Path) -> None:
    git(root, "init", "-q")
    write(root, "gone.py", "x\n")
    write(root, "kept.py", "x\n")
    git(root, "add", ".")
    (root / "gone.py").unlink()
    assert project_files(root, ENVIRONMENT) == ["kept.py"]


def test_a_subfolder_of_a_work_tree_lists_its_own_files(root: Path) -> None:
    git(root, "init", "-q")
    write(root, ".gitignore", "*.log\n")
    write(root, "pkg/mod.py", "x\n")
    write(root, "pkg/run.log", "x\n")
    write(root, "other.py", "x\n")
    assert project_files(root / "pkg", ENVIRONMENT) == ["mod.py"]


async def test_listing_and_searching_leave_the_users_git_byte_identical(root: Path) -> None:
    git(root, "init", "-q")
    make_tree(root)
    git(root, "add", "a.py", "docs")
    git(root, "commit", "-q", "-m", "first")
    write(root, "a.py", "changed but not staged\n")
    before = tree_bytes(root / ".git")
    ctx = ToolContext.for_project(root)
    for _ in range(2):
        assert (await call("list_files", {}, ctx)).status == "ok"
        assert (await call("search", {"pattern": "a"}, ctx)).status == "ok"
        project_files(root, ENVIRONMENT)
    assert tree_bytes(root / ".git") == before


def test_the_git_folder_is_never_listed_even_without_git(root: Path) -> None:
    write(root, ".git/config", "[core]\n")
    write(root, "pkg/.git", "gitdir: elsewhere\n")
    write(root, "pkg/mod.py")
    assert project_files(root, ENVIRONMENT) == ["pkg/mod.py"]


@pytest.mark.parametrize(
    ("pattern", "path", "is_dir", "ignored"),
    [
        ("*.py", "a/b/c.py", False, True),
        ("*.py", "a/b/c.pyc", False, False),
        ("/root.txt", "root.txt", False, True),
        ("/root.txt", "sub/root.txt", False, False),
        ("a/b", "a/b", False, True),
        ("a/b", "x/a/b", False, False),
        ("build/", "build", True, True),
        ("build/", "build", False, False),
        ("**/cache", "x/y/cache", True, True),
        ("**/cache", "cache", True, True),
        ("a/**/z", "a/z", False, True),
        ("a/**/z", "a/b/c/z", False, True),
        ("a/**", "a/b/c", False, True),
        ("file?.txt", "file1.txt", False, True),
        ("file[0-9].txt", "filex.txt", False, False),
        ("file[!0-9].txt", "filex.txt", False, True),
        ("\\#hash", "#hash", False, True),
        ("\\!bang", "!bang", False, True),
        ("a*b", "a/b", False, False),
    ],
)
def test_gitignore_patterns(pattern: str, path: str, is_dir: bool, ignored: bool) -> None:
    assert is_ignored(path, is_dir, parse_gitignore(pattern)) is ignored


def test_later_rules_win_and_nested_rules_only_apply_below_their_folder() -> None:
    rules = parse_gitignore("*.txt\n!keep.txt\n") + parse_gitignore("keep.txt\n", base="sub")
    assert is_ignored("a.txt", False, rules)
    assert not is_ignored("keep.txt", False, rules)
    assert is_ignored("sub/keep.txt", False, rules)
    assert not is_ignored("other/keep.txt", False, rules)


def test_translate_star_does_not_cross_folders() -> None:
    assert re.fullmatch(translate("src/*.py"), "src/a.py")
    assert not re.fullmatch(translate("src/*.py"), "src/x/a.py")


@pytest.mark.parametrize(
    ("glob", "path", "matches"),
    [
        ("*.py", "deep/down/a.py", True),
        ("src/*.py", "src/a.py", True),
        ("src/**/*.py", "src/x/y/a.py", True),
        ("src/**/*.py", "lib/a.py", False),
        ("*.{ts,tsx}", "web/app.tsx", True),
        ("*.{ts,tsx}", "web/app.js", False),
    ],
)
def test_search_globs(glob: str, path: str, matches: bool) -> None:
    assert PathGlob.parse(glob).matches(path) is matches
