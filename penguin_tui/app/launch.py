"""Start the workbench: check the directory, set up the demo if asked, run the app."""

from __future__ import annotations

import asyncio
import os
import sys
import time
from pathlib import Path
from typing import TYPE_CHECKING

from penguin_tui.config.paths import data_paths

if TYPE_CHECKING:
    from penguin_tui.tasks.service import TaskService
    from penguin_tui.testing import ServerThread

DEMO_MODEL = "penguin-demo"
# The demo project's task plan, a Markdown checklist shipped with penguin-tui.
DEMO_TASKS = Path(".penguin") / "tasks.json"
DEMO_NOTICE = (
    "**Demo model (scripted).** Replies come from penguin-tui's scripted test model, not an AI: "
    "they are canned and ignore what you ask. To use a real model, quit (ctrl+q) and run "
    "`penguin-tui --model openai/gpt-4o-mini` with `OPENAI_API_KEY` set, or "
    "`penguin-tui --model llama3 --api-base http://localhost:11434/v1` for a local server "
    "(or set `PENGUIN_MODEL` / `PENGUIN_API_BASE`)."
)

DEMO_CONFIG = f"""# A demo project made by `penguin-tui --demo`.
# The model is penguin-tui's scripted test double; its prices below are made up for the demo
# so that the cost monitor has something to count.
[model]
name = "{DEMO_MODEL}"

[model.prices.{DEMO_MODEL}]
input_per_mtok = 0.50
output_per_mtok = 1.50

[model.context_windows]
{DEMO_MODEL} = 32768
"""

DEMO_README = """# Demo project

A throw-away project created by `penguin-tui --demo`. Nothing here matters.
"""

DEMO_CODE = '''def greet(name: str) -> str:
    """Say hello."""
    return f"Hello, {name}!"


if __name__ == "__main__":
    print(greet("penguin"))
'''


def make_demo_project(root: Path) -> Path:
    """A fresh, small project folder for the demo."""
    project = root / time.strftime("demo-%Y%m%d-%H%M%S")
    suffix = 0
    while project.exists():
        suffix += 1
        project = root / (time.strftime("demo-%Y%m%d-%H%M%S") + f"-{suffix}")
    (project / ".penguin").mkdir(parents=True)
    (project / ".penguin" / "config.toml").write_text(DEMO_CONFIG, encoding="utf-8")
    (project / "README.md").write_text(DEMO_README, encoding="utf-8")
    (project / "hello.py").write_text(DEMO_CODE, encoding="utf-8")
    from importlib import resources

    plan = resources.files("penguin_tui") / "testing" / "scripts" / "demo-tasks.json"
    (project / DEMO_TASKS).write_text(plan.read_text(encoding="utf-8"), encoding="utf-8")
    return project


async def seed_demo_tasks(tasks: TaskService, project: Path) -> None:
    """The demo's task plan, imported from the file its project ships with, once (a plan
    already there is left as it is)."""
    from penguin_tui.tasks.transfer import parse_json

    plan_file = project / DEMO_TASKS
    if tasks.tasks or not plan_file.is_file():
        return
    text = await asyncio.to_thread(plan_file.read_text, encoding="utf-8")
    await tasks.import_plan(parse_json(text), plan_file.name)


def start_scripted_model(script_path: Path) -> ServerThread:
    """The scripted model serving ``script_path`` on a thread of its own (the app starts it
    after its first frame: the scripted model's modules take a while to import)."""
    from penguin_tui.testing import load_script, run_in_thread

    return run_in_thread(load_script(script_path))


def _fail(message: str) -> int:
    print(f"penguin-tui: {message}", file=sys.stderr, flush=True)
    return 2


def launch_tui(
    *,
    directory: str | None,
    demo: bool,
    model: str | None,
    api_base: str | None,
    session_id: str | None,
    continue_latest: bool,
) -> int:
    """Run the workbench until the user quits; returns the exit code."""
    from penguin_tui.app.app import LaunchOptions, PenguinApp, exit_after_first_frame
    from penguin_tui.config.logs import setup_logging

    setup_logging(data_paths())

    demo_notice = None
    demo_script = None
    if demo:
        if directory:
            return _fail("--demo makes its own project; give no directory with it")
        from importlib import resources

        try:
            project = make_demo_project(data_paths().demo_projects)
        except OSError as error:
            return _fail(
                f"cannot create the demo project ({error.strerror}); "
                f"set PENGUIN_HOME to a writable directory"
            )
        # Found from the package's root: naming penguin_tui.testing would import it.
        scripts = resources.files("penguin_tui") / "testing" / "scripts"
        demo_script = Path(str(scripts / "demo.toml"))
        api_base = None
        demo_notice = DEMO_NOTICE
        path = project
    else:
        path = Path(directory or ".").expanduser()
        if not path.is_dir():
            return _fail(f"the project directory {path} does not exist or is not a directory")
    options = LaunchOptions(
        directory=path.resolve(),
        model=model,
        api_base=api_base,
        session_id=session_id,
        continue_latest=not demo,
        demo_notice=demo_notice,
        demo_script=demo_script,
        theme=os.environ.get("PENGUIN_THEME"),
        exit_after_first_frame=exit_after_first_frame(),
    )
    app = PenguinApp(options)
    try:
        app.run()
        return app.return_code or 0
    finally:
        if app.demo_server is not None:
            app.demo_server.stop()
