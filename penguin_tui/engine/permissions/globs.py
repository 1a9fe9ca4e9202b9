"""What a glob names now, matched the way bash matches it — or None where that is not certain.

Python's ``glob`` differs from bash in ways that matter here: it reads ``[^…]`` as a literal
``^``, knows no ``[[:alpha:]]`` classes, and never yields ``.`` or ``..`` (which bash before
5.2 does for ``.*``). This walks the pattern one folder at a time with ``fnmatchcase``, which
agrees with bash on ``*``, ``?`` and ``[…]``/``[!…]``, and gives up on the rest.
"""

from __future__ import annotations

import os
from fnmatch import fnmatchcase
from pathlib import Path

# Brackets bash reads unlike fnmatch: ``[^…]``, ``[[:class:]]``, ``[=c=]``, ``[.c.]``.
_UNSURE = ("[^", "[:", "[=", "[.")


def has_magic(text: str) -> bool:
    return any(char in text for char in "*?[")


def bash_glob(pattern: str, cwd: Path, limit: int) -> list[str] | None:
    """The paths ``pattern`` names now (as bash would write them), or None when unsure.

    None also when the pattern names more than ``limit`` entries: the caller cannot look at
    them all, so it cannot say what the command reaches.
    """
    if any(form in pattern for form in _UNSURE):
        return None
    if pattern.startswith("~"):
        pattern = os.path.expanduser(pattern)
        if pattern.startswith("~"):
            return None  # ~someone this machine does not know
    absolute = pattern.startswith("/")
    base = Path("/") if absolute else cwd
    parts = pattern.split("/")
    folders_only = parts[-1] == ""
    found = [""]
    for part in parts:
        if not part:
            continue
        grown: list[str] = []
        for place in found:
            if not has_magic(part):
                grown.append(f"{place}/{part}" if place else part)
                continue
            for name in _names(base / place if place else base, part.startswith(".")):
                if fnmatchcase(name, part):
                    grown.append(f"{place}/{name}" if place else name)
            if len(grown) > limit:
                return None
        found = grown
    matches = [
        path
        for path in found
        if os.path.lexists(base / path) and (not folders_only or (base / path).is_dir())
    ]
    return [f"/{path}" if absolute else path for path in matches]


def _names(folder: Path, dots: bool) -> list[str]:
    """The entries of ``folder`` a glob component may match; ``.`` and ``..`` for ``.…``."""
    try:
        names = [entry.name for entry in os.scandir(folder)]
    except OSError:
        return []
    if dots:
        return [*names, ".", ".."]
    return [name for name in names if not name.startswith(".")]
