"""The agent engine: a prompt in; model → tool calls → results → model until it answers.

UI and CLI call its methods; it answers only with events. Every step is stored before it is
announced, and every way a turn can end leaves a history the next request accepts.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any, Protocol

from penguin_tui.bus import EventBus, MessageStarted, SessionStarted
from penguin_tui.bus.events import ToolCallStatus
from penguin_tui.config.settings import Settings
from penguin_tui.engine.approvals import ApprovalAnswer, Approver
from penguin_tui.engine.budgets import (
    announce_stop,
    announce_warning,
    call_prices,
    money_guards,
    tightest_cap,
    turn_budget,
)
from penguin_tui.engine.cancelling import TurnCancel
from penguin_tui.engine.compaction import (
    COMPACT_COMMAND,
    Compactor,
    compaction_targets,
    context_tokens,
)
from penguin_tui.engine.history import (
    assistant_message,
    belongs_in_context,
    call_statuses,
    estimate_tokens,
    to_openai,
    tool_message,
)
from penguin_tui.engine.reply import estimate_request_tokens
from penguin_tui.engine.spend_guard import (
    BudgetExceededError,
    CallSpend,
    SpendGuard,
    UnitPrice,
)
from penguin_tui.engine.streaming import ReplyStreamer, StreamedReply, publish_completed, report
from penguin_tui.engine.titles import SessionTitler, title_request_tokens
from penguin_tui.engine.tool_runner import CANCELLED, ToolRunner
from penguin_tui.engine.tools.registry import tool_schemas
from penguin_tui.errors import PenguinError, PromptTooLargeError
from penguin_tui.llm.client import ChatRequest, LLMClient
from penguin_tui.llm.pricing import context_window
from penguin_tui.llm.target import ModelTarget, resolve_target
from penguin_tui.store import (
    Message,
    MessageStatus,
    Project,
    Role,
    Session,
    Store,
    ToolCallRequest,
)

__all__ = ["ChatEngine", "TurnResult", "estimate_tokens"]


@dataclass(frozen=True)
class TurnResult:
    """How a turn ended: complete, interrupted (cancel, broken stream, limit) or error."""

    status: MessageStatus
    reply: Message | None
    error: PenguinError | None = None


TargetResolver = Callable[[Settings], list[ModelTarget]]


class TurnHooks(Protocol):
    """What runs around an agent turn: the checkpoint service implements it."""

    async def capture_outside_edits(self, session_id: str) -> object: ...

    async def after_turn(self, session_id: str, prompt: str) -> object: ...


def default_targets(settings: Settings) -> list[ModelTarget]:
    """The configured model first, then its fallbacks, all at the configured API base."""
    model, key_env = settings.model, settings.model.key_env
    primary = resolve_target(model.name, model.api_base, key_env=key_env)
    fallbacks = [resolve_target(n, model.api_base, key_env=key_env) for n in model.fallback_models]
    return [primary, *fallbacks]


class ChatEngine:
    """Runs the turns of one session of one project; at most one turn at a time."""

    def __init__(
        self,
        store: Store,
        bus: EventBus,
        settings: Settings,
        project: Project,
        tools: ToolRunner,
        resolve: TargetResolver = default_targets,
    ) -> None:
        self.store = store
        self.bus = bus
        self.settings = settings
        self.project = project
        self.tools = tools
        self._resolve = resolve
        self._streamer = ReplyStreamer(store, bus, LLMClient(settings.model), settings.model)
        self._streamer.running_task = lambda: self.tools.context.running_task
        self._compactor = Compactor(store, bus, self._streamer)
        self._titler = SessionTitler(store, bus, settings.model)
        self._title_task: asyncio.Task[None] | None = None
        self.session: Session | None = None
        self._turn: asyncio.Task[TurnResult] | None = None
        self._cancel = TurnCancel()
        self._stop_requested = False
        self.hooks: TurnHooks | None = None
        # Set (to the reason) when another instance owns the project: no turns from here.
        self.read_only = ""
        self._ran_tools = False
        # Budgets that outlive a turn (run mode's task and run budgets): checked before each
        # call with the turn's own, and charged with every call.
        self.standing_guards: list[SpendGuard] = []

    @property
    def model_name(self) -> str | None:
        return self.settings.model.name

    def switch_model(self, name: str) -> None:
        """Answer with ``name`` from the next call on, for as long as this engine lives (the
        config keeps its own model); the targets are resolved again at each turn."""
        self.settings.model.name = name

    @property
    def busy(self) -> bool:
        return self._turn is not None and not self._turn.done()

    def prices(self) -> list[UnitPrice | None]:
        """The price of each model a call may be answered by (None: no known price); raises
        what resolving the configured model raises (none set, an unknown provider)."""
        return call_prices(self._resolve(self.settings), self.settings)

    def stop_after_call(self) -> bool:
        """End the turn once the model call in flight and its tool calls are done (run mode's
        first Esc / Ctrl+C); False when nothing is running."""
        if not self.busy:
            return False
        self._stop_requested = True
        return True

    def set_approver(self, approver: Approver | None) -> None:
        """Answer approval questions with ``approver`` (headless) instead of waiting for a UI."""
        self.tools.approver = approver

    def answer_approval(self, request_id: str, answer: ApprovalAnswer) -> bool:
        return self.tools.answer(request_id, answer)

    # -- sessions --------------------------------------------------------------------------

    async def new_session(self) -> Session:
        self.session = await self.store.create_session(self.project.id, self.model_name)
        await self._announce(resumed=False)
        return self.session

    async def resume(self, session_id: str) -> Session:
        self.session = await self.store.get_session(session_id)
        await self._announce(resumed=True)
        return self.session

    async def continue_latest(self) -> Session:
        latest = await self.store.latest_session(self.project.id)
        if latest is None:
            return await self.new_session()
        return await self.resume(latest.id)

    async def _announce(self, resumed: bool) -> None:
        assert self.session is not None
        await self.bus.publish(
            SessionStarted(
                session_id=self.session.id,
                project=self.project.root,
                model=self.model_name,
                resumed=resumed,
            )
        )

    async def history(self) -> list[Message]:
        if self.session is None:
            return []
        return await self.store.branch_path(self.session.id)

    async def call_statuses(self, messages: list[Message]) -> dict[str, ToolCallStatus]:
        """How each call answered in ``messages`` (the session's) ended, by the answer's id."""
        if self.session is None:
            return {}
        return call_statuses(messages, await self.store.audit_log(session_id=self.session.id))

    # -- turns -----------------------------------------------------------------------------

    async def send(self, prompt: str) -> TurnResult:
        """Run one turn to its end; ``cancel()`` ends it early, keeping what was produced."""
        if self.busy:
            raise PenguinError("a reply is still streaming; press Esc to cancel it first")
        if self.read_only:
            raise PenguinError(self.read_only)
        self._stop_requested = False
        if prompt.strip() == COMPACT_COMMAND:
            self._turn = asyncio.create_task(self._run_compaction())
        else:
            self._turn = asyncio.create_task(self._run_turn(prompt))
        self._cancel.start(self._turn)
        return await self._turn

    def cancel(self) -> bool:
        """Stop the reply and any running tool; False when nothing was running."""
        if not self.busy:
            return False
        self._cancel.request()
        return True

    async def wait_idle(self) -> None:
        """Wait for the turn, and for a session title being written."""
        if self._turn is not None:
            await asyncio.gather(self._turn, return_exceptions=True)
        if self._title_task is not None:
            await asyncio.gather(self._title_task, return_exceptions=True)

    async def _write_title(self, session_id: str, prompt: str) -> None:
        """``[model.roles] title``: the new session's title, asked for in the background;
        a failure is reported and the first line of the prompt stays the title. The call
        is checked against the money budgets like any other: with none left it is not made."""
        try:
            target = self._titler.target()
            if target is None:
                return
            guards = await money_guards(
                self.store, self.settings.budget, session_id, self.project.id
            )
            prices = call_prices([target], self.settings)
            cap = tightest_cap(guards, title_request_tokens(prompt), prices)
            await self._titler.title(session_id, prompt, cap)
        except BudgetExceededError:
            return  # no money left for it: the first line of the prompt stays the title
        except PenguinError as error:
            error.message = f"no title for the session: {error.message}"
            await report(self.bus, session_id, error, "title")

    def _check_size(self, prompt: str, history: list[Message], target: ModelTarget) -> int:
        """The context's size with the prompt; a prompt alone over the window is refused
        (a long history is compacted instead)."""
        prompt_tokens = estimate_tokens(prompt)
        window = context_window(target.litellm_model, self.settings.model)
        if window is not None and prompt_tokens > window:
            raise PromptTooLargeError(
                f"the prompt is about {prompt_tokens:,} tokens, more than {target.name}'s "
                f"window of {window:,}: shorten it, or attach the text as a file to read"
            )
        return prompt_tokens + context_tokens(history)

    async def _run_turn(self, prompt: str) -> TurnResult:
        history = [m for m in await self.history() if belongs_in_context(m)]
        try:
            targets = self._resolve(self.settings)
            estimate = self._check_size(prompt, history, targets[0])
            summary_targets = compaction_targets(self.settings, targets)
        except PenguinError as error:
            await report(self.bus, self.session.id if self.session else "", error)
            return TurnResult(MessageStatus.ERROR, None, error)
        # A session is only made once the turn can be sent, so failed runs leave none behind.
        if self.session is None:
            await self.new_session()
        assert self.session is not None
        session_id = self.session.id
        window = context_window(targets[0].litellm_model, self.settings.model)
        share = self.settings.agent.compact_at
        if window is not None and len(history) > 1 and estimate > share * window:
            reason = (
                f"the conversation filled {estimate / window:.0%} of {targets[0].name}'s window"
            )
            compacted = await self._compactor.compact(
                session_id, history, summary_targets, reason, self._cancel
            )
            if compacted.status is not MessageStatus.COMPLETE:
                return TurnResult(compacted.status, compacted.message, compacted.failure)
            history = [m for m in await self.history() if belongs_in_context(m)]
        if self.hooks is not None:
            await self._run_hook(session_id, self.hooks.capture_outside_edits(session_id))
        parent = await self.store.branch_head(session_id)
        user = await self.store.add_message(
            session_id, parent, Role.USER, prompt, MessageStatus.COMPLETE
        )
        await self.store.touch_session(session_id, title=prompt.strip().splitlines()[0][:80])
        await publish_completed(self.bus, user)
        messages = to_openai([*history, user])
        self._ran_tools = False
        try:
            result = await self._agent_loop(user, messages, targets)
        finally:
            if self._ran_tools and self.hooks is not None:
                after = self.hooks.after_turn(session_id, prompt)
                await asyncio.shield(self._run_hook(session_id, after))
        if (
            not history
            and result.status is MessageStatus.COMPLETE
            and self.settings.model.roles.title
        ):
            self._title_task = asyncio.create_task(self._write_title(session_id, prompt))
        return result

    async def _run_hook(self, session_id: str, hook: Awaitable[object]) -> None:
        """Checkpoint around a turn; a failure is reported, and the turn goes on."""
        try:
            await hook
        except PenguinError as error:
            await report(self.bus, session_id, error, "checkpoint")

    async def _run_compaction(self) -> TurnResult:
        """``/compact``: summarise the conversation now."""
        history = [m for m in await self.history() if belongs_in_context(m)]
        try:
            if self.session is None:
                raise PenguinError("nothing to compact yet: the session is empty")
            targets = compaction_targets(self.settings, self._resolve(self.settings))
            compacted = await self._compactor.compact(
                self.session.id,
                history,
                targets,
                "asked for with /compact",
                self._cancel,
            )
        except PenguinError as error:
            await report(self.bus, self.session.id if self.session else "", error)
            return TurnResult(MessageStatus.ERROR, None, error)
        return TurnResult(compacted.status, compacted.message, compacted.failure)

    async def _agent_loop(
        self,
        user: Message,
        messages: list[dict[str, Any]],
        targets: list[ModelTarget],
    ) -> TurnResult:
        """Model, then its tool calls, then the model again, until it answers or a limit hits."""
        session_id = user.session_id
        allow_unpriced = self.settings.budget.allow_unpriced
        guards = [
            SpendGuard([turn_budget(self.settings)], allow_unpriced=allow_unpriced),
            *self.standing_guards,
            *await money_guards(self.store, self.settings.budget, session_id, self.project.id),
        ]
        prices = call_prices(targets, self.settings)
        parent = user.id
        last: Message | None = None
        while True:
            extra: dict[str, Any] = {"tools": tool_schemas()}
            request = ChatRequest(messages=messages, targets=targets, extra=extra)
            if self._cancel.requested:  # asked for between steps: a save, a checkpoint
                return await self._cancelled(session_id, last)
            if self._stop_requested and last is not None:
                stopped = PenguinError("stopped after the model call in flight")
                return TurnResult(MessageStatus.INTERRUPTED, last, stopped)
            try:
                cap = tightest_cap(guards, estimate_request_tokens(request), prices)
            except BudgetExceededError as stop:
                await announce_stop(self.bus, session_id, stop)
                return TurnResult(MessageStatus.INTERRUPTED, last, stop)
            if cap is not None:
                extra["max_tokens"] = cap
            streamed = await self._call_model(session_id, parent, request)
            last = streamed.message
            usage = streamed.usage
            spend = (
                CallSpend(usage.input_tokens, usage.output_tokens, usage.cost_usd)
                if usage is not None
                else CallSpend(0, 0, 0.0)
            )
            for guard in guards:
                for budget in guard.record(spend):
                    await announce_warning(self.bus, session_id, budget, guard)
            if streamed.status is not MessageStatus.COMPLETE or not streamed.tool_calls:
                return TurnResult(streamed.status, last, streamed.failure)
            messages.append(assistant_message(last.content, streamed.tool_calls))
            answered = await self._answer_calls(last, streamed.tool_calls, messages)
            if answered is None:
                return await self._cancelled(session_id, last)
            parent = answered

    async def _cancelled(self, session_id: str, last: Message | None) -> TurnResult:
        """The user cancelled the turn between or during its tool calls: said once."""
        cancelled = PenguinError("turn cancelled; finished tool results are kept")
        await report(self.bus, session_id, cancelled, "cancelled")
        return TurnResult(MessageStatus.INTERRUPTED, last, None)

    async def _call_model(
        self, session_id: str, parent: str, request: ChatRequest
    ) -> StreamedReply:
        """One model call: an empty reply stored and announced, then streamed into."""
        model = request.targets[0].name
        reply = await self.store.add_message(
            session_id, parent, Role.ASSISTANT, "", MessageStatus.STREAMING, model
        )
        estimate = estimate_request_tokens(request)
        await self.bus.publish(
            MessageStarted(
                session_id=session_id,
                message_id=reply.id,
                model=model,
                estimated_input_tokens=estimate,
            )
        )
        return await self._streamer.stream(reply, request, self._cancel, estimate)

    async def _answer_calls(
        self,
        reply: Message,
        calls: tuple[ToolCallRequest, ...],
        messages: list[dict[str, Any]],
    ) -> str | None:
        """Run the reply's tool calls in order, storing each answer and adding it to
        ``messages``; the last answer's id, or None when the user cancelled the turn."""
        session_id = reply.session_id
        parent = reply.id
        for index, call in enumerate(calls):
            self._ran_tools = True
            try:
                with self._cancel.step():
                    outcome = await self.tools.run(session_id, reply.id, call)
            except asyncio.CancelledError:
                await asyncio.shield(
                    self._answer_cancelled(session_id, reply.id, parent, calls[index:])
                )
                if not self._cancel.requested:
                    raise
                return None
            answer = await self.store.add_message(
                session_id,
                parent,
                Role.TOOL,
                outcome.output,
                MessageStatus.COMPLETE,
                tool_call_id=call.call_id,
            )
            await publish_completed(self.bus, answer)
            messages.append(tool_message(call.call_id, outcome.output))
            parent = answer.id
        return parent

    async def _answer_cancelled(
        self,
        session_id: str,
        message_id: str,
        parent: str,
        calls: tuple[ToolCallRequest, ...],
    ) -> None:
        """Answer the calls a cancel cut off, so the history stays one a provider accepts.

        ``calls[0]`` was running (the runner audited it); the others never started.
        """
        for call in calls[1:]:
            await self.tools.record_cancelled(session_id, message_id, call)
        head = parent
        for call in calls:
            answer = await self.store.add_message(
                session_id,
                head,
                Role.TOOL,
                CANCELLED,
                MessageStatus.INTERRUPTED,
                tool_call_id=call.call_id,
            )
            head = answer.id
