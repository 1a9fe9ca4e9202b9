"""Esc cuts a turn short only where it waits on the outside world (the model's stream, a
tool): a cancel that comes while a reply is being saved, or between a tool's answer and the
next call, lets that save finish and ends the turn cleanly, with nothing left ``streaming``."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from penguin_tui.bus import ErrorOccurred
from penguin_tui.engine.streaming import ReplyStreamer
from penguin_tui.runtime import Runtime, open_runtime
from penguin_tui.store import MessageStatus, Role
from penguin_tui.testing import ServerThread, run_in_thread
from tests.conftest import script

TOOL_THEN_ANSWER = """
model = "m1"
rate = 0
[[turns]]
text = "Looking around."
[[turns.tool_calls]]
name = "list_files"
arguments = '{}'
[[turns]]
text = "There is main.py."
"""


@pytest.fixture
def tool_server() -> Iterator[ServerThread]:
    with run_in_thread(script(TOOL_THEN_ANSWER)) as thread:
        yield thread


async def statuses(runtime: Runtime) -> list[tuple[Role, MessageStatus]]:
    return [(m.role, m.status) for m in await runtime.engine.history()]


async def test_a_cancel_during_the_final_save_lets_it_finish_and_the_turn_ends_cleanly(
    project: Path, server: ServerThread, monkeypatch: pytest.MonkeyPatch
) -> None:
    saving, release = asyncio.Event(), asyncio.Event()
    finish = ReplyStreamer.finish

    async def slow_finish(self: ReplyStreamer, *args: Any, **kwargs: Any) -> Any:
        saving.set()
        await release.wait()  # a slow disk: the save takes a while
        return await finish(self, *args, **kwargs)

    monkeypatch.setattr(ReplyStreamer, "finish", slow_finish)
    runtime = await open_runtime(project, model="m1", api_base=server.base_url)
    try:
        sending = asyncio.create_task(runtime.engine.send("hi"))
        await asyncio.wait_for(saving.wait(), 30)
        assert runtime.engine.cancel()  # Esc, while the whole reply is being saved
        release.set()
        result = await asyncio.wait_for(sending, 30)  # no CancelledError out of the turn
        assert result.status is MessageStatus.COMPLETE
        assert result.reply is not None
        assert result.reply.content == "Hello **there**, this is the scripted reply."
        assert await statuses(runtime) == [
            (Role.USER, MessageStatus.COMPLETE),
            (Role.ASSISTANT, MessageStatus.COMPLETE),
        ]
        assert not runtime.engine.busy
    finally:
        await runtime.close()


async def test_a_cancel_while_a_tools_answer_is_saved_ends_the_turn_before_the_next_call(
    project: Path, tool_server: ServerThread, monkeypatch: pytest.MonkeyPatch
) -> None:
    runtime = await open_runtime(project, model="m1", api_base=tool_server.base_url)
    saving, release = asyncio.Event(), asyncio.Event()
    add_message = runtime.store.add_message

    async def slow_add(*args: Any, **kwargs: Any) -> Any:
        if args[2] is Role.TOOL:
            saving.set()
            await release.wait()
        return await add_message(*args, **kwargs)

    monkeypatch.setattr(runtime.store, "add_message", slow_add)
    try:
        events = runtime.bus.subscribe()
        sending = asyncio.create_task(runtime.engine.send("what is here?"))
        await asyncio.wait_for(saving.wait(), 30)
        assert runtime.engine.cancel()  # Esc, while list_files' answer is being saved
        release.set()
        result = await asyncio.wait_for(sending, 30)
        assert result.status is MessageStatus.INTERRUPTED
        # The answer is kept, and the model was not called again.
        assert await statuses(runtime) == [
            (Role.USER, MessageStatus.COMPLETE),
            (Role.ASSISTANT, MessageStatus.COMPLETE),
            (Role.TOOL, MessageStatus.COMPLETE),
        ]
        said = []
        while (event := events.get_nowait()) is not None:
            if isinstance(event, ErrorOccurred):
                said.append(event.message)
        assert said == ["turn cancelled; finished tool results are kept"]
    finally:
        await runtime.close()
