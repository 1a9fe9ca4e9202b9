"""What a command reaches beyond the words it is given: recursive walks that follow symlinks.

``ls -RL .`` names only ``.``, yet lists whatever the project's symlinks point at; a link to
``/etc`` or to ``.git`` takes it there. The walk here looks at every symlink under the folders
such a command starts from, without following any, and reports the first that leads out.
Also here: a recursive search (``grep -r``) that would read a ``.git`` folder's files.
"""

from __future__ import annotations

import os
from collections.abc import Iterator, Sequence
from pathlib import Path

from penguin_tui.engine.permissions.paths import ProjectPaths
from penguin_tui.engine.permissions.wrappers import command_name, names

# Entries looked at before a walk gives up and the command is asked instead.
WALK_LIMIT = 20_000

# Per command: the options that make it recursive and those that make it follow symlinks
# (``None``: always). Short options are letters in a cluster, long ones whole words.
_FOLLOWERS: dict[str, tuple[str | None, frozenset[str], str | None, frozenset[str]]] = {
    "ls": ("R", names("--recursive"), "L", names("--dereference")),
    "grep": (None, frozenset(), "R", names("--dereference-recursive")),
    "egrep": (None, frozenset(), "R", names("--dereference-recursive")),
    "fgrep": (None, frozenset(), "R", names("--dereference-recursive")),
    "rg": (None, frozenset(), "L", names("--follow")),
    "du": (None, frozenset(), "L", names("--dereference")),
    "tree": (None, frozenset(), "l", frozenset()),
    "cp": ("rRa", names("--recursive --archive"), "L", names("--dereference")),
    "chmod": ("R", names("--recursive"), "L", frozenset()),
    "chown": ("R", names("--recursive"), "L", frozenset()),
    "chgrp": ("R", names("--recursive"), "L", frozenset()),
    "rsync": (
        "ra",
        names("--recursive --archive"),
        "Lk",
        names("--copy-links --copy-dirlinks --copy-unsafe-links"),
    ),
    "tar": (None, frozenset(), "h", names("--dereference")),
    "diff": ("r", names("--recursive"), None, frozenset()),
    "scp": ("r", frozenset(), None, frozenset()),
}


def _has(argv: Sequence[str], letters: str | None, long: frozenset[str]) -> bool:
    if letters is None:
        return True
    for word in argv[1:]:
        if word == "--":
            return False
        if word in long:
            return True
        short = word.startswith("-") and not word.startswith("--")
        if short and any(letter in word[1:] for letter in letters):
            return True
    return False


def follows_links_recursively(argv: Sequence[str]) -> bool:
    """``ls -RL``, ``find -L``/``-follow``, ``grep -R``, ``rg -L``, ``du -L``, ``tree -l``…"""
    name = command_name(argv[0])
    if name == "find":
        return "-L" in argv[1:] or "-follow" in argv[1:]
    if name == "tar" and len(argv) > 1 and not argv[1].startswith("-") and "h" in argv[1]:
        return True  # tar chf out.tar dir: the first word's letters are its options
    if name == "zip":  # zip -r follows symlinks unless told -y
        return _has(argv, "r", names("--recurse-paths")) and not _has(
            argv, "y", names("--symlinks")
        )
    spec = _FOLLOWERS.get(name)
    if spec is None:
        return False
    recursive, recursive_long, follow, follow_long = spec
    return _has(argv, recursive, recursive_long) and _has(argv, follow, follow_long)


def links_out_of_reach(paths: ProjectPaths, start: Path) -> str | None:
    """A reason naming the first symlink under ``start`` that leads outside, or None.

    A link to a folder inside the project is followed too (the command will follow it), so a
    link to a parent folder cannot lead the walk around a link that points outside.
    """
    for link in _symlinks(paths, start):
        if link is None:
            return f"follows symlinks under {start}, which holds too many files to check"
        checked = paths.check(link.as_posix())
        if checked.concern is not None:
            shown = link.relative_to(start).as_posix() if link.is_relative_to(start) else link
            target = checked.resolved.as_posix() if checked.resolved is not None else "?"
            return f"follows the symlink {shown} to {target}, which {checked.concern}"
    return None


