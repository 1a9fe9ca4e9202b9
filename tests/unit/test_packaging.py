"""Every package of penguin_tui is listed in pyproject.toml, so the wheel ships all of it."""

from __future__ import annotations

import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_every_package_is_listed_for_the_wheel() -> None:
    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    listed = set(config["tool"]["setuptools"]["packages"])
    found = {
        ".".join(init.parent.relative_to(ROOT).parts)
        for init in (ROOT / "penguin_tui").rglob("__init__.py")
    }
    assert found - listed == set()
    assert "penguin_tui.themes" in listed
