"""The layers written in docs/architecture.md are the ones `lint-imports` checks, and the check
does catch an import that goes up a layer."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
LINT_IMPORTS = Path(sys.executable).with_name("lint-imports")


def _checked_layers() -> list[str]:
    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    contracts = config["tool"]["importlinter"]["contracts"]
    layers: list[str] = next(c for c in contracts if c["id"] == "layers")["layers"]
    return layers


def _documented_layers() -> list[str]:
    """The first column of the table under "## Dependency direction", top to bottom."""
    text = (ROOT / "docs" / "architecture.md").read_text(encoding="utf-8")
    section = text.split("## Dependency direction", 1)[1].split("\n## ", 1)[0]
    cells = re.findall(r"^\| `([^`]*)`", section, flags=re.MULTILINE)
    return [cell.replace("\\|", "|") for cell in cells]


def test_the_documented_layers_are_the_checked_layers() -> None:
    assert _documented_layers() == _checked_layers()


def _lint(root: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(LINT_IMPORTS), "--no-cache", "--config", str(ROOT / "pyproject.toml")],
        cwd=root,
        env={**os.environ, "PYTHONPATH": str(root)},
        capture_output=True,
        text=True,
        timeout=300,
    )


def test_the_layering_check_passes_on_the_code_and_refuses_an_import_up_a_layer(
    tmp_path: Path,
) -> None:
    copy = tmp_path / "penguin_tui"
    shutil.copytree(ROOT / "penguin_tui", copy, ignore=shutil.ignore_patterns("__pycache__"))
    assert _lint(tmp_path).returncode == 0
    store_init = copy / "store" / "__init__.py"
    store_init.write_text(
        store_init.read_text(encoding="utf-8") + "\nimport penguin_tui.engine.chat\n",
        encoding="utf-8",
    )
    refused = _lint(tmp_path)
    assert refused.returncode != 0
    assert "penguin_tui.store -> penguin_tui.engine.chat" in refused.stdout
