"""The Textual application: paints first, then opens the services and follows the bus.

Heavy imports (pydantic models, aiosqlite, litellm) happen after the first frame, so start-up
costs about what a bare Textual app costs. Engine events go to the pane or controller that
owns what they change (``event_routes.py``); the app's actions (keys and palette) hand the
work to its controllers (``controllers/``).
"""

from __future__ import annotations

import asyncio
import gc
import importlib
import logging
import os
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from textual import work
from textual.app import App, SystemCommand
from textual.binding import Binding
from textual.notifications import SeverityLevel
from textual.screen import Screen
from textual.worker import Worker, WorkerState

from penguin_tui.app.commands import workbench_commands
from penguin_tui.app.controllers.checkpoints import CheckpointsController
from penguin_tui.app.controllers.conversation import ConversationController
from penguin_tui.app.controllers.diff_viewer import DiffViewerController
from penguin_tui.app.controllers.models import ModelsController
from penguin_tui.app.controllers.project_watch import ProjectWatchController
from penguin_tui.app.controllers.run_mode import RunModeController
from penguin_tui.app.controllers.settings_watch import SettingsWatchController
from penguin_tui.app.controllers.setup import SetupController
from penguin_tui.app.controllers.tasks import TasksController
from penguin_tui.app.controllers.turns import TurnsController
from penguin_tui.app.event_routes import EventRoutes
from penguin_tui.app.markdown_style import markdown_theme
from penguin_tui.app.pane_actions import PaneActions
from penguin_tui.app.themes import FALLBACK_THEME, builtin_theme_dir, load_themes
from penguin_tui.app.widgets.chat import ChatView
from penguin_tui.app.widgets.prompt import PromptInput
from penguin_tui.app.widgets.usage import UsagePane, UsageTally
from penguin_tui.app.workers import background

if TYPE_CHECKING:
    from penguin_tui.app.screens.workbench import WorkbenchScreen
    from penguin_tui.bus import Subscription
    from penguin_tui.runtime import Runtime
    from penguin_tui.testing import ServerThread

log = logging.getLogger("penguin_tui.app")

FRAME_S = 1 / 30
# litellm's import (seconds, on a thread) competes with the UI thread for the GIL: it starts
# this long after the services are up, or at the first prompt sent, whichever comes first.
LLM_PRELOAD_DELAY_S = 2.0
# Imported off the loop before the services start (see _start_services).
SERVICE_MODULES = (
    "penguin_tui.runtime",
    "penguin_tui.llm.pricing",
    "watchfiles",
    "anyio._backends._asyncio",
)
DARK, LIGHT = "penguin-dark", "penguin-light"


@dataclass(frozen=True)
class LaunchOptions:
    """What the command line asked for."""

    directory: Path
    model: str | None = None
    api_base: str | None = None
    session_id: str | None = None
    continue_latest: bool = True
    demo_notice: str | None = None
    # ``--demo``: the scripted model's script, served once the first frame is drawn.
    demo_script: Path | None = None
    theme: str | None = None
    exit_after_first_frame: bool = False


