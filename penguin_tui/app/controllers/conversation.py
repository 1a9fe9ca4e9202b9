"""Sessions in the workbench: a new one, one resumed, and the chat drawn again after a
branch, switch, revert or undo moved the conversation."""

from __future__ import annotations

from typing import TYPE_CHECKING

from penguin_tui.app.controllers.turns import STILL_STREAMING
from penguin_tui.app.widgets.chat import SUMMARY_NOTICE, ChatView
from penguin_tui.app.widgets.chat_history import history_entries
from penguin_tui.app.widgets.tool_call import ToolCallView, ToolOutcome
from penguin_tui.app.widgets.usage import UsagePane, UsageTally

if TYPE_CHECKING:
    from penguin_tui.app.app import PenguinApp
    from penguin_tui.runtime import Runtime
    from penguin_tui.store import AuditEntry, UsageRecord


def redrawn_outcome(
    entry: AuditEntry | None, seen: ToolOutcome | None, stored: ToolOutcome | None
) -> ToolOutcome | None:
    """How a tool call is drawn again after a reload: its status, summary and time from its
    audit row, its output and diff as this run saw them (``seen``), else the output the store
    kept (``stored``, the answer the model was given)."""
    if entry is None:
        return seen
    preview = seen.preview if seen else stored.preview if stored else ""
    duration_ms = (entry.ended_at - entry.started_at) * 1000
    return ToolOutcome(
        entry.status, entry.summary, duration_ms, preview, seen.diff if seen else None
    )


class ConversationController:
    """Starts and resumes sessions; redraws the chat from the store, each tool call as it
    ended in this run."""

    def __init__(self, app: PenguinApp) -> None:
        self.app = app
        # How each tool call this run showed ended, by call id: a call that left the chat (a
        # revert of the conversation) gets its diff back after an undo or a switch.
        self.tool_outcomes: dict[str, ToolOutcome] = {}

    def idle_runtime(self) -> Runtime | None:
        """The runtime, when the session is open and no turn and no run is under way (else
        None, said so): what starting a turn or changing the session needs."""
        from penguin_tui.app.controllers.turns import RUN_MODE_RUNNING, STARTING_UP_WAIT

        runtime = self.app.runtime
        if runtime is not None and not self.app.session_open:  # the session is still opening
            self.app.notify(STARTING_UP_WAIT, severity="warning")
            return None
        if self.app.run_mode.running:
            self.app.notify(RUN_MODE_RUNNING, severity="warning")
            return None
        if runtime is not None and runtime.engine.busy:
            self.app.notify(STILL_STREAMING, severity="warning")
            return None
        return runtime

    async def new_session(self) -> None:
        """ctrl+n: an empty conversation on this project."""
        runtime = self.idle_runtime()
        if runtime is None:
            return
        await runtime.engine.new_session()
        await self.show_session()
        self.app.notify("new session started")

    async def resume_session(self) -> None:
        """ctrl+r: pick a past session of this project and carry on with it."""
        from penguin_tui.app.screens.sessions import SessionPicker

        runtime = self.idle_runtime()
        if runtime is None:
            return
        summaries = await runtime.store.list_sessions(runtime.engine.project.id)
        rows = [
            (s.session.id, s.session.title, s.session.updated_at, s.messages, s.usage.cost_usd)
            for s in summaries
        ]

        async def resume(session_id: str | None) -> None:
            if session_id and self.idle_runtime() is not None:
                await runtime.engine.resume(session_id)
                await self.show_session()

        await self.app.push_screen(SessionPicker(rows), resume)

    async def reload(self) -> None:
        """The chat drawn again from the store, each tool call as it ended (its status,
        summary and time from the audit log, its output and diff as this run saw it), not as
        a call "from an earlier session"."""
        chat = self.app.workbench.query_one(ChatView)
        for shown in chat.query(ToolCallView):
            if shown.outcome is not None:
                self.tool_outcomes[shown.call_id] = shown.outcome
        await self.show_session()
        runtime = self.app.runtime
        session = runtime.engine.session if runtime is not None else None
        if runtime is None or session is None:
            return
        entries = await runtime.store.audit_log(session_id=session.id)
        audit = {entry.call_id: entry for entry in entries}
        for view in chat.query(ToolCallView):
            seen = self.tool_outcomes.get(view.call_id)
            outcome = redrawn_outcome(audit.get(view.call_id), seen, view.outcome)
            if outcome is not None:
                view.finished(
                    outcome.status,
                    outcome.summary,
                    outcome.duration_ms,
                    outcome.preview,
                    outcome.diff,
                )

    async def show_session(self) -> None:
        """Fill the chat and the usage pane from the store (resume, new session)."""
        assert self.app.runtime is not None
        engine = self.app.runtime.engine
        chat = self.app.workbench.query_one(ChatView)
        await chat.clear_messages()
        if self.app.options.demo_notice:
            await chat.add_notice(self.app.options.demo_notice)
        messages = await engine.history()
        statuses = await engine.call_statuses(messages)
        await chat.show_history(history_entries(messages, statuses, SUMMARY_NOTICE))
        self.app.tally = self._tally_from_store(
            await self.app.runtime.store.usage_rows(engine.session.id) if engine.session else []
        )
        self.app.workbench.query_one(UsagePane).tally = self.app.tally
        self.app._refresh_usage()
        if engine.session is not None:
            self.app.sub_title = (
                f"{self.app.runtime.project_dir.name} · session {engine.session.id}"
            )
        self.app.checkpoints.reload()

    def _tally_from_store(self, rows: list[UsageRecord]) -> UsageTally:
        assert self.app.runtime is not None
        tally = UsageTally(
            model=self.app.runtime.settings.model.name,
            scripted=self.app.options.demo_notice is not None,
            context_window=self.app.tally.context_window,
        )
        for row in rows:
            tally.call_recorded(
                row.input_tokens,
                row.output_tokens,
                row.cost_usd,
                row.ttft_ms,
                row.duration_ms,
                estimated=row.tokens_source == "estimate",
                cache=(row.cache_read_tokens, row.cache_write_tokens),
                price_source=row.cost_source,
            )
        return tally
