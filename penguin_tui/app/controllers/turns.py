"""The agent's turns from the workbench: a prompt sent, a reply cancelled, a tool call asked
about, and what the engine says about its turn (retries, fallbacks, compactions, errors)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from penguin_tui.app.event_routes import handles
from penguin_tui.app.widgets.chat import ChatView
from penguin_tui.app.workers import background

if TYPE_CHECKING:
    from penguin_tui.app.app import PenguinApp
    from penguin_tui.app.widgets.prompt import PromptInput
    from penguin_tui.bus import (
        ApprovalRequested,
        BudgetExceeded,
        BudgetWarning,
        ContextCompacted,
        ErrorOccurred,
        ModelSwitched,
        Retrying,
    )
    from penguin_tui.engine.approvals import ApprovalAnswer

STILL_STREAMING = "a reply is still streaming; Esc cancels it"
RUN_MODE_RUNNING = "run mode is working on the tasks; Esc stops it first"
STARTING_UP = "starting up: the prompt is sent as soon as the project is open"
STARTING_UP_WAIT = "starting up: the project is not open yet"


class TurnsController:
    """Sends prompts to the engine, cancels replies, and shows its questions and notices."""

    def __init__(self, app: PenguinApp) -> None:
        self.app = app
        # A prompt sent while the services were still opening: it goes out once they are up.
        self.waiting: PromptInput.Submitted | None = None

    def submit(self, message: PromptInput.Submitted) -> None:
        """Enter in the prompt: the text goes to the agent, unless a turn is under way."""
        if not self.app.ready:
            # Until the session on screen is open: a turn sent before it would land in a
            # session the opening then replaces.
            self.waiting = message
            self.app.notify(STARTING_UP)
            return
        runtime = self.app.runtime
        if runtime is None:
            return
        if self.app.run_mode.running:
            self.app.notify(RUN_MODE_RUNNING, severity="warning")
            return
        if runtime.engine.busy:
            self.app.notify(STILL_STREAMING, severity="warning")
            return
        message.prompt.remember(message.text)
        message.prompt.clear()
        # The prompt and its reply come into view even when the chat was scrolled up.
        self.app.workbench.query_one(ChatView).follow()
        self.send(message.text)

    def started(self) -> None:
        """The services are up (or failed to start): send the prompt that waited for them."""
        message, self.waiting = self.waiting, None
        if message is not None and self.app.runtime is not None:
            self.submit(message)

    @background("turn")
    async def send(self, text: str) -> None:
        from penguin_tui.errors import PenguinError

        runtime = self.app.runtime
        if runtime is None:
            return
        try:
            await runtime.engine.send(text)
        except PenguinError as error:
            self.app.notify(error.message, severity="error")

    def cancel(self) -> None:
        """Esc: stop the streaming reply; with none, restore a maximised pane."""
        runtime = self.app.runtime
        if runtime is not None and runtime.engine.cancel():
            return
        if self.app.screen.maximized is not None:
            self.app.screen.minimize()

    @handles
    def approval_requested(self, event: ApprovalRequested) -> None:
        """Show the question; the answer goes back to the engine by the request's id."""
        from penguin_tui.app.screens.approval import ApprovalScreen

        def answered(answer: ApprovalAnswer | None) -> None:
            runtime = self.app.runtime
            if runtime is not None and answer is not None:
                runtime.engine.answer_approval(event.request_id, answer)

        self.app.push_screen(ApprovalScreen.asking(event), answered)

    @handles
    def model_switched(self, event: ModelSwitched) -> None:
        self.app.notify(
            f"{event.from_model} kept failing; switched to {event.to_model}",
            severity="warning",
            timeout=8,
        )

    @handles
    def context_compacted(self, event: ContextCompacted) -> None:
        self.app.notify(
            f"compacted {event.messages} messages (~{event.tokens_before:,} tokens) into a "
            f"summary of ~{event.tokens_after:,}: {event.reason}",
            timeout=8,
        )

    @handles
    def retrying(self, event: Retrying) -> None:
        self.app.notify(
            f"{event.reason} — retrying in {event.delay_s:.1f}s", severity="warning", timeout=4
        )

    @handles
    def budget_exceeded(self, event: BudgetExceeded) -> None:
        self.app.notify(event.message, title="Budget reached", severity="warning", timeout=10)

    @handles
    def budget_warning(self, event: BudgetWarning) -> None:
        self.app.notify(event.message, title="Budget at 80%", severity="warning", timeout=10)

    @handles
    def error_occurred(self, event: ErrorOccurred) -> None:
        cancelled = event.kind == "cancelled"
        self.app.notify(
            event.message,
            severity="information" if cancelled else "error",
            timeout=4 if cancelled else 10,
        )
