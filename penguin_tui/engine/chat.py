"""The chat engine: one prompt in, one streamed reply out, every step on the bus and in the store.

UI and CLI call its methods; it answers only with events. It has no tools yet.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from typing import Any

from penguin_tui.bus import (
    ErrorOccurred,
    EventBus,
    MessageCompleted,
    MessageDelta,
    MessageStarted,
    ReasoningDelta,
    Retrying,
    SessionStarted,
    UsageRecorded,
)
from penguin_tui.config.settings import Settings
from penguin_tui.engine.prompts import SYSTEM_PROMPT
from penguin_tui.errors import LLMError, PenguinError, PromptTooLargeError, StoreError
from penguin_tui.llm.client import ChatRequest, LLMClient, RetryNotice
from penguin_tui.llm.pricing import TokenUsage, context_window, cost_of
from penguin_tui.llm.target import ModelTarget, resolve_target
from penguin_tui.store import Message, MessageStatus, Project, Role, Session, Store, UsageRecord

PARTIAL_SAVE_INTERVAL_S = 0.25
CHARS_PER_TOKEN = 4


@dataclass
class ReplyProgress:
    """What has streamed so far of one reply, and when."""

    target: ModelTarget
    input_estimate: int
    text: list[str] = field(default_factory=list)
    reasoning: list[str] = field(default_factory=list)
    usage: TokenUsage | None = None
    pieces: int = 0
    started: float = field(default_factory=time.perf_counter)
    first_token: float | None = None
    last_save: float = field(default_factory=time.perf_counter)

    @property
    def has_output(self) -> bool:
        return bool(self.text or self.reasoning)

    @property
    def full_text(self) -> str:
        return "".join(self.text)

    @property
    def full_reasoning(self) -> str:
        return "".join(self.reasoning)


@dataclass(frozen=True)
class TurnResult:
    """How a turn ended: complete, interrupted (cancel or broken stream) or error."""

    status: MessageStatus
    reply: Message | None
    error: PenguinError | None = None


def estimate_tokens(text: str) -> int:
    """A cheap, tokenizer-free estimate, used only for size checks and cancelled calls."""
    return max(1, (len(text) + CHARS_PER_TOKEN - 1) // CHARS_PER_TOKEN)


TargetResolver = Callable[[Settings], list[ModelTarget]]


def default_targets(settings: Settings) -> list[ModelTarget]:
    """The configured model first, then its fallbacks, all at the configured API base."""
    primary = resolve_target(settings.model.name, settings.model.api_base)
    fallbacks = [resolve_target(n, settings.model.api_base) for n in settings.model.fallback_models]
    return [primary, *fallbacks]


class ChatEngine:
    """Runs turns of one session of one project; at most one turn at a time."""

    def __init__(
        self,
        store: Store,
        bus: EventBus,
        settings: Settings,
        project: Project,
        resolve: TargetResolver = default_targets,
    ) -> None:
        self.store = store
        self.bus = bus
        self.settings = settings
        self.project = project
        self._resolve = resolve
        self._client = LLMClient(settings.model)
        self.session: Session | None = None
        self._turn: asyncio.Task[TurnResult] | None = None
        self._cancel_requested = False

    @property
    def model_name(self) -> str | None:
        return self.settings.model.name

    @property
    def busy(self) -> bool:
        return self._turn is not None and not self._turn.done()

    # -- sessions --------------------------------------------------------------------------

    async def new_session(self) -> Session:
        self.session = await self.store.create_session(self.project.id, self.model_name)
        await self._announce(resumed=False)
        return self.session

    async def resume(self, session_id: str) -> Session:
        session = await self.store.get_session(session_id)
        self.session = session
        await self._announce(resumed=True)
        return session

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

    # -- turns -----------------------------------------------------------------------------

    async def send(self, prompt: str) -> TurnResult:
        """Run one turn to its end; ``cancel()`` ends it early, keeping the partial reply."""
        if self.busy:
            raise PenguinError("a reply is still streaming; press Esc to cancel it first")
        self._cancel_requested = False
        self._turn = asyncio.create_task(self._run_turn(prompt))
        return await self._turn

    def cancel(self) -> bool:
        """Stop the streaming reply; returns False when nothing was streaming."""
        if not self.busy:
            return False
        assert self._turn is not None
        self._cancel_requested = True
        self._turn.cancel()
        return True

    async def wait_idle(self) -> None:
        if self._turn is not None:
            await asyncio.gather(self._turn, return_exceptions=True)

    def _check_size(self, prompt: str, history: list[Message], target: ModelTarget) -> int:
        estimate = estimate_tokens(prompt) + sum(estimate_tokens(m.content) for m in history)
        window = context_window(target.litellm_model, self.settings.model)
        if window is not None and estimate > window:
            raise PromptTooLargeError(
                f"the prompt is about {estimate_tokens(prompt):,} tokens and the conversation "
                f"about {estimate:,}, more than {target.name}'s window of {window:,}: "
                f"shorten it or start a new session"
            )
        return estimate

    async def _run_turn(self, prompt: str) -> TurnResult:
        history = [m for m in await self.history() if _belongs_in_context(m)]
        try:
            targets = self._resolve(self.settings)
            estimate = self._check_size(prompt, history, targets[0])
        except PenguinError as error:
            await self._report(error)
            return TurnResult(MessageStatus.ERROR, None, error)
        # A session is only made once the turn can be sent, so failed runs leave none behind.
        if self.session is None:
            await self.new_session()
        assert self.session is not None
        session_id = self.session.id

        parent = await self.store.branch_head(session_id)
        user = await self.store.add_message(
            session_id, parent, Role.USER, prompt, MessageStatus.COMPLETE
        )
        await self.store.touch_session(session_id, title=prompt.strip().splitlines()[0][:80])
        await self._completed(user)
        reply = await self.store.add_message(
            session_id, user.id, Role.ASSISTANT, "", MessageStatus.STREAMING, targets[0].name
        )
        await self.bus.publish(
            MessageStarted(session_id=session_id, message_id=reply.id, model=targets[0].name)
        )
        request = ChatRequest(messages=_to_openai([*history, user]), targets=targets)
        return await self._stream_reply(reply, request, estimate)

    async def _stream_reply(
        self, reply: Message, request: ChatRequest, input_estimate: int
    ) -> TurnResult:
        session_id = reply.session_id
        progress = ReplyProgress(target=request.targets[0], input_estimate=input_estimate)

        async def on_retry(notice: RetryNotice) -> None:
            await self.bus.publish(
                Retrying(
                    session_id=session_id,
                    attempt=notice.attempt,
                    delay_s=notice.delay_s,
                    reason=notice.reason,
                    model=notice.model,
                )
            )

        status = MessageStatus.COMPLETE
        failure: PenguinError | None = None
        try:
            async for target, piece in self._client.stream(request, on_retry):
                progress.target = target
                if piece.usage is not None:
                    progress.usage = piece.usage
                if piece.text or piece.reasoning:
                    await self._publish_piece(reply, progress, piece.text, piece.reasoning)
        except asyncio.CancelledError:
            status = MessageStatus.INTERRUPTED
            if not self._cancel_requested:
                # Cancelled from outside (shutdown): keep the partial reply, then stop.
                await asyncio.shield(self._finish(reply, progress, status, None))
                raise
        except LLMError as error:
            status = MessageStatus.INTERRUPTED if progress.has_output else MessageStatus.ERROR
            failure = error
        except StoreError as error:
            status = MessageStatus.INTERRUPTED
            failure = error
        final = await self._finish(reply, progress, status, failure)
        return TurnResult(status, final, failure)

    async def _publish_piece(
        self, reply: Message, progress: ReplyProgress, text: str, reasoning: str
    ) -> None:
        """Publish one streamed piece and save the partial reply at most every 0.25 s."""
        progress.pieces += 1
        now = time.perf_counter()
        if progress.first_token is None:
            progress.first_token = now
        if reasoning:
            progress.reasoning.append(reasoning)
            await self.bus.publish(
                ReasoningDelta(session_id=reply.session_id, message_id=reply.id, text=reasoning)
            )
        if text:
            progress.text.append(text)
            await self.bus.publish(
                MessageDelta(session_id=reply.session_id, message_id=reply.id, text=text)
            )
        if now - progress.last_save >= PARTIAL_SAVE_INTERVAL_S:
            progress.last_save = now
            await self.store.update_message(
                reply.id, progress.full_text, progress.full_reasoning, MessageStatus.STREAMING
            )

    async def _finish(
        self,
        reply: Message,
        progress: ReplyProgress,
        status: MessageStatus,
        failure: PenguinError | None,
    ) -> Message:
        """Store the final text and status, record usage, report, announce the message."""
        await self.store.update_message(
            reply.id, progress.full_text, progress.full_reasoning, status
        )
        if progress.usage is not None or progress.pieces:
            record = self._usage_record(reply, progress)
            await self.store.record_usage(record)
            await self.bus.publish(UsageRecorded(**asdict(record)))
        if failure is not None:
            await self._report(failure)
        elif status is MessageStatus.INTERRUPTED:
            await self._report(
                PenguinError("reply cancelled; the partial text is kept"), "cancelled"
            )
        final = await self.store.get_message(reply.id)
        await self._completed(final)
        return final

    def _usage_record(self, reply: Message, progress: ReplyProgress) -> UsageRecord:
        usage = progress.usage
        estimated = usage is None
        if usage is None:
            # Cut short before the final usage chunk: bill what can be estimated.
            usage = TokenUsage(input_tokens=progress.input_estimate, output_tokens=progress.pieces)
        target = progress.target
        cost = cost_of(target.litellm_model, usage, self.settings.model)
        source = (
            cost.source if not estimated else ("estimate" if cost.usd is not None else "unknown")
        )
        first_token = progress.first_token
        return UsageRecord(
            session_id=reply.session_id,
            message_id=reply.id,
            model=target.name,
            input_tokens=usage.input_tokens,
            output_tokens=usage.output_tokens,
            cache_read_tokens=usage.cache_read_tokens,
            cache_write_tokens=usage.cache_write_tokens,
            reasoning_tokens=usage.reasoning_tokens,
            cost_usd=cost.usd,
            cost_source=source,
            ttft_ms=None if first_token is None else (first_token - progress.started) * 1000,
            duration_ms=(time.perf_counter() - progress.started) * 1000,
        )

    async def _completed(self, message: Message) -> None:
        await self.bus.publish(
            MessageCompleted(
                session_id=message.session_id,
                message_id=message.id,
                parent_id=message.parent_id,
                role=message.role.value,
                text=message.content,
                status=message.status.value,
                reasoning=message.reasoning,
            )
        )

    async def _report(self, error: PenguinError, kind: str | None = None) -> None:
        session_id = self.session.id if self.session else ""
        await self.bus.publish(
            ErrorOccurred(
                session_id=session_id, message=error.message, kind=kind or type(error).__name__
            )
        )


def _belongs_in_context(message: Message) -> bool:
    return not (message.status is MessageStatus.ERROR and not message.content)


def _to_openai(messages: list[Message]) -> list[dict[str, Any]]:
    converted: list[dict[str, Any]] = [{"role": "system", "content": SYSTEM_PROMPT}]
    converted.extend({"role": m.role.value, "content": m.content} for m in messages)
    return converted
