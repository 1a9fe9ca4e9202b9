"""Stream one reply into the real ``PenguinApp``, headless at 160x48, and time it on screen.

The prompt is typed and sent with Enter like a user would, after one short warm-up exchange.
A bus subscription of our own notes when the first and last deltas were published. Three end
points: the whole text drawn (the live Markdown holds the end of the text and a refresh has
followed); the reply final on screen (the live widget replaced by the final static block, then
a refresh), which does not wait for the engine; and the engine done with the reply (its
``message.completed`` published, after the usage). With ``freeze_gc`` the objects alive after
the warm-up are moved out of the garbage collector's reach (``gc.freeze()``): a what-if for the
app, not what it does.
"""

from __future__ import annotations

import asyncio
import gc
import time
from dataclasses import dataclass, field
from pathlib import Path

from textual.pilot import Pilot
from textual.widgets import Markdown

from penguin_tui.app.app import LaunchOptions, PenguinApp
from penguin_tui.app.widgets.chat import AssistantMessage, ChatView
from penguin_tui.bus import MessageCompleted, MessageDelta, MessageStarted, Subscription
from penguin_tui.engine.chat import ChatEngine
from penguin_tui.llm import loader
from penguin_tui.runtime import Runtime
from penguin_tui.testing.tokens import split_tokens
from tests.bench.lag import LagProbe
from tests.bench.polling import wait_for
from tests.bench.prose import WARMUP_PROMPT, WARMUP_REPLY
from tests.bench.stats import percentile
from tests.bench.stream_result import StreamResult

SIZE = (160, 48)
READY_TIMEOUT_S = 120.0


@dataclass
class DeltaClock:
    """What our own bus subscription saw: when deltas were published, and CPU at the first;
    when the reply's ``message.completed`` was published (the engine done with it)."""

    message_id: str = ""
    tokens: int = 0
    first: float = 0.0  # perf_counter time the first delta was published
    last: float = 0.0
    cpu_at_first: float = 0.0
    completed: float = 0.0
    started: asyncio.Event = field(default_factory=asyncio.Event)
    done: asyncio.Event = field(default_factory=asyncio.Event)

    async def follow(self, subscription: Subscription) -> None:
        async for event in subscription:
            if isinstance(event, MessageStarted):
                self.message_id = event.message_id
            elif isinstance(event, MessageDelta) and event.message_id == self.message_id:
                published = _published(event.ts)
                if not self.tokens:
                    self.first = published
                    self.cpu_at_first = time.process_time()
                    self.started.set()
                self.last = published
                self.tokens += event.tokens
            elif isinstance(event, MessageCompleted) and event.message_id == self.message_id:
                self.completed = _published(event.ts)
                self.done.set()


def _published(ts: float) -> float:
    """An event's ``ts`` (wall-clock time at creation) mapped onto perf_counter."""
    return time.perf_counter() - (time.time() - ts)


def stream_timeout(text: str, rate: float) -> float:
    """Generous: three times the paced duration, plus a minute."""
    return 60.0 + 3 * len(split_tokens(text)) / max(rate, 100.0)


async def warm_up(pilot: Pilot[int], chat: ChatView, engine: ChatEngine) -> None:
    """One short exchange through the UI before the measured one."""
    await pilot.press(*WARMUP_PROMPT)
    await pilot.press("enter")

    def answered() -> bool:
        replies = list(chat.query(AssistantMessage))
        return (
            bool(replies)
            and replies[-1].status != "streaming"
            and replies[-1].text == WARMUP_REPLY
            and not engine.busy
        )

    await wait_for(answered, 60, "the warm-up reply")
    await pilot.pause()


async def text_on_screen(app: PenguinApp, chat: ChatView, message_id: str, expected: str) -> float:
    """When the whole text has been drawn (perf_counter): every delta handed to the reply, the
    live Markdown holding the end of the text and done appending, and a refresh after that."""
    tail = expected[-80:]

    def all_text_in() -> bool:
        reply = chat.reply(message_id)
        if reply is None or reply.text != expected:
            return False
        live = reply.query(Markdown)
        return not live or live.last().source.endswith(tail)

    await wait_for(all_text_in, stream_timeout(expected, 100.0), "the whole text in the reply")
    reply = chat.reply(message_id)
    assert reply is not None
    for live in reply.query(Markdown):
        async with live.lock:  # the MarkdownStream's last append has mounted its blocks
            pass
    await app.screen.wait_for_refresh()
    return time.perf_counter()


async def final_on_screen(
    app: PenguinApp, chat: ChatView, message_id: str, timeout_s: float
) -> float:
    """When the reply was final on screen (perf_counter): its live Markdown replaced by the
    static blocks (at the model's finish reason, before the engine is done), then a refresh."""

    def final() -> bool:
        reply = chat.reply(message_id)
        return reply is not None and reply.drawn_final and not reply.query(Markdown)

    await wait_for(final, timeout_s, "the reply to be final on screen")
    await app.screen.wait_for_refresh()
    return time.perf_counter()


async def started(app: PenguinApp, pilot: Pilot[int]) -> Runtime:
    """The app's services, once they run and litellm's preload is in."""
    await wait_for(
        lambda: app.runtime is not None and app.runtime.engine.session is not None,
        READY_TIMEOUT_S,
        "the services",
    )
    # litellm is preloaded in a thread after the first frame; start once it is in.
    await wait_for(loader.is_loaded, READY_TIMEOUT_S, "the litellm preload")
    await pilot.pause()
    assert app.runtime is not None
    return app.runtime


async def stream_ui(
    project: Path,
    base_url: str,
    model: str,
    prompt: str,
    expected: str,
    rate: float,
    freeze_gc: bool = False,
) -> StreamResult:
    options = LaunchOptions(
        directory=project, model=model, api_base=base_url, continue_latest=False
    )
    app = PenguinApp(options)
    async with app.run_test(size=SIZE) as pilot:
        runtime = await started(app, pilot)
        chat = app.screen.query_one(ChatView)
        await warm_up(pilot, chat, runtime.engine)
        if freeze_gc:
            gc.collect()
            gc.freeze()
        clock = DeltaClock()
        follower = asyncio.create_task(clock.follow(runtime.bus.subscribe()))
        probe = LagProbe()
        probe.start()
        await pilot.press(*prompt)
        sent = time.perf_counter()
        await pilot.press("enter")
        engine = runtime.engine
        await asyncio.wait_for(clock.started.wait(), 60)
        shown = await text_on_screen(app, chat, clock.message_id, expected)
        finished = await final_on_screen(
            app, chat, clock.message_id, stream_timeout(expected, rate)
        )
        await asyncio.wait_for(clock.done.wait(), stream_timeout(expected, rate))
        await wait_for(lambda: not engine.busy, 60, "the engine to end the turn")
        cpu = time.process_time() - clock.cpu_at_first
        await probe.stop()
        follower.cancel()
        reply = chat.reply(clock.message_id)
        final_text = reply.text if isinstance(reply, AssistantMessage) else ""
        lateness = probe.lateness(clock.first, clock.completed)
        await app.action_quit()
    return StreamResult(
        mode="ui-gc-frozen" if freeze_gc else "ui",
        rate=rate,
        tokens=clock.tokens,
        first_token_s=clock.first - sent,
        arrival_s=clock.last - clock.first,
        shown_s=shown - clock.first,
        duration_s=finished - clock.first,
        cpu_s=cpu,
        lag_p95_s=percentile(lateness, 95),
        lag_max_s=max(lateness, default=0.0),
        complete=final_text == expected,
        engine_done_s=clock.completed - clock.first,
    )
