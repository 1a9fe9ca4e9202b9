"""A reply is drawn final as soon as the model has sent its end, not when its usage (which
providers send after it) and its stored copy come."""

from __future__ import annotations

from pathlib import Path

from textual.widgets import Markdown

from penguin_tui.testing import run_in_thread
from tests.conftest import script
from tests.tui.helpers import (
    make_app,
    replies,
    screen_text,
    send,
    wait_for,
    wait_ready,
    wait_reply_done,
)

REPLY = "The whole reply, ending **here**."
# The model finishes its reply, then takes its time to count the tokens.
USAGE_LATE = f"""
model = "m1"
rate = 0
[[turns]]
text = "{REPLY}"
usage_delay_seconds = 3
"""
KEY = "sk-proj-" + "A1b2C3d4" * 4
WITH_A_KEY = f"""
model = "m1"
rate = 0
[[turns]]
text = "Your key is {KEY}, keep it safe."
"""


async def test_the_reply_is_final_on_screen_while_its_usage_is_still_coming(
    project: Path,
) -> None:
    with run_in_thread(script(USAGE_LATE)) as server:
        app = make_app(project, server.base_url)
        async with app.run_test(size=(120, 36)) as pilot:
            await wait_ready(pilot)
            await send(pilot, "hello")
            await wait_for(pilot, lambda: bool(replies(app)), what="the reply to start")
            reply = replies(app)[0]
            await wait_for(
                pilot,
                lambda: reply.text == REPLY and not reply.query(Markdown),
                what="the reply drawn without its live Markdown",
            )
            # The stored message (with the reply's status) has not come yet, nor the usage.
            assert reply.status == "streaming"
            assert reply.drawn_final
            assert app.tally.session_calls == 0
            assert "The whole reply, ending here." in screen_text(app)

            await wait_reply_done(pilot)
            assert reply.status == "complete"
            await wait_for(pilot, lambda: app.tally.session_calls == 1, what="the usage")
            blocks = [c for c in reply.children if c.__class__.__name__ == "Static"]
            assert len(blocks) == 1  # drawn once: the stored text is the streamed text
            assert screen_text(app).count("The whole reply, ending here.") == 1


async def test_a_redacted_reply_is_drawn_again_as_stored(project: Path) -> None:
    """The reply is drawn final from what streamed; the stored copy has the key hidden."""
    with run_in_thread(script(WITH_A_KEY)) as server:
        app = make_app(project, server.base_url)
        async with app.run_test(size=(160, 36)) as pilot:
            await wait_ready(pilot)
            await send(pilot, "my key?")
            reply = await wait_reply_done(pilot)
            assert reply.status == "complete"
            assert reply.text == "Your key is [REDACTED], keep it safe."
            # Drawn again from the stored copy (a repaint may come a frame after the status).
            await wait_for(
                pilot,
                lambda: "Your key is [REDACTED], keep it safe." in screen_text(app),
                what="the stored reply on screen",
            )
            assert KEY not in screen_text(app)
