"""What the workbench does once it is up: litellm's import waits, so it does not compete with
the first moments of typing."""

from __future__ import annotations

from pathlib import Path

from penguin_tui.app.app import LLM_PRELOAD_DELAY_S
from penguin_tui.testing import ServerThread
from tests.tui.helpers import make_app, send, wait_for, wait_ready, wait_reply_done


async def test_litellm_is_preloaded_a_while_after_start_up(
    server: ServerThread, project: Path
) -> None:
    app = make_app(project, server.base_url)
    async with app.run_test(size=(120, 36)) as pilot:
        await wait_ready(pilot)
        assert not app.llm_preload_started
        within = LLM_PRELOAD_DELAY_S + 5
        await wait_for(pilot, lambda: app.llm_preload_started, within, "the preload")


async def test_the_first_prompt_sent_starts_the_litellm_preload_at_once(
    server: ServerThread, project: Path
) -> None:
    app = make_app(project, server.base_url)
    async with app.run_test(size=(120, 36)) as pilot:
        await wait_ready(pilot)
        await send(pilot, "hi")
        assert app.llm_preload_started
        reply = await wait_reply_done(pilot)
        assert reply.status == "complete"
