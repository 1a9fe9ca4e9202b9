"""The tools and the workspace stay headless: no Textual, no litellm."""

from __future__ import annotations

import subprocess
import sys


def test_tools_and_workspace_import_neither_textual_nor_litellm() -> None:
    code = (
        "import sys, penguin_tui.workspace, penguin_tui.engine.tools.registry; "
        "print(','.join(m for m in ('textual', 'litellm') if m in sys.modules))"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=60
    )
    assert result.stdout.strip() == ""


def test_the_workspace_can_be_imported_first() -> None:
    code = "import penguin_tui.workspace.confine, penguin_tui.engine.tools.registry"
    subprocess.run([sys.executable, "-c", code], check=True, timeout=60)
