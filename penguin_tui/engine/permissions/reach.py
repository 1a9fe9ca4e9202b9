"""What a command reaches beyond the words it is given: recursive walks that follow symlinks.

``ls -RL .`` names only ``.``, yet lists whatever the project's symlinks point at; a link to
``/etc`` or to ``.git`` takes it there. The walk here looks at every symlink under the folders
such a command starts from, without following any, and reports the first that leads out.
Also here: the commands that leave files as they are, which lets a glob be judged by what it
names now when the rest of its line runs only such commands.
"""

from __future__ import annotations

import os
from collections.abc import Iterator, Sequence
from pathlib import Path

from penguin_tui.engine.permissions.paths import ProjectPaths
from penguin_tui.engine.permissions.wrappers import command_name, names

# Commands that create, rename or link no file (apart from what their redirections and known
# output options write, which are judged on their own). Wrappers are here because the command
# they run is judged as a command of its own.
KEEPS_FILES = names(
    "cat echo printf ls grep egrep fgrep rg head tail wc sort uniq cut tr pwd true false test [ "
    "stat file diff cmp basename dirname realpath readlink date whoami id uname printenv which "
    "type nl od hexdump xxd sha1sum sha256sum sha512sum md5sum cksum seq sleep column fold fmt "
    "paste join comm rev tac jq cd pushd popd : env nice nohup timeout time command stdbuf "
    "builtin sudo doas"
)
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
    "rsync": ("ra", names("--recursive --archive"), "L", names("--copy-links")),
    "tar": (None, frozenset(), "h", names("--dereference")),
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
    if name == "zip":  # zip -r follows symlinks unless told -y
        return _has(argv, "r", names("--recurse-paths")) and not _has(
            argv, "y", names("--symlinks")
        )
    spec = _FOLLOWERS.get(name)
    if spec is None:
        return False
    recursive, recursive_long, follow, follow_long = spec
    return _has(argv, recursive, recursive_long) and _has(argv, follow, follow_long)


_SEARCHERS = names("grep egrep fgrep rg")
_PATTERN_OPTIONS = names("-e -f --regexp --file")


def recursive_starts(argv: Sequence[str]) -> list[str]:
    """The operands such a command may walk (``.`` when it names none).

    A searcher's first operand is its pattern, unless an option gave the pattern.
    """
    operands = [word for word in argv[1:] if word and not word.startswith("-")]
    if command_name(argv[0]) in _SEARCHERS and not any(
        word in _PATTERN_OPTIONS or word.startswith(("--regexp=", "--file=")) for word in argv
    ):
        operands = operands[1:]
    return operands or ["."]


def links_out_of_reach(paths: ProjectPaths, start: str, cwd: Path) -> str | None:
    """A reason naming the first symlink under ``start`` that leads outside, or None."""
    root = paths.resolve(start, cwd)
    if root is None or not root.is_dir():
        return None
    for link in _symlinks(root):
        if link is None:
            return f"follows symlinks under {start}, which holds too many files to check"
        checked = paths.check(link.as_posix())
        if checked.concern is not None:
            shown = link.relative_to(root).as_posix() if link.is_relative_to(root) else link
            target = checked.resolved.as_posix() if checked.resolved is not None else "?"
            return f"follows the symlink {shown} to {target}, which {checked.concern}"
    return None


def _symlinks(root: Path) -> Iterator[Path | None]:
    """Every symlink under ``root`` (not followed); a None once the walk is too long."""
    pending = [root]
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
                yield Path(entry.path)
            elif entry.is_dir(follow_symlinks=False) and entry.name != ".git":
                pending.append(Path(entry.path))
