"""Where a path argument really lands: inside the project, in its ``.git``, in the data dir, or out.

Paths are resolved like the kernel would (``..`` and symlinks, ``Path.resolve(strict=False)``)
against the project root or the directory a command ``cd``-ed to, so ``link/file`` through a
symlink that points outside the project is seen as outside.
"""

from __future__ import annotations

import os
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

from penguin_tui.engine.permissions.globs import bash_glob

# Devices that read or write nothing of the user's.
HARMLESS_DEVICES = frozenset(
    {
        "/dev/null",
        "/dev/stdin",
        "/dev/stdout",
        "/dev/stderr",
        "/dev/tty",
        "/dev/zero",
        "/dev/random",
        "/dev/urandom",
    }
)
# Devices that are the machine's memory or ports: never a project's file.
MACHINE_DEVICES = frozenset({"/dev/mem", "/dev/kmem", "/dev/port"})
GLOB_LIMIT = 1_000
UNMATCHABLE = (
    f"is a glob that cannot be matched as bash would (or names over {GLOB_LIMIT:,} entries)"
)
# Longer than the kernel takes for a file name (``NAME_MAX``) or a whole path (``PATH_MAX``).
NAME_MAX = 255
PATH_MAX = 4096
PROJECT_CONFIG_FOLDER = ".penguin"


def can_name_a_file(text: str) -> bool:
    """Whether the kernel would take ``text`` as a path at all (no NUL, not too long)."""
    if "\0" in text:
        return False
    encoded = text.encode("utf-8", "surrogatepass")
    if len(encoded) >= PATH_MAX:
        return False
    return all(len(part) <= NAME_MAX for part in encoded.split(b"/"))


def shown_path(text: str, width: int = 80) -> str:
    """A path as a reason shows it: one line, cut in the middle when it is very long."""
    text = text.replace("\n", "\\n").replace("\0", "\\0")
    if len(text) <= width:
        return text
    return f"{text[: width // 2]}…{text[-(width // 2 - 1) :]} ({len(text):,} characters)"


def _process_data(path: Path) -> bool:
    """``/proc/PID/…`` (``self`` and ``thread-self`` included): a process's environment, memory."""
    parts = path.parts
    if len(parts) < 3 or parts[1] != "proc":
        return False
    return parts[2].isdigit() or parts[2] in ("self", "thread-self")


@dataclass(frozen=True)
class CheckedPath:
    """One path resolved: what rules match against, and why it is capped at ask, if it is."""

    text: str
    resolved: Path | None
    subject: str
    concern: str | None = None
    write_concern: str | None = None

    def concern_for(self, *, writing: bool) -> str | None:
        """What caps this path: ``concern`` always, ``write_concern`` only for a write."""
        if self.concern is not None:
            return self.concern
        return self.write_concern if writing else None

    def reason_for(self, *, writing: bool) -> str:
        return f"{shown_path(self.text)} {self.concern_for(writing=writing)}: asked in every mode"

    @property
    def reason(self) -> str:
        return self.reason_for(writing=True)


class ProjectPaths:
    """The project root and the places no mode or allow rule opens: outside, ``.git/``, data."""

    def __init__(self, root: Path, protected: Sequence[Path] = ()) -> None:
        self.root = root.expanduser().resolve(strict=False)
        self.protected = tuple(path.expanduser().resolve(strict=False) for path in protected)

    def resolve(self, text: str, cwd: Path | None = None) -> Path | None:
        """``text`` as an absolute, symlink-free path, or None when it cannot be worked out."""
        try:
            path = Path(os.path.expanduser(text)) if text.startswith("~") else Path(text)
            if text.startswith("~") and not path.is_absolute():
                return None  # ~someone that this machine does not know
            if not path.is_absolute():
                path = (cwd or self.root) / path
            return path.resolve(strict=False)
        except (OSError, RuntimeError, ValueError):
            return None

    def check(self, text: str, cwd: Path | None = None) -> CheckedPath:
        if text in HARMLESS_DEVICES:
            return CheckedPath(text, Path(text), text)
        resolved = self.resolve(text, cwd)
        if resolved is None:
            return CheckedPath(text, None, text, "cannot be resolved")
        if any(resolved.is_relative_to(guarded) for guarded in self.protected):
            return CheckedPath(text, resolved, resolved.as_posix(), "is in penguin-tui's data")
        if _process_data(resolved) or resolved.as_posix() in MACHINE_DEVICES:
            shown = resolved.as_posix()
            concern = "is a process's environment or memory, or the machine's"
            if text != shown:
                concern = f"{concern} ({shown})"
            return CheckedPath(text, resolved, shown, concern)
        if not resolved.is_relative_to(self.root):
            concern = "is outside the project"
            if text != resolved.as_posix():
                concern = f"is outside the project ({resolved.as_posix()})"
            return CheckedPath(text, resolved, resolved.as_posix(), concern)
        relative = resolved.relative_to(self.root)
        subject = relative.as_posix()
        if ".git" in relative.parts:
            return CheckedPath(text, resolved, subject, "is in the project's .git directory")
        if PROJECT_CONFIG_FOLDER in relative.parts:
            return CheckedPath(
                text,
                resolved,
                subject,
                write_concern="is in the project's penguin-tui settings (.penguin)",
            )
        return CheckedPath(text, resolved, subject)

    def check_all(
        self, text: str, pattern: str | None = None, cwd: Path | None = None
    ) -> Iterator[CheckedPath]:
        """``text`` itself and, for a glob (``pattern``), every path it names now."""
        if pattern is None or can_name_a_file(text):
            yield self.check(text, cwd)
        if pattern is None:
            return
        matches = self.expand(pattern, cwd)
        if matches is None:
            yield CheckedPath(text, None, text, UNMATCHABLE)
            return
        for match in matches:
            yield self.check(match, cwd)

    def expand(self, pattern: str, cwd: Path | None = None) -> list[str] | None:
        """What a glob names now, as bash would expand it, or None when that is not certain."""
        return bash_glob(pattern, cwd or self.root, GLOB_LIMIT)

    def holds_guarded(self, path: Path) -> bool:
        """``path`` is the project root or contains its ``.git`` or penguin-tui's data."""
        guarded = (self.root, self.root / ".git", *self.protected)
        return any(place.is_relative_to(path) for place in guarded)

    def working_directory(self, text: str | None) -> Path:
        """Where ``cd TEXT`` lands; ``None`` (``cd -``, a variable…) is anywhere, shown as ``/``."""
        if text is None:
            return Path("/")
        return self.resolve(text) or Path("/")
