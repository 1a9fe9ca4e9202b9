"""The baseline: plain git doing the same work on its own bare repository, same work tree.

No ``-c`` settings, no hooks of ours, no Python between the steps: what a user would type.
The environment is stripped of ``GIT_*`` variables and of the user's global and system
configuration, so the user's git setup cannot change the figures.
"""

from __future__ import annotations

import os
import subprocess
from collections.abc import Sequence
from pathlib import Path


def plain_environment() -> dict[str, str]:
    env = {key: value for key, value in os.environ.items() if not key.startswith("GIT_")}
    env.update(GIT_CONFIG_NOSYSTEM="1", GIT_CONFIG_GLOBAL=os.devnull, LC_ALL="C")
    return env


class RawGit:
    """``git --git-dir=X --work-tree=T ...`` on a bare repository of its own."""

    def __init__(self, git_dir: Path, work_tree: Path) -> None:
        self.git_dir = git_dir
        self.work_tree = work_tree
        self._env = plain_environment()

    def init(self, exclude: Sequence[str] = ()) -> None:
        """A new bare repository; ``exclude`` (paths relative to the work tree) go into its
        ``info/exclude``, so that it leaves out what the snapshot skips (files over the cap)."""
        subprocess.run(
            ["git", "init", "--bare", "--quiet", str(self.git_dir)], env=self._env, check=True
        )
        if exclude:
            info = self.git_dir / "info"
            info.mkdir(exist_ok=True)
            lines = "".join(f"/{path}\n" for path in exclude)
            (info / "exclude").write_text(lines, encoding="utf-8")

    def run(self, *args: str) -> bytes:
        done = subprocess.run(
            ["git", f"--git-dir={self.git_dir}", f"--work-tree={self.work_tree}", *args],
            cwd=self.work_tree,
            env=self._env,
            capture_output=True,
            check=False,
        )
        if done.returncode != 0:
            detail = done.stderr.decode("utf-8", "replace").strip()
            raise RuntimeError(f"git {args[0]} failed: {detail}")
        return done.stdout

    def add_and_write_tree(self) -> str:
        """``git add -A && git write-tree``: the index brought up to date, then a tree."""
        self.run("add", "-A")
        return self.run("write-tree").decode().strip()

    def read_tree_reset(self, tree: str) -> None:
        """``git read-tree -u --reset TREE``: the work tree and index made to hold ``tree``."""
        self.run("read-tree", "-u", "--reset", tree)

    def diff_tree_patch(self, old: str, new: str) -> bytes:
        """``git diff-tree -r -p -M OLD NEW``: the patch between two trees."""
        return self.run("diff-tree", "-r", "-p", "-M", old, new)
