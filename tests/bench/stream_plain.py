"""The same stream without the UI: litellm alone, and the engine (bus, store) without a screen.

They show what each layer adds to the cost of a token: litellm parses the SSE chunks, the
engine turns them into events and saves the partial reply, the UI draws them.
"""

from __future__ import annotations

import asyncio
import time
from pathlib import Path
from typing import Any

from penguin_tui.bus import MessageDelta, MessageStarted
from penguin_tui.llm.loader import load_litellm
from penguin_tui.runtime import open_runtime
from penguin_tui.testing.tokens import split_tokens
from tests.bench.lag import LagProbe
from tests.bench.prose import WARMUP_PROMPT
from tests.bench.stats import percentile
from tests.bench.stream_result import StreamResult


async def stream_litellm(
    base_url: str, model: str, prompt: str, expected: str, rate: float
) -> StreamResult:
    """Consume the stream with ``litellm.acompletion`` and nothing else."""
    litellm = load_litellm()

    async def request(content: str) -> Any:
        return await litellm.acompletion(
            model=f"openai/{model}",
            api_base=base_url,
            api_key="no-key-needed-for-local-server",
            messages=[{"role": "user", "content": content}],
            stream=True,
            stream_options={"include_usage": True},
            max_retries=0,
        )

    async for _ in await request(WARMUP_PROMPT):
        pass
    probe = LagProbe()
    probe.start()
    sent = time.perf_counter()
    response = await request(prompt)
    parts: list[str] = []
    first = last = 0.0
    cpu_at_first = 0.0
    async for chunk in response:
        choices = getattr(chunk, "choices", None) or []
        text = (getattr(choices[0].delta, "content", None) or "") if choices else ""
        if not text:
            continue
        last = time.perf_counter()
        if not parts:
            first, cpu_at_first = last, time.process_time()
        parts.append(text)
    finished = time.perf_counter()
    cpu = time.process_time() - cpu_at_first
    await probe.stop()
    lateness = probe.lateness(first, finished)
    return StreamResult(
        mode="litellm",
        rate=rate,
        tokens=len(parts),
        first_token_s=first - sent,
        arrival_s=last - first,
        shown_s=last - first,
        duration_s=finished - first,
        cpu_s=cpu,
        lag_p95_s=percentile(lateness, 95),
        lag_max_s=max(lateness, default=0.0),
        complete="".join(parts) == expected,
    )


async def stream_engine(
    project: Path, base_url: str, model: str, prompt: str, expected: str, rate: float
) -> StreamResult:
    """Send the prompt through the real engine (store, bus, litellm) with a bus reader."""
    runtime = await open_runtime(project, model=model, api_base=base_url)
    load_litellm()
    await runtime.engine.new_session()
    await runtime.engine.send(WARMUP_PROMPT)
    subscription = runtime.bus.subscribe()
    marks: dict[str, float] = {}
    tokens = 0

    async def follow() -> None:
        nonlocal tokens
        message_id = ""
        async for event in subscription:
            if isinstance(event, MessageStarted):
                message_id = event.message_id
            elif isinstance(event, MessageDelta) and event.message_id == message_id:
                published = time.perf_counter() - (time.time() - event.ts)
                if not tokens:
                    marks["first"], marks["cpu"] = published, time.process_time()
                marks["last"] = published
                tokens += event.tokens

    follower = asyncio.create_task(follow())
    probe = LagProbe()
    probe.start()
    sent = time.perf_counter()
    result = await runtime.engine.send(prompt)
    finished = time.perf_counter()
    cpu = time.process_time() - marks["cpu"]
    await probe.stop()
    follower.cancel()
    await runtime.close()
    lateness = probe.lateness(marks["first"], finished)
    text = result.reply.content if result.reply is not None else ""
    return StreamResult(
        mode="engine",
        rate=rate,
        tokens=tokens,
        first_token_s=marks["first"] - sent,
        arrival_s=marks["last"] - marks["first"],
        shown_s=marks["last"] - marks["first"],
        duration_s=finished - marks["first"],
        cpu_s=cpu,
        lag_p95_s=percentile(lateness, 95),
        lag_max_s=max(lateness, default=0.0),
        complete=text == expected and tokens == len(split_tokens(expected)),
    )
