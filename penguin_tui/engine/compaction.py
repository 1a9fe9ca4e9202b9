"""Compaction: older messages summarised by the model into one message the context keeps.

The originals stay in the store (and in ``sessions show``); only what the model is sent
shrinks. A summary is a ``system`` message on the branch; see ``history.since_last_summary``.
"""

from __future__ import annotations

from penguin_tui.bus import ContextCompacted, EventBus
from penguin_tui.config.settings import Settings
from penguin_tui.engine.cancelling import TurnCancel
from penguin_tui.engine.history import estimate_tokens, since_last_summary, to_openai
from penguin_tui.engine.streaming import ReplyStreamer, StreamedReply
from penguin_tui.errors import PenguinError
from penguin_tui.llm.client import ChatRequest
from penguin_tui.llm.target import ModelTarget, resolve_target
from penguin_tui.store import Message, MessageStatus, Role, Store

COMPACT_COMMAND = "/compact"

SUMMARY_REQUEST = (
    "Summarise the conversation above so that the work can go on from your summary alone: "
    "the user's goals, decisions made, files read or changed (with their paths), commands run "
    "and what they showed, and what is still open. Be specific and brief, in Markdown bullet "
    "points. Do not call any tool."
)


def context_tokens(messages: list[Message]) -> int:
    """An estimate of what the model would be sent for these messages."""
    return sum(estimate_tokens(m.content) for m in since_last_summary(messages))


def compaction_targets(settings: Settings, targets: list[ModelTarget]) -> list[ModelTarget]:
    """The models a summary is asked of: ``[model.roles] compaction`` then the fallbacks
    when the role is set, else the turn's own models."""
    role = settings.model.roles.compaction
    if not role:
        return targets
    api_base = settings.model.api_base
    key_env = settings.model.key_env
    fallbacks = [
        resolve_target(name, api_base, key_env=key_env) for name in settings.model.fallback_models
    ]
    return [resolve_target(role, api_base, key_env=key_env), *fallbacks]


class Compactor:
    """Asks the model for a summary and stores it as the new start of the context."""

    def __init__(self, store: Store, bus: EventBus, streamer: ReplyStreamer) -> None:
        self.store = store
        self.bus = bus
        self.streamer = streamer

    async def compact(
        self,
        session_id: str,
        history: list[Message],
        targets: list[ModelTarget],
        reason: str,
        cancel: TurnCancel,
    ) -> StreamedReply:
        visible = since_last_summary(history)
        if len(visible) < 2:
            raise PenguinError("nothing to compact yet: the conversation is already short")
        before = context_tokens(history)
        messages = [*to_openai(history), {"role": "user", "content": SUMMARY_REQUEST}]
        head = await self.store.branch_head(session_id)
        summary = await self.store.add_message(
            session_id, head, Role.SYSTEM, "", MessageStatus.STREAMING, targets[0].name
        )
        streamed = await self.streamer.stream(
            summary, ChatRequest(messages=messages, targets=targets), cancel
        )
        if streamed.status is MessageStatus.COMPLETE:
            await self.bus.publish(
                ContextCompacted(
                    session_id=session_id,
                    message_id=summary.id,
                    messages=len(visible),
                    tokens_before=before,
                    tokens_after=estimate_tokens(streamed.message.content),
                    reason=reason,
                )
            )
        return streamed
