"""A project on disk for the permission tests: a .git, a symlink out, penguin-tui's data."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import pytest

from penguin_tui.engine.permissions import Mode, PermissionPolicy, PermissionSettings, Rule


@dataclass(frozen=True)
class ProjectTree:
    """``root`` is the project; ``link`` in it points at ``outside``; ``data`` is protected."""

    root: Path
    outside: Path
    data: Path
    inner_data: Path

    def policy(
        self,
        mode: Mode = Mode.ASK,
        rules: Sequence[Rule] = (),
        project: PermissionSettings | None = None,
    ) -> PermissionPolicy:
        user = PermissionSettings(mode=mode, rules=list(rules))
        return PermissionPolicy(user, project, self.root, protected=[self.data, self.inner_data])

    def fill(self, command: str) -> str:
        return command.replace("{data}", str(self.data))


def make_tree(base: Path) -> ProjectTree:
    root = base / "project"
    (root / ".git" / "hooks").mkdir(parents=True)
    (root / ".git" / "config").write_text("[core]\n")
    (root / "src").mkdir()
    (root / "src" / "main.py").write_text("print('hi')\n")
    (root / "README.md").write_text("# demo\n")
    (root / "data.txt").write_text("a b\n")
    (root / ".env").write_text("TOKEN=secret\n")
    inner_data = root / "var" / "penguin"
    inner_data.mkdir(parents=True)
    outside = base / "outside"
    outside.mkdir()
    (outside / "secret.txt").write_text("secret\n")
    (root / "link").symlink_to(outside, target_is_directory=True)
    data = base / "penguin-home"
    data.mkdir()
    (data / "store.db").write_text("")
    return ProjectTree(root=root, outside=outside, data=data, inner_data=inner_data)


@pytest.fixture(scope="module")
def tree(tmp_path_factory: pytest.TempPathFactory) -> ProjectTree:
    return make_tree(tmp_path_factory.mktemp("permissions"))