class PenguinApp(PaneActions, App[int]):
    """penguin-tui's workbench application."""

    CSS_PATH = "app.tcss"
    TITLE = "penguin-tui"

    BINDINGS = [
        Binding("ctrl+q", "quit", "Quit", id="quit", priority=True),
        Binding("ctrl+n", "new_session", "New", id="session.new"),
        Binding("ctrl+r", "resume_session", "Resume", id="session.resume"),
        # Not in the footer (F1 and the palette list it): at 80 columns it has no room left.
        Binding("ctrl+t", "toggle_theme", "Theme", id="theme.toggle", show=False),
        Binding("f1", "show_keys", "Keys", id="help.keys"),
        Binding("ctrl+g", "usage_report", "Usage report", id="usage.report", show=False),
        Binding("f9", "pick_model", "Model", id="model.pick", show=False),
        Binding("f10", "setup_model", "Set up a model", id="model.setup", show=False),
    ]

    def __init__(self, options: LaunchOptions) -> None:
        super().__init__()
        self.options = options
        self.tally = UsageTally(model=options.model, scripted=options.demo_notice is not None)
        self.runtime: Runtime | None = None
        # The scripted model of ``--demo`` (the launcher stops it when the app is done).
        self.demo_server: ServerThread | None = None
        self.workbench: WorkbenchScreen
        # The session on screen is open (task turns and runs may start), then everything is
        # (the plan shown, a prompt typed early sent).
        self.session_open = False
        self.ready = False
        # Keys the user moved, by binding id (``[ui.keys]``): the palette names them.
        self.remapped_keys: dict[str, str] = {}
        self.routes = EventRoutes()
        self.turns = TurnsController(self)
        self.conversation = ConversationController(self)
        self.project_watch = ProjectWatchController(self)
        self.checkpoints = CheckpointsController(self)
        self.diff_viewer = DiffViewerController(self, self.checkpoints)
        self.tasks = TasksController(self)
        self.run_mode = RunModeController(self)
        self.models = ModelsController(self)
        # Config and theme files changed on disk, in force at once.
        self.settings_watch = SettingsWatchController(self)
        # No model configured: the setup screen (also from the palette).
        self.model_setup = SetupController(self)
        self._subscription: Subscription | None = None
        self._services_closed = False
        # litellm's import on a thread has begun (see start_llm_preload).
        self.llm_preload_started = False
        self._markdown_theme_pushed = False
        themes, self._theme_problems = load_themes([builtin_theme_dir()])
        for theme in themes:
            self.register_theme(theme)
        self.theme = DARK if DARK in self.available_themes else FALLBACK_THEME

    def notify(
        self,
        message: str,
        *,
        title: str = "",
        severity: SeverityLevel = "information",
        timeout: float | None = None,
        markup: bool = False,
    ) -> None:
        """A notification shows its text as written: messages name config sections such as
        ``[model]``, and paths or commands may hold brackets too, which markup would eat."""
        super().notify(message, title=title, severity=severity, timeout=timeout, markup=markup)

    def set_keymap(self, keymap: Mapping[str, str]) -> None:
        """Move keys by binding id; the palette's help texts name the keys as moved."""
        self.remapped_keys = dict(keymap)
        super().set_keymap(keymap)

    def update_keymap(self, keymap: Mapping[str, str]) -> None:
        self.remapped_keys = {**self.remapped_keys, **keymap}
        super().update_keymap(keymap)

    # -- start-up --------------------------------------------------------------------------

    def _sync_markdown_styles(self, *_: object) -> None:
        """Point Rich's markdown styles at the current theme and redraw finished messages."""
        if self._markdown_theme_pushed:
            self.console.pop_theme()
        self.console.push_theme(markdown_theme(self.theme_variables))
        self._markdown_theme_pushed = True
        for screen in self.screen_stack:
            for widget in screen.query("ChatView Static"):
                widget.refresh(layout=True)

    def on_mount(self) -> None:
        from penguin_tui.app.screens.workbench import WorkbenchScreen

        self._sync_markdown_styles()
        self.theme_changed_signal.subscribe(self, self._sync_markdown_styles)

        self.workbench = WorkbenchScreen(self.tally, self.size.width, self.size.height)
        self.push_screen(self.workbench)
        for problem in self._theme_problems:
            self.notify(f"theme {problem.path} skipped: {problem.reason}", severity="warning")
        if self.options.theme:
            self._apply_theme(self.options.theme)
        if self.options.exit_after_first_frame:
            self.call_after_refresh(self.exit, 0)
            return
        self.call_after_refresh(self._start_services)

    # A worker, not a callback of the app's message queue: keys typed while the services open
    # are handled at once instead of waiting behind the whole start.
    @background("services")
    async def _start_services(self) -> None:
        # The side panes and the diff pane come right after the first frame; the services
        # feed them, so they wait for them.
        await self.workbench.panes_mounted.wait()
        runtime = await self._open_runtime()
        if runtime is None:
            return
        self.runtime = runtime
        self._apply_settings(runtime)
        self._follow_engine(runtime)
        await self._open_session(runtime)
        # The session on screen is open: a task turn or a run goes into it from now on (before,
        # the opening would replace the session it went into). The plan shows after it.
        self.session_open = True
        if runtime.tasks is not None:
            if self.options.demo_script is not None:
                from penguin_tui.app.launch import seed_demo_tasks

                await seed_demo_tasks(runtime.tasks, runtime.project_dir)
            self.tasks.pane.show_tasks(runtime.tasks.tasks)
        self.ready = True
        self.turns.started()
        self.set_timer(LLM_PRELOAD_DELAY_S, self.start_llm_preload)
        self.project_watch.start()
        self.settings_watch.start()
        self.checkpoints.apply_retention()
        self.model_setup.offer_at_start(runtime)

    async def _open_runtime(self) -> Runtime | None:
        """The project's services (the demo's scripted model first, with ``--demo``); None,
        said on screen, when they cannot open. What the config's migrations say is shown."""
        # The services' modules (pydantic models, aiosqlite, the engine, the file watcher)
        # take a few hundred ms to import: a thread imports them while the loop keeps drawing
        # and taking keys.
        for module in SERVICE_MODULES:
            await asyncio.to_thread(importlib.import_module, module)
        from penguin_tui.errors import PenguinError
        from penguin_tui.runtime import open_runtime

        api_base = self.options.api_base
        if self.options.demo_script is not None:
            from penguin_tui.app.launch import start_scripted_model

            self.demo_server = await asyncio.to_thread(
                start_scripted_model, self.options.demo_script
            )
            api_base = self.demo_server.base_url
        if self.options.demo_notice:
            await self.workbench.query_one(ChatView).add_notice(self.options.demo_notice)
        notices: list[str] = []
        try:
            runtime = await open_runtime(
                self.options.directory,
                model=self.options.model,
                api_base=api_base,
                read_only_ok=True,
                notices=notices,
            )
        except PenguinError as error:
            self._fatal(error.message)
            return None
        for notice in notices:  # a config file upgraded, or a project's file older than us
            self.notify(notice, severity="warning", timeout=10)
        return runtime

    async def _open_session(self, runtime: Runtime) -> None:
        """The session asked for (resumed, the latest, or a new one), drawn in the chat."""
        from penguin_tui.errors import PenguinError

        try:
            if self.options.session_id:
                await runtime.engine.resume(self.options.session_id)
            elif self.options.continue_latest:
                await runtime.engine.continue_latest()
            else:
                await runtime.engine.new_session()
            await self.conversation.show_session()
        except PenguinError as error:
            self.notify(error.message, severity="error", timeout=10)

    def _apply_settings(self, runtime: Runtime) -> None:
        """The configured model, theme and keys; what the opening had to recover."""
        from penguin_tui.llm.pricing import configured_context_window

        settings = runtime.settings
        self.tally.model = settings.model.name
        if settings.model.name:
            self.tally.context_window = configured_context_window(
                settings.model.name, settings.model
            )
        if self.options.theme is None and settings.ui.theme != self.theme:
            self._apply_theme(settings.ui.theme)
        # The keys ([ui.keys], a project's approval keys refused) and what reloads compare to.
        self.settings_watch.started(runtime)
        if runtime.recovered_messages:
            self.notify(
                f"{runtime.recovered_messages} reply(ies) cut short by a crash were kept "
                f"and marked interrupted"
            )
        if runtime.checkpoint_notice:
            self.notify(runtime.checkpoint_notice, severity="warning", timeout=10)
        if runtime.checkpoints is not None and (notice := runtime.checkpoints.recovery_notice()):
            self.notify(notice, timeout=10)

    def _follow_engine(self, runtime: Runtime) -> None:
        """Route each engine event to the pane or controller that owns what it changes (in
        this order), then follow the bus."""
        workbench = self.workbench
        for owner in (
            workbench.query_one(UsagePane),
            workbench.query_one(ChatView),
            self.checkpoints.browser,
            self.tasks.pane,
            self.project_watch,
            self.checkpoints,
            self.turns,
            self.run_mode,
        ):
            self.routes.add(owner)
        self._subscription = runtime.bus.subscribe()
        self._pump_events()

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        """Every worker failure ends here: logged with its traceback, shown as one line."""
        if event.state is not WorkerState.ERROR:
            return
        error = event.worker.error
        log.error("worker %s failed", event.worker.name, exc_info=error)
        self.notify(
            f"unexpected error: {type(error).__name__}: {error} (details in the log)",
            title="Something went wrong",
            severity="error",
            timeout=15,
        )

    def _fatal(self, message: str) -> None:
        """The services could not start: say why, keep the screen, let the user quit."""
        self.notify(message, title="Cannot start", severity="error", timeout=30)
        self.workbench.query_one(PromptInput).disabled = True
        self.ready = True
        self.turns.started()

    def start_llm_preload(self) -> None:
        """Import litellm on a thread, once: a while after start-up or at the first prompt."""
        if self.llm_preload_started or self._services_closed:
            return
        self.llm_preload_started = True
        self._preload_llm()

    # A thread, not a coroutine: the only worker that needs one (litellm's import blocks).
    @work(thread=True, exclusive=True, group="llm-preload", exit_on_error=False)
    def _preload_llm(self) -> None:
        """Import litellm off the UI thread, then look up the model's context window."""
        from penguin_tui.llm.loader import load_litellm
        from penguin_tui.llm.pricing import context_window
        from penguin_tui.llm.target import litellm_model_name

        load_litellm()
        # Start-up and litellm leave a large heap that lives as long as the app: keep it out
        # of the collector's way, so collections during streaming stay short.
        gc.freeze()
        runtime = self.runtime
        if runtime is None or not runtime.settings.model.name or self.tally.context_window:
            return
        model = runtime.settings.model
        assert model.name is not None
        window = context_window(litellm_model_name(model.name, model.api_base), model)
        self.call_from_thread(self._set_context_window, window)

    def _set_context_window(self, window: int | None) -> None:
        self.tally.context_window = window
        self._refresh_usage()

    # -- events from the engine ------------------------------------------------------------

    @background("events")
    async def _pump_events(self) -> None:
        """Follow the bus; deltas are drawn at most once a frame (the queue merges them)."""
        assert self._subscription is not None
        async for event in self._subscription:
            await self.routes.deliver(event)
            if event.type.endswith(".delta"):
                await asyncio.sleep(FRAME_S)

    def _refresh_usage(self) -> None:
        for pane in self.workbench.query(UsagePane):
            pane.show()

    # -- sessions, theme, keys, quitting ---------------------------------------------------

    def get_system_commands(self, screen: Screen[Any]) -> Iterable[SystemCommand]:
        yield from workbench_commands(self)
        yield from super().get_system_commands(screen)

    def on_prompt_input_submitted(self, message: PromptInput.Submitted) -> None:
        if self.ready:  # the reply needs litellm: no more waiting for it
            self.start_llm_preload()
        self.turns.submit(message)

    def action_cancel_reply(self) -> None:
        """Esc: run mode stops (after the call in flight); else the streaming reply."""
        if not self.run_mode.stop():
            self.turns.cancel()

    def action_run_tasks(self) -> None:
        """Run mode: carry out the plan's ready tasks, each on its own branch."""
        self.run_mode.start()

    async def action_new_session(self) -> None:
        await self.conversation.new_session()

    async def action_resume_session(self) -> None:
        await self.conversation.resume_session()

    def _apply_theme(self, name: str) -> None:
        if name in self.available_themes:
            self.theme = name
        else:
            self.notify(f"unknown theme {name!r}; using {self.theme}", severity="warning")

    def action_toggle_theme(self) -> None:
        self._apply_theme(LIGHT if self.theme == DARK else DARK)

    def action_show_keys(self) -> None:
        if self.screen.query("HelpPanel"):
            self.action_hide_help_panel()
        else:
            self.action_show_help_panel()

    async def action_usage_report(self) -> None:
        """The usage report: this project's calls by model, speed, each branch's cost."""
        if self.runtime is None:
            self.notify("the store is still opening; try again in a moment", severity="warning")
            return
        from penguin_tui.app.screens.usage_report import load_report

        await self.push_screen(await load_report(self.runtime))

    def action_pick_model(self) -> None:
        """The model picker: the model picked answers from the next prompt on."""
        self.models.pick()

    def action_setup_model(self) -> None:
        """The setup screen: provider, key, connection test, model, permission mode."""
        self.model_setup.open()

    def action_task(self, name: str) -> None:
        """A key of the task pane, or its palette command (the pane comes into view)."""
        self.tasks.act(name)

    async def action_quit(self) -> None:
        await self._close_services()
        self.exit(0)

    async def _close_services(self) -> None:
        if self._services_closed:
            return
        self._services_closed = True
        self.project_watch.stop()
        self.settings_watch.stop()
        await self.run_mode.end()
        if self.runtime is not None:
            self.runtime.engine.cancel()
            await self.runtime.close()
        from penguin_tui.llm.loader import shutdown_litellm

        await shutdown_litellm()

    async def on_unmount(self) -> None:
        await self._close_services()


def exit_after_first_frame() -> bool:
    return os.environ.get("PENGUIN_EXIT_AFTER_FIRST_FRAME") == "1"
