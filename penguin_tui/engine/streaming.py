"""Streams one assistant reply: deltas on the bus, partial saves, usage, the final message."""

from __future__ import annotations

import asyncio
import functools
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass

from penguin_tui.bus import (
    ErrorOccurred,
    EventBus,
    MessageCompleted,
    MessageDelta,
    MessageStreamed,
    ModelSwitched,
    ReasoningDelta,
    Retrying,
    UsageRecorded,
)
from penguin_tui.config.settings import ModelSettings
from penguin_tui.engine.call_outcome import CallTrail, call_record
from penguin_tui.engine.cancelling import TurnCancel
from penguin_tui.engine.reply import (
    ReplyProgress,
    arguments_are_complete,
    estimate_request_tokens,
)
from penguin_tui.errors import LLMError, PenguinError, StoreError
from penguin_tui.llm.client import ChatRequest, FallbackNotice, LLMClient, RetryNotice
from penguin_tui.llm.pricing import TokenUsage, cost_of
from penguin_tui.store import Message, MessageStatus, Store, ToolCallRequest, UsageRecord

PARTIAL_SAVE_INTERVAL_S = 0.25


def no_running_task() -> str | None:
    """Outside run mode no task is being worked on."""
    return None


@dataclass(frozen=True)
class StreamedReply:
    """How one reply ended, with the tool calls it asked for (only when it completed)."""

    status: MessageStatus
    message: Message
    tool_calls: tuple[ToolCallRequest, ...]
    failure: PenguinError | None
    usage: UsageRecord | None


async def publish_completed(bus: EventBus, message: Message) -> None:
    await bus.publish(
        MessageCompleted(
            session_id=message.session_id,
            message_id=message.id,
            parent_id=message.parent_id,
            role=message.role.value,
            text=message.content,
            status=message.status.value,
            reasoning=message.reasoning,
            model=message.model,
        )
    )


async def report(
    bus: EventBus, session_id: str, error: PenguinError, kind: str | None = None
) -> None:
    await bus.publish(
        ErrorOccurred(
            session_id=session_id, message=error.message, kind=kind or type(error).__name__
        )
    )


