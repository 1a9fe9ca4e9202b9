"""Nothing below the app imports Textual, and litellm stays off the start-up path."""

from __future__ import annotations

import subprocess
import sys

import pytest

HEADLESS = [
    "penguin_tui.cli.main",
    "penguin_tui.cli.run",
    "penguin_tui.cli.sessions",
    "penguin_tui.bus",
    "penguin_tui.store",
    "penguin_tui.config",
    "penguin_tui.llm.client",
    "penguin_tui.llm.pricing",
    "penguin_tui.engine.chat",
    "penguin_tui.runtime",
    "penguin_tui.testing",
    "penguin_tui.engine.permissions",
    "penguin_tui.engine.tools.registry",
    "penguin_tui.engine.tool_runner",
    "penguin_tui.workspace",
    "penguin_tui.cli.audit",
    "penguin_tui.cli.checkpoints",
    "penguin_tui.cli.branches",
    "penguin_tui.checkpoints.service",
    "penguin_tui.checkpoints.outside_edits",
    "penguin_tui.workspace.watch",
    "penguin_tui.words",
    "penguin_tui.printable",
    "penguin_tui.formatting",
]


def _imported_after(module: str) -> set[str]:
    code = f"import sys, {module}; print('\\n'.join(sorted(sys.modules)))"
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=60
    )
    return set(result.stdout.split())


@pytest.mark.parametrize("module", HEADLESS)
def test_headless_module_never_imports_textual(module: str) -> None:
    loaded = _imported_after(module)
    assert "textual" not in loaded
    assert "litellm" not in loaded, "litellm must be imported lazily, not at module import"


def test_app_module_does_not_import_litellm() -> None:
    loaded = _imported_after("penguin_tui.app.app")
    assert "textual" in loaded
    assert "litellm" not in loaded


def test_version_is_printed_without_heavy_imports() -> None:
    code = (
        "import sys; from penguin_tui.cli.main import main; main(['--version']); "
        "print(','.join(m for m in ('pydantic', 'textual', 'litellm', 'aiosqlite') "
        "if m in sys.modules))"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=60
    )
    lines = result.stdout.splitlines()
    assert lines[0].startswith("penguin-tui ")
    assert lines[1:] == [""] or lines[1:] == []


def test_a_bad_flag_is_answered_before_the_commands_module_is_imported() -> None:
    """``run --bogus`` is refused by argparse alone: nothing of the run (the bus, the store,
    pydantic, the engine) is imported to say so."""
    code = (
        "import sys\n"
        "from penguin_tui.cli.main import main\n"
        "try:\n"
        "    main(['run', '--bogus', 'hi'])\n"
        "except SystemExit as exit:\n"
        "    print(exit.code)\n"
        "print(','.join(m for m in ('pydantic', 'penguin_tui.bus', 'penguin_tui.store', "
        "'penguin_tui.cli.run') if m in sys.modules))"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=60
    )
    assert result.stdout.splitlines() == ["2", ""]
    assert "unrecognized arguments: --bogus" in result.stderr
