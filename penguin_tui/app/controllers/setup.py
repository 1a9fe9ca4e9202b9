"""Setting up a model from the workbench: the setup screen at start when no model is
configured (and from the palette any time), and its result put in force at once."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from penguin_tui.app.app import PenguinApp
    from penguin_tui.runtime import Runtime
    from penguin_tui.setup.flow import SetupResult

# Said when the setup screen closes with no model configured.
SETUP_LATER = "or open the command palette (ctrl+p) and choose Set up a model"


class SetupController:
    """Opens the setup screen, and reloads the settings once it has written them."""

    def __init__(self, app: PenguinApp) -> None:
        self.app = app

    def offer_at_start(self, runtime: Runtime) -> None:
        """With no model configured (and no ``--demo``), open the setup screen."""
        if runtime.settings.model.name or self.app.demo_server is not None:
            return
        self.open()

    def open(self) -> None:
        """The setup screen over the workbench."""
        runtime = self.app.runtime
        if runtime is None:
            self.app.notify("the store is still opening; try again in a moment", severity="warning")
            return
        from penguin_tui.app.screens.setup import SetupScreen

        self.app.push_screen(SetupScreen(runtime.paths), self.finished)

    def finished(self, result: SetupResult | None) -> None:
        """Closed: what setup wrote is in force from the next prompt on (one reload, one
        notification; the file watcher finds nothing new after it). Closed without a model:
        what to do instead."""
        runtime = self.app.runtime
        if runtime is None:
            return
        if result is None:
            if not runtime.settings.model.name:
                from penguin_tui.llm.target import NO_MODEL_HINT

                self.app.notify(f"{NO_MODEL_HINT}; {SETUP_LATER}", severity="warning", timeout=15)
            return
        self.app.settings_watch.reload()
        self.app.notify("\n".join(result.summary()), title="Model set up", timeout=10)
