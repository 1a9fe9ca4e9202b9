"""The model picker: f9 (or the palette) lists the server's models and litellm's catalog,
searched as you type; the model picked answers from the next prompt on, and every reply names
the model that answered it — a fallback's name when the chain fell back, and again on resume."""

from __future__ import annotations

from pathlib import Path

from penguin_tui.app.screens.model_picker import ModelPicker
from penguin_tui.app.widgets.chat import AssistantMessage, ModelLine
from penguin_tui.testing import run_in_thread
from tests.conftest import script
from tests.tui.helpers import (
    make_app,
    replies,
    screen_text,
    send,
    type_text,
    wait_for,
    wait_ready,
    wait_reply_done,
)

TWO_REPLIES = """
model = "m1"
rate = 0
[[turns]]
text = "First answer."
[[turns]]
text = "Second answer."
"""

FAULTY_PRIMARY = """
model = "m1"
rate = 0
[[turns]]
text = "Answered all the same."
[turns.fault]
kind = "server_error"
count = 3
"""


def model_line(reply: AssistantMessage) -> str:
    """The dim line naming the model that answered the reply."""
    return str(reply.query_one(ModelLine).render())


async def test_picking_a_model_makes_the_next_reply_come_from_it(project: Path) -> None:
    with run_in_thread(script(TWO_REPLIES)) as server:
        app = make_app(project, server.base_url)
        async with app.run_test(size=(120, 40)) as pilot:
            await wait_ready(pilot)
            await send(pilot, "hello")
            first = await wait_reply_done(pilot, 1)
            assert model_line(first) == "m1"

            await pilot.press("f9")
            await wait_for(pilot, lambda: isinstance(app.screen, ModelPicker), what="picker")
            picker = app.screen
            assert isinstance(picker, ModelPicker)
            await wait_for(pilot, lambda: picker.loaded, within=60, what="the model list")
            # The server's own model comes first, then the catalog.
            assert picker.shown[0].id == "m1"
            await type_text(pilot, "gpt4omini")
            assert picker.shown[0].id == "gpt-4o-mini"
            assert "128k ctx" in screen_text(app)
            await pilot.press("enter")
            await wait_for(pilot, lambda: not isinstance(app.screen, ModelPicker), what="pick")

            # The usage pane's Model row follows at once.
            assert app.tally.model == "gpt-4o-mini"
            assert "gpt-4o-mini" in screen_text(app)
            await send(pilot, "again")
            second = await wait_reply_done(pilot, 2)
            assert [request["model"] for request in server.requests] == ["m1", "gpt-4o-mini"]
            assert model_line(second) == "gpt-4o-mini"
            assert model_line(replies(app)[0]) == "m1"


async def test_a_reply_from_a_fallback_names_the_fallback(project: Path) -> None:
    (project / ".penguin").mkdir()
    (project / ".penguin" / "config.toml").write_text(
        '[model]\nfallback_models = ["backup-model"]\n', encoding="utf-8"
    )
    with run_in_thread(script(FAULTY_PRIMARY)) as server:
        app = make_app(project, server.base_url)
        async with app.run_test(size=(120, 40)) as pilot:
            await wait_ready(pilot)
            await send(pilot, "hello")
            reply = await wait_reply_done(pilot, 1)
            assert reply.text == "Answered all the same."
            assert model_line(reply) == "backup-model"
            assert [r["model"] for r in server.requests] == ["m1"] * 3 + ["backup-model"]

        # The stored reply names the fallback too: a resumed session shows it.
        again = make_app(project, server.base_url)
        async with again.run_test(size=(120, 40)) as pilot:
            await wait_ready(pilot)
            await wait_for(pilot, lambda: len(replies(again)) == 1, what="the stored reply")
            assert model_line(replies(again)[0]) == "backup-model"
