"""Run mode from the workbench: the ready tasks carried out one at a time while the chat shows
each task's conversation, the task pane its progress and the browser its branch; Esc stops it
after the model call in flight, a second Esc at once."""

from __future__ import annotations

import contextlib
from typing import TYPE_CHECKING

from penguin_tui.app.event_routes import handles
from penguin_tui.app.workers import background
from penguin_tui.formatting import money
from penguin_tui.words import plural

if TYPE_CHECKING:
    from textual.worker import Worker

    from penguin_tui.app.app import PenguinApp
    from penguin_tui.bus import RunModeFinished, RunModeStarted, TaskFinished
    from penguin_tui.runmode.runner import RunMode

ALREADY_RUNNING = "run mode is running: Esc stops it after the model call in flight"
STOPPING = "run mode stops after the model call in flight; Esc again stops it now"


class RunModeController:
    """Starts run mode, stops it on Esc, and tells the user how each task and the run ended."""

    def __init__(self, app: PenguinApp) -> None:
        self.app = app
        self.run: RunMode | None = None
        self._stop_asked = False
        self._worker: Worker[None] | None = None

    @property
    def running(self) -> bool:
        return self.run is not None

    def start(self) -> None:
        """The run key (or its palette command): carry out the ready tasks."""
        from penguin_tui.app.controllers.turns import STARTING_UP_WAIT
        from penguin_tui.errors import PenguinError
        from penguin_tui.runmode.runner import RunMode

        runtime = self.app.runtime
        if runtime is None or not self.app.session_open:
            self.app.notify(STARTING_UP_WAIT, severity="warning")
            return
        if self.running:
            self.app.notify(ALREADY_RUNNING, severity="warning")
            return
        if runtime.engine.busy:
            self.app.notify("a reply is still streaming; Esc cancels it", severity="warning")
            return
        try:
            self.run = RunMode(runtime)
        except PenguinError as error:
            self.app.notify(error.message, severity="error")
            return
        self._stop_asked = False
        self._worker = self._carry_out(self.run)

    @background("run mode")
    async def _carry_out(self, run: RunMode) -> None:
        from penguin_tui.errors import PenguinError

        try:
            await run.run()
        except PenguinError as error:
            self.app.notify(error.message, severity="error", timeout=10)
        finally:
            self.run = None

    def stop(self) -> bool:
        """Esc while it runs: stop after the call in flight; a second Esc stops it now.
        False when run mode is not running."""
        if self.run is None:
            return False
        if self._stop_asked:
            self.run.interrupt()
        else:
            self._stop_asked = True
            self.run.stop()
            self.app.notify(STOPPING)
        return True

    async def end(self) -> None:
        """Quitting: stop the run now and wait until it has left everything consistent."""
        worker = self._worker
        if self.run is not None:
            self.run.interrupt()
        if worker is not None and not worker.is_finished:
            from textual.worker import WorkerCancelled, WorkerFailed

            # A failed run was reported by the app's worker handler already.
            with contextlib.suppress(WorkerCancelled, WorkerFailed):
                await worker.wait()

    # -- what the run says -------------------------------------------------------------------

    @handles
    async def run_started(self, event: RunModeStarted) -> None:
        """The run's session (new, or the one a stopped run goes on in) fills the chat."""
        await self.app.conversation.show_session()
        ready = ", ".join(event.ready) or "nothing"
        self.app.notify(f"run mode: ready {ready}", title="Run mode", timeout=4)

    @handles
    def task_finished(self, event: TaskFinished) -> None:
        why = f": {event.reason}" if event.reason else ""
        self.app.notify(
            f"{event.id} {event.status}{why} ({money(event.cost_usd)})",
            title="Run mode",
            severity="information" if event.status == "done" else "warning",
            timeout=6,
        )

    @handles
    def run_finished(self, event: RunModeFinished) -> None:
        counts = [f"{len(event.done)} done"]
        if event.failed:
            counts.append(f"{len(event.failed)} failed")
        if event.blocked:
            counts.append(f"{len(event.blocked)} blocked")
        started = len(event.done) + len(event.failed) + len(event.blocked)
        self.app.notify(
            f"run mode stopped ({event.stop_reason}) after {plural(started, 'task')}: "
            f"{', '.join(counts)}, {money(event.cost_usd)}",
            title="Run mode",
            timeout=10,
        )
