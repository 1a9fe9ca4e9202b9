"""Path confinement: every path a tool touches must resolve inside the project.

Symlinks are followed before the check, so a link inside the project that points outside it
is refused like ``../..`` or an absolute path elsewhere.
"""

from __future__ import annotations

import os
from pathlib import Path

from penguin_tui.errors import ToolError
from penguin_tui.printable import printable


class OutsideProjectError(ToolError):
    """A path resolves outside the project root (directly, by ``..`` or through a symlink)."""


def resolve_in_project(root: Path, path: str | Path) -> Path:
    """The absolute, symlink-free form of ``path`` (relative to ``root`` or absolute).

    Raises ``OutsideProjectError`` when the result is not ``root`` or inside it, and
    ``ToolError`` for a path that cannot be resolved at all (NUL byte, symlink loop).
    """
    text = str(path)
    if "\0" in text:
        raise ToolError(f"invalid path {text!r}: it contains a NUL byte")
    try:
        os.fsencode(text)
    except UnicodeEncodeError as exc:
        raise ToolError(
            f"invalid path {printable(text)}: it holds a character no file name can "
            "(a lone surrogate)"
        ) from exc
    base = root.resolve()
    candidate = Path(text).expanduser() if text.startswith("~") else Path(text)
    try:
        resolved = (base / candidate).resolve(strict=False)
    except RuntimeError as exc:  # Python 3.11 reports symlink loops this way
        raise ToolError(f"cannot resolve {text}: {exc}") from exc
    except OSError as exc:
        raise ToolError(f"cannot resolve {text}: {exc.strerror or exc}") from exc
    if resolved == base or resolved.is_relative_to(base):
        return resolved
    lexical = Path(os.path.normpath(base / candidate))
    if lexical == base or lexical.is_relative_to(base):
        raise OutsideProjectError(
            f"{text} resolves to {resolved} through a symlink, outside the project {base}; "
            "only paths inside the project can be used"
        )
    raise OutsideProjectError(
        f"{text} is outside the project {base}; only paths inside the project can be used"
    )


def relative_to_project(root: Path, path: str | Path) -> str:
    """``path`` as a POSIX path relative to the project root (``.`` for the root itself)."""
    resolved = resolve_in_project(root, path)
    relative = resolved.relative_to(root.resolve()).as_posix()
    return relative or "."
