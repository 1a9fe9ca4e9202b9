"""Whether the shadow index may hold files the ignore rules now match.

A snapshot removes such files (a ``.gitignore`` gained a line), which takes a pass of git over
every tracked path (``ls-files -c -i``). It is needed only when the rules may have changed
since the last pass. A ``.gitignore`` in the project that changed shows among the snapshot's
changes; what is written here covers the rest, and lasts across processes (each command-line
call is a new one):

- a file in the shadow repository, written after a pass, holding a fingerprint of the rules
  from outside the project's ``.gitignore`` files (the shadow's ``info/exclude``: the
  project's and penguin-tui's own excludes; git's global excludes file) and of the shadow
  index itself, so that an index written by anything but a snapshot that checked (a restore,
  another version of penguin-tui) calls for a pass;
- a restore removes the file before it touches a file of the project.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Mapping
from pathlib import Path

CHECKED_FILE = "penguin-rules-checked"


def global_excludes_file(environment: Mapping[str, str], work_tree: Path) -> Path | None:
    """The excludes file git reads when ``core.excludesFile`` is not set (the shadow
    repository never sets it, and global and system config are shut out)."""
    config_home = environment.get("XDG_CONFIG_HOME")
    if config_home:
        return work_tree / config_home / "git" / "ignore"
    home = environment.get("HOME")
    return work_tree / home / ".config" / "git" / "ignore" if home else None


class RulesCheck:
    """Whether a snapshot must check the tracked files against the ignore rules."""

    def __init__(self, git_dir: Path, global_excludes: Path | None) -> None:
        self.git_dir = git_dir
        self.global_excludes = global_excludes
        self._file = git_dir / CHECKED_FILE

    def needed(self) -> bool:
        """Whether the rules or the shadow index changed since the last pass (or whether
        there was none, or a restore came after it)."""
        try:
            return self._file.read_text(encoding="ascii") != self._fingerprint()
        except (OSError, UnicodeDecodeError):
            return True

    def passed(self) -> None:
        """The shadow index holds no file the rules ignore, as it is now."""
        fingerprint = self._fingerprint()
        try:
            if self._file.read_text(encoding="ascii") == fingerprint:
                return
        except (OSError, UnicodeDecodeError):
            pass
        self._file.write_text(fingerprint, encoding="ascii")

    def forget(self) -> None:
        """The next snapshot checks (before a restore touches a file: a ``.gitignore`` it
        writes is taken into the index without a snapshot seeing it change)."""
        self._file.unlink(missing_ok=True)

    def _fingerprint(self) -> str:
        digest = hashlib.sha1()
        for path in (self.git_dir / "info" / "exclude", self.global_excludes):
            try:
                digest.update(path.read_bytes() if path is not None else b"")
            except OSError:
                digest.update(b"(none)")
            digest.update(b"\0")
        try:
            index = os.stat(self.git_dir / "index")
            digest.update(f"{index.st_ino} {index.st_size} {index.st_mtime_ns}".encode())
        except OSError:
            digest.update(b"(no index)")
        return digest.hexdigest()