def _symlinks(paths: ProjectPaths, root: Path) -> Iterator[Path | None]:
    """Every symlink reachable from ``root``; a None once the walk is too long."""
    try:
        pending = [root.resolve(strict=True)]
    except OSError:
        return
    seen_folders = set(pending)
    seen = 0
    while pending:
        folder = pending.pop()
        try:
            entries = list(os.scandir(folder))
        except OSError:
            continue
        for entry in entries:
            seen += 1
            if seen > WALK_LIMIT:
                yield None
                return
            if entry.is_symlink():
                link = Path(entry.path)
                yield link
                target = paths.resolve(entry.path)
                if (
                    target is not None
                    and target.is_relative_to(paths.root)
                    and target.is_dir()
                    and target not in seen_folders
                ):
                    seen_folders.add(target)
                    pending.append(target)
            elif entry.is_dir(follow_symlinks=False) and entry.name != ".git":
                pending.append(Path(entry.path))


# grep's options that take a value (short letters, long names), to find its operands.
_GREP_VALUED = "ABCDdefm"
_GREP_LONG_VALUED = names(
    "--after-context --before-context --context --devices --directories --regexp --file "
    "--max-count --label --include --exclude --exclude-from --exclude-dir --binary-files "
    "--group-separator"
)
_GREP_RECURSIVE = names("--recursive --dereference-recursive --directories=recurse")
_SEARCH_HIDDEN = names("--hidden --unrestricted -uu -uuu -. --no-ignore-vcs")


def reads_git_folder(paths: ProjectPaths, argv: Sequence[str], cwd: Path) -> str | None:
    """A reason when a recursive search reads a ``.git`` folder's files (its config, say)."""
    name = command_name(argv[0])
    if name in ("grep", "egrep", "fgrep"):
        starts = _grep_starts(argv)
        if starts is None or any(
            word.startswith("--exclude-dir=") and word.partition("=")[2] in (".git", ".*")
            for word in argv
        ):
            return None
    elif name in ("rg", "ag"):
        if not any(word in _SEARCH_HIDDEN for word in argv) or "!.git" in " ".join(argv):
            return None
        starts = ["."]
    else:
        return None
    for start in starts:
        folder = paths.resolve(start, cwd)
        if folder is None or not folder.is_dir():
            continue
        holds_git = (folder / ".git").exists() or (paths.root / ".git").is_relative_to(folder)
        if holds_git or ".git" in folder.parts:
            return f"{name} searches {start}, and the .git folder in it (its config, its hooks)"
    return None


def _grep_starts(argv: Sequence[str]) -> list[str] | None:
    """The folders a recursive grep searches (``.`` when it names none), None if not recursive."""
    recursive = False
    pattern_given = False
    operands: list[str] = []
    index = 1
    while index < len(argv):
        word = argv[index]
        index += 1
        if word == "--":
            operands.extend(argv[index:])
            break
        if word.startswith("--"):
            key = word.partition("=")[0]
            recursive = recursive or word in _GREP_RECURSIVE
            pattern_given = pattern_given or key in ("--regexp", "--file")
            if key in _GREP_LONG_VALUED and "=" not in word:
                if key == "--directories" and index < len(argv) and argv[index] == "recurse":
                    recursive = True
                index += 1
            continue
        if not word.startswith("-") or word == "-":
            operands.append(word)
            continue
        for position in range(1, len(word)):
            letter, rest = word[position], word[position + 1 :]
            recursive = recursive or letter in "rR"
            if letter in _GREP_VALUED:
                pattern_given = pattern_given or letter in "ef"
                value = rest if rest else (argv[index] if index < len(argv) else "")
                if not rest:
                    index += 1
                if letter == "d" and value == "recurse":
                    recursive = True
                break
    if not recursive:
        return None
    files = operands if pattern_given else operands[1:]
    return files or ["."]
