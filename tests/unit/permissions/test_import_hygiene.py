"""The permissions package stays headless: no Textual, no litellm."""

from __future__ import annotations

import subprocess
import sys


def test_permissions_import_neither_textual_nor_litellm() -> None:
    code = (
        "import sys, penguin_tui.engine.permissions; "
        "print(','.join(m for m in ('textual', 'litellm') if m in sys.modules))"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=60
    )
    assert result.stdout.strip() == ""
