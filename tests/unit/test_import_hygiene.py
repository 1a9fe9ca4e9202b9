"""Nothing below the app imports Textual, and litellm stays off the start-up path."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

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


FIRST_FRAME = """
import functools
import os
import sys
from pathlib import Path

from penguin_tui.app.app import PenguinApp
from penguin_tui.app.launch import launch_tui
from penguin_tui.app.screens.workbench import WorkbenchScreen

first_mount = WorkbenchScreen.on_mount


def on_mount(screen):
    # Before the workbench's own start-up: this runs once its first frame is drawn.
    modules = Path(sys.argv[2])
    screen.call_after_refresh(lambda: modules.write_text("\\n".join(sorted(sys.modules))))
    first_mount(screen)


WorkbenchScreen.on_mount = on_mount
PenguinApp.run = functools.partialmethod(PenguinApp.run, headless=True)
os.environ["PENGUIN_EXIT_AFTER_FIRST_FRAME"] = "1"
demo = sys.argv[1] == "--demo"
launch_tui(
    directory=None if demo else sys.argv[1],
    demo=demo,
    model=None,
    api_base=None,
    session_id=None,
    continue_latest=True,
)
"""

# What the first frame has no use for: the diff widgets with pygments under them, the
# checkpoint browser, the services and the scripted model of --demo.
AFTER_THE_FIRST_FRAME = {
    "pygments",
    "penguin_tui.app.widgets.diff_view",
    "penguin_tui.app.widgets.diff_pane",
    "penguin_tui.app.widgets.checkpoints",
    "penguin_tui.runtime",
    "penguin_tui.testing",
}


def _loaded_at_first_frame(argument: str, modules: Path) -> set[str]:
    subprocess.run(
        [sys.executable, "-c", FIRST_FRAME, argument, str(modules)],
        capture_output=True,
        check=True,
        timeout=60,
    )
    loaded = set(modules.read_text().split())
    assert "penguin_tui.app.screens.workbench" in loaded
    return loaded


def test_the_first_frame_loads_no_diff_view_nor_pygments(project: Path, tmp_path: Path) -> None:
    """The workbench's first frame is the chat and the prompt: the diff widgets, pygments
    under them and the checkpoint browser load right after it."""
    loaded = _loaded_at_first_frame(str(project), tmp_path / "modules")
    assert loaded & AFTER_THE_FIRST_FRAME == set()


def test_the_demo_starts_its_scripted_model_after_the_first_frame(tmp_path: Path) -> None:
    assert _loaded_at_first_frame("--demo", tmp_path / "modules") & AFTER_THE_FIRST_FRAME == set()