class ReplyStreamer:
    """Turns the LLM client's pieces into events, saves, and one final stored message."""

    def __init__(self, store: Store, bus: EventBus, client: LLMClient, settings: ModelSettings):
        self.store = store
        self.bus = bus
        self.client = client
        self.settings = settings
        # Run mode's task being worked on, asked at the start of each call (the engine sets it).
        self.running_task: Callable[[], str | None] = no_running_task

    async def stream(
        self,
        reply: Message,
        request: ChatRequest,
        cancel: TurnCancel,
        input_estimate: int | None = None,
    ) -> StreamedReply:
        """Stream into ``reply``; a cancel keeps the partial text, a broken stream too. The
        stream is the cancellable step; the final save runs to its end whatever comes.

        ``input_estimate`` is the request's size when the caller worked it out already.
        """
        session_id = reply.session_id
        if input_estimate is None:
            input_estimate = estimate_request_tokens(request)
        progress = ReplyProgress(target=request.targets[0], input_estimate=input_estimate)
        branch = await self.store.current_branch(session_id)
        trail = CallTrail(branch, self.running_task(), tuple(request.targets))
        on_retry = functools.partial(self._announce_retry, session_id, trail)
        on_fallback = functools.partial(self._announce_fallback, session_id, trail)
        status = MessageStatus.COMPLETE
        failure: PenguinError | None = None
        try:
            with cancel.step():
                async for target, piece in self.client.stream(request, on_retry, on_fallback):
                    progress.target = target
                    if piece.usage is not None:
                        progress.usage = piece.usage
                    for delta in piece.tool_calls:
                        progress.tool_calls.add(delta)
                    if piece.has_output:
                        await self._publish_piece(reply, progress, piece.text, piece.reasoning)
                    if piece.finish_reason is not None and not progress.finished:
                        progress.finished = True
                        await self._announce_streamed(reply, piece.finish_reason)
        except asyncio.CancelledError:
            status = MessageStatus.INTERRUPTED
            if not cancel.requested:
                await asyncio.shield(self.finish(reply, progress, status, None, trail))
                raise
        except LLMError as error:
            status = MessageStatus.INTERRUPTED if progress.has_output else MessageStatus.ERROR
            failure = error
        except StoreError as error:
            status = MessageStatus.INTERRUPTED
            failure = error
        return await self.finish(reply, progress, status, failure, trail)

    async def _announce_streamed(self, reply: Message, finish_reason: str) -> None:
        """The text is whole: screens can show it as final now, while the usage (which the
        provider sends after it) and the stored message still come, in that order."""
        await self.bus.publish(
            MessageStreamed(
                session_id=reply.session_id, message_id=reply.id, finish_reason=finish_reason
            )
        )

    async def _announce_retry(self, session_id: str, trail: CallTrail, notice: RetryNotice) -> None:
        trail.retries += 1
        await self.bus.publish(
            Retrying(
                session_id=session_id,
                attempt=notice.attempt,
                delay_s=notice.delay_s,
                reason=notice.reason,
                model=notice.model,
            )
        )

    async def _announce_fallback(
        self, session_id: str, trail: CallTrail, notice: FallbackNotice
    ) -> None:
        trail.fell_back_to = notice.to_model
        await self.bus.publish(
            ModelSwitched(
                session_id=session_id,
                from_model=notice.from_model,
                to_model=notice.to_model,
                reason=notice.reason,
            )
        )

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

    async def finish(
        self,
        reply: Message,
        progress: ReplyProgress,
        status: MessageStatus,
        failure: PenguinError | None,
        trail: CallTrail | None = None,
    ) -> StreamedReply:
        """Store the final text and status, record usage, report, announce the message.

        A call that ended with nothing (it failed, or was cut before its first token) is
        recorded too, with no tokens and no cost, so failures count in the performance record."""
        calls: tuple[ToolCallRequest, ...] = ()
        if status is MessageStatus.COMPLETE:
            calls = progress.tool_calls.complete()
            broken = [c for c in calls if not c.tool or not arguments_are_complete(c.arguments)]
            if broken:
                # Never run a call whose arguments did not arrive whole.
                status = MessageStatus.INTERRUPTED
                failure = LLMError(
                    f"the model's call to {broken[0].tool or 'a tool'} arrived incomplete; "
                    f"it was not run"
                )
                calls = ()
        # The model that answered (a fallback's name after a switch) is the message's model.
        await self.store.update_message(
            reply.id,
            progress.full_text,
            progress.full_reasoning,
            status,
            calls,
            progress.target.name,
        )
        record = None
        answered = progress.usage is not None or progress.pieces > 0
        if answered or status is not MessageStatus.COMPLETE:
            if trail is None:
                branch = await self.store.current_branch(reply.session_id)
                trail = CallTrail(branch, None, (progress.target,))
            outcome = trail.outcome(status, failure is not None)
            record = self._usage_record(reply, progress, trail, outcome)
            await self.store.record_usage(record)
            await self.bus.publish(
                UsageRecorded(**asdict(record), tokens_per_s=record.tokens_per_s)
            )
        if failure is not None:
            await report(self.bus, reply.session_id, failure)
        elif status is MessageStatus.INTERRUPTED:
            await report(
                self.bus,
                reply.session_id,
                PenguinError("reply cancelled; the partial text is kept"),
                "cancelled",
            )
        final = await self.store.get_message(reply.id)
        await publish_completed(self.bus, final)
        return StreamedReply(status, final, calls, failure, record)

    def _usage_record(
        self, reply: Message, progress: ReplyProgress, trail: CallTrail, outcome: str
    ) -> UsageRecord:
        usage = progress.usage
        target = progress.target
        if usage is None and not progress.pieces:
            # Nothing came back (a failure, or a cancel before the first token): no tokens,
            # and nothing to pay; the model is the last one the chain tried.
            target = trail.last_tried(progress.target)
            usage = TokenUsage(input_tokens=0, output_tokens=0, source="estimate")
        elif usage is None:
            # Cut short, or ended without the provider's usage: bill what can be estimated.
            usage = TokenUsage(
                input_tokens=progress.input_estimate,
                output_tokens=progress.pieces,
                source="estimate",
            )
        if progress.usage is None and not progress.pieces:
            cost_usd: float | None = 0.0
            cost_source = "estimate"
        else:
            cost = cost_of(target.litellm_model, usage, self.settings)
            cost_usd, cost_source = cost.usd, cost.source
        return call_record(
            session_id=reply.session_id,
            message_id=reply.id,
            target=target,
            usage=usage,
            cost=(cost_usd, cost_source),
            started=progress.started,
            first_token=progress.first_token,
            branch=trail.branch,
            outcome=outcome,
            task_id=trail.task_id,
        )
