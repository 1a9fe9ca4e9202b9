"""Settings changed on disk, in force at once: the user's and the project's config files
(``[ui.keys]`` lives in them) and the theme files.

Each batch of changes reads every layer again. A file that cannot be used is one notification
naming the file, the line and the key, and the last good settings stay in force. What a
project's file may do is what it may do at start: tighten permissions only, never move the
approval keys (refused with a notification), and a new model (name, API base, prices) only
once the user says yes; the user's own file applies directly.
"""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import TYPE_CHECKING, Any

from penguin_tui.app.keymap import bindings_by_id
from penguin_tui.app.themes import builtin_theme_dir, load_themes
from penguin_tui.app.workers import background

if TYPE_CHECKING:
    from penguin_tui.app.app import PenguinApp
    from penguin_tui.config.settings import Settings
    from penguin_tui.runtime import Runtime


def approval_keys() -> frozenset[str]:
    """The approval question's binding ids: a project's file may never move them."""
    from penguin_tui.app.screens.approval import ApprovalScreen

    return frozenset(bindings_by_id([ApprovalScreen]))


class SettingsWatchController:
    """Follows the config and theme files and puts each good change in force."""

    def __init__(self, app: PenguinApp) -> None:
        self.app = app
        self.theme_dir = builtin_theme_dir()
        # The settings last read from disk and put in force (a project's model held back
        # until accepted is not in them).
        self.loaded: Settings | None = None
        # The project's [model] name / API base / prices the user accepted (those at start
        # count as accepted), declined, and being asked about.
        self._accepted_model: dict[str, Any] = {}
        self._declined_model: dict[str, Any] | None = None
        self._asking: dict[str, Any] | None = None
        self._last_problem: str | None = None
        self._refused: list[str] = []
        self._notices_said: set[str] = set()
        self._stop: asyncio.Event | None = None

    # -- start -----------------------------------------------------------------------------

    def started(self, runtime: Runtime) -> None:
        """At start: refuse a project's approval keys, move the others, remember the rest."""
        from penguin_tui.config.settings import read_layer
        from penguin_tui.config.watch import kept_keys, project_model, refused_keys
        from penguin_tui.errors import ConfigError

        settings = runtime.settings
        try:
            user_layer = read_layer(runtime.paths.user_config)
            project_layer = read_layer(self.project_file(runtime))
        except ConfigError:  # the settings were read a moment ago; the files changed since
            user_layer, project_layer = {}, {}
        refused = refused_keys(project_layer, approval_keys())
        settings.ui.keys = kept_keys(settings.ui.keys, user_layer, refused)
        self._say_refused(runtime, refused)
        self._accepted_model = project_model(project_layer)
        self.loaded = settings.model_copy(deep=True)
        if settings.ui.keys:
            self.app.set_keymap(settings.ui.keys)

    @background("settings-watch")
    async def start(self) -> None:
        """Follow the config and theme files until the app closes."""
        from penguin_tui.config.watch import watch_files

        runtime = self.app.runtime
        if runtime is None:
            return
        self._stop = asyncio.Event()
        files = [runtime.paths.user_config, self.project_file(runtime)]
        await watch_files(files, [self.theme_dir], self._changed, stop=self._stop)

    def stop(self) -> None:
        """Stop following the files (the app is closing)."""
        if self._stop is not None:
            self._stop.set()

    @staticmethod
    def project_file(runtime: Runtime) -> Path:
        from penguin_tui.config.settings import PROJECT_CONFIG

        return runtime.project_dir / PROJECT_CONFIG

    # -- a change --------------------------------------------------------------------------

    async def _changed(self, paths: set[Path]) -> None:
        themes = {path for path in paths if path.parent == self.theme_dir.absolute()}
        if themes:
            self._reload_themes(themes)
        if paths - themes:
            self.reload()

    def reload(self) -> None:
        """Read every layer again and put what changed in force (or say what is wrong)."""
        from penguin_tui.config.settings import load_settings, read_layer
        from penguin_tui.config.watch import kept_keys, project_model, refused_keys, reload_problem
        from penguin_tui.errors import ConfigError
        from penguin_tui.runtime import reload_settings

        runtime, before = self.app.runtime, self.loaded
        if runtime is None or before is None:
            return
        notices: list[str] = []
        try:
            after = load_settings(
                runtime.paths.user_config,
                runtime.project_dir,
                model=self.app.options.model,
                api_base=self._api_base_flag(),
                notices=notices,
            )
            user_layer = read_layer(runtime.paths.user_config)
            project_layer = read_layer(self.project_file(runtime))
            self._check_theme(runtime, after, project_layer)
            refused = refused_keys(project_layer, approval_keys())
            after.ui.keys = kept_keys(after.ui.keys, user_layer, refused)
            guarded = project_model(project_layer)
            held, ask = self._hold_model(before, after, guarded)
            reload_settings(runtime, before, held)
        except ConfigError as error:
            self._problem(reload_problem(error))
            return
        finally:
            self._say_notices(notices)
        self._last_problem = None
        self.loaded = held
        self._say_refused(runtime, refused)
        self._apply_look(runtime, before, held)
        if ask:
            self._ask(runtime, guarded, before, after)

    def _api_base_flag(self) -> str | None:
        """The API base of the command line (``--demo``: its scripted model's)."""
        server = self.app.demo_server
        return server.base_url if server is not None else self.app.options.api_base

    def _check_theme(self, runtime: Runtime, after: Settings, project: dict[str, Any]) -> None:
        """A theme no file defines is a bad setting like any other (the old one stays)."""
        from penguin_tui.errors import ConfigError

        theme = after.ui.theme
        if self.app.options.theme is not None or theme in self.app.available_themes:
            return
        ui = project.get("ui", {})
        in_project = isinstance(ui, dict) and "theme" in ui
        source = self.project_file(runtime) if in_project else runtime.paths.user_config
        raise ConfigError(f"bad setting ui.theme from {source}: there is no theme named {theme!r}")

    def _hold_model(
        self, before: Settings, after: Settings, guarded: dict[str, Any]
    ) -> tuple[Settings, bool]:
        """``after``, with the model's name, API base and prices as they were while a change
        of them by the project's file waits for a yes; and whether to ask now."""
        from penguin_tui.config.watch import GUARDED_MODEL_SETTINGS

        if guarded == self._accepted_model:
            return after, False
        new = {key: getattr(after.model, key) for key in GUARDED_MODEL_SETTINGS}
        old = {key: getattr(before.model, key) for key in GUARDED_MODEL_SETTINGS}
        if new == old:  # nothing the model answers with changes (a flag wins, say)
            self._accepted_model = guarded
            return after, False
        held = after.model_copy(deep=True)
        for key, value in old.items():
            setattr(held.model, key, value)
        return held, guarded not in (self._declined_model, self._asking)

    def _ask(
        self, runtime: Runtime, guarded: dict[str, Any], before: Settings, after: Settings
    ) -> None:
        from penguin_tui.app.screens.accept_project_model import AcceptProjectModel

        self._asking = guarded
        changes = []
        if after.model.name != before.model.name:
            changes.append(f"the model to {after.model.name}")
        if after.model.api_base != before.model.api_base:
            changes.append(f"the API base to {after.model.api_base}")
        if after.model.prices != before.model.prices:
            changes.append("the model prices")
        question = AcceptProjectModel(str(self.project_file(runtime)), changes)

        def answered(yes: bool | None) -> None:
            if self._asking != guarded:
                return  # the file changed again while the question was open
            self._asking = None
            if yes:
                self._accepted_model, self._declined_model = guarded, None
                self.reload()
            else:
                self._declined_model = guarded

        self.app.push_screen(question, answered)

    # -- what the user sees ----------------------------------------------------------------

    def _problem(self, message: str) -> None:
        """One notification per problem: saving the same broken file again says nothing new."""
        if message != self._last_problem:
            self._last_problem = message
            self.app.notify(message, title="Config not applied", severity="error", timeout=15)

    def _say_notices(self, notices: list[str]) -> None:
        """An upgraded user file or an older project file, each said once (not at every save)."""
        for notice in notices:
            if notice not in self._notices_said:
                self._notices_said.add(notice)
                self.app.notify(notice, timeout=10)

    def _say_refused(self, runtime: Runtime, refused: list[str]) -> None:
        from penguin_tui.config.watch import line_of_key

        if refused and refused != self._refused:
            source = self.project_file(runtime)
            line = line_of_key(source, f"ui.keys.{refused[0]}")
            where = f"{source}, line {line}" if line else str(source)
            self.app.notify(
                f"{where}: [ui.keys] {', '.join(refused)} refused: a project's config may "
                "not move the approval keys (they stay as your own config has them)",
                severity="warning",
                timeout=15,
            )
        self._refused = refused

    def _apply_look(self, runtime: Runtime, before: Settings, after: Settings) -> None:
        """The theme, the keys and the model's name in the usage pane, where they changed."""
        app = self.app
        if app.options.theme is None and after.ui.theme != before.ui.theme:
            app.theme = after.ui.theme
        if after.ui.keys != before.ui.keys:
            app.set_keymap(after.ui.keys)
        if after.model != before.model:
            from penguin_tui.app.widgets.usage import UsagePane
            from penguin_tui.llm.pricing import configured_context_window

            model = runtime.settings.model
            app.tally.model = model.name
            window = configured_context_window(model.name, model) if model.name else None
            app.tally.context_window = window
            for pane in app.workbench.query(UsagePane):
                pane.show()

    def _reload_themes(self, changed: set[Path]) -> None:
        """Theme files saved: each good one registered again (the current one repainted); a
        bad one is said, and the theme it held stays as it was."""
        themes, problems = load_themes([self.theme_dir])
        names = set()
        for theme in themes:
            self.app.register_theme(theme)
            names.add(theme.name)
        for problem in problems:
            if Path(problem.path).absolute() in changed:
                self._problem(f"theme {problem.path} not applied: {problem.reason}")
        if self.app.theme in names:
            self.app.mutate_reactive(type(self.app).theme)
