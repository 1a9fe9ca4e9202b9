"""A short generated title for a new session, asked of ``[model.roles] title`` (opt-in).

One small call after the first reply, in the background: the chat never waits for it, a
failure leaves the first line of the first prompt as the title, and the call's tokens and
cost are recorded like any other call's. Without the role nothing is sent anywhere.
"""

from __future__ import annotations

import time
from dataclasses import asdict

from penguin_tui.bus import EventBus, UsageRecorded
from penguin_tui.config.settings import ModelSettings
from penguin_tui.engine.call_outcome import call_record
from penguin_tui.engine.history import estimate_tokens
from penguin_tui.llm.client import ChatRequest, LLMClient
from penguin_tui.llm.pricing import TokenUsage, cost_of
from penguin_tui.llm.target import ModelTarget, resolve_target
from penguin_tui.store import Store

TITLE_REQUEST = (
    "Write a title of at most six words for a conversation that starts with the request "
    "below. Answer with the title only: no quotes, no full stop.\n\nRequest:\n{prompt}"
)
# The request is cut to this many characters: a title needs the gist, not the whole prompt.
PROMPT_CHARS = 2000
TITLE_CHARS = 80
TITLE_MAX_TOKENS = 32


def clean_title(text: str) -> str:
    """The title as the model wrote it, on one line, without quotes or a closing full stop."""
    lines = [line.strip() for line in text.strip().splitlines() if line.strip()]
    if not lines:
        return ""
    title = lines[0].strip().strip("\"'`*#").strip().removesuffix(".").strip()
    return title[:TITLE_CHARS]


def title_request(prompt: str) -> str:
    """What the title model is asked: the request and the start of the first prompt."""
    return TITLE_REQUEST.format(prompt=prompt[:PROMPT_CHARS])


def title_request_tokens(prompt: str) -> int:
    """The title request's size in tokens, as the budgets estimate it before the call."""
    return estimate_tokens(title_request(prompt))


class SessionTitler:
    """Asks the title model for a session's title and stores it, recording the call."""

    def __init__(self, store: Store, bus: EventBus, settings: ModelSettings) -> None:
        self.store = store
        self.bus = bus
        self.settings = settings
        self.client = LLMClient(settings)

    def target(self) -> ModelTarget | None:
        """The title model, or None when ``[model.roles] title`` is not set."""
        name = self.settings.roles.title
        if not name:
            return None
        return resolve_target(name, self.settings.api_base, key_env=self.settings.key_env)

    async def title(self, session_id: str, prompt: str, cap: int | None = None) -> str | None:
        """Ask for a title (in ``cap`` tokens at most, when a budget leaves fewer than
        ``TITLE_MAX_TOKENS``), store it and return it (None: no role, or an empty answer);
        raises the call's ``PenguinError``."""
        target = self.target()
        if target is None:
            return None
        request = ChatRequest(
            messages=[{"role": "user", "content": title_request(prompt)}],
            targets=[target],
            extra={"max_tokens": min(TITLE_MAX_TOKENS, cap or TITLE_MAX_TOKENS)},
        )
        started = time.perf_counter()
        first_token: float | None = None
        text: list[str] = []
        usage: TokenUsage | None = None
        async for answered_by, piece in self.client.stream(request):
            target = answered_by
            if piece.text:
                first_token = first_token or time.perf_counter()
                text.append(piece.text)
            if piece.usage is not None:
                usage = piece.usage
        await self._record(session_id, target, usage, len(text), started, first_token)
        title = clean_title("".join(text))
        if title:
            await self.store.retitle_session(session_id, title)
        return title or None

    async def _record(
        self,
        session_id: str,
        target: ModelTarget,
        usage: TokenUsage | None,
        pieces: int,
        started: float,
        first_token: float | None,
    ) -> None:
        if usage is None:
            usage = TokenUsage(input_tokens=0, output_tokens=pieces, source="estimate")
        cost = cost_of(target.litellm_model, usage, self.settings)
        record = call_record(
            session_id=session_id,
            message_id=None,
            target=target,
            usage=usage,
            cost=(cost.usd, cost.source),
            started=started,
            first_token=first_token,
            branch=await self.store.current_branch(session_id),
        )
        await self.store.record_usage(record)
        await self.bus.publish(UsageRecorded(**asdict(record), tokens_per_s=record.tokens_per_s))
