"""The usage monitor marks estimated figures with ``~`` until the provider's replace them."""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Any

from rich.console import Console

from penguin_tui.app.app import PenguinApp
from penguin_tui.app.widgets.usage import UsagePane
from penguin_tui.testing import run_in_thread
from tests.conftest import script
from tests.tui.helpers import make_app, send, wait_for, wait_ready, wait_reply_done

SLOW_REPLY = """
model = "m1"
rate = 40
[[turns]]
text = "{words}"
"""

NO_USAGE_THEN_USAGE = """
model = "m1"
rate = 0
[[turns]]
text = "A reply from a server that sends no usage."
usage_chunk = false
[[turns]]
text = "A reply with the provider's usage."
"""


def pane_row(app: PenguinApp, label: str) -> str:
    """The line of the usage pane, as shown, that starts with ``label``."""
    console = Console(width=60, file=io.StringIO(), record=True)
    console.print(app.screen.query_one(UsagePane).content)
    lines = console.export_text().splitlines()
    return next(line for line in lines if line.startswith(label))


def request_floor(request: dict[str, Any]) -> int:
    """The system prompt and the tool schemas sent, at 4 characters a token."""
    system = "".join(m["content"] for m in request["messages"] if m["role"] == "system")
    return (len(system) + len(json.dumps(request["tools"]))) // 4


async def test_the_estimate_while_streaming_counts_the_whole_request(project: Path) -> None:
    words = " ".join(f"word{i}" for i in range(200))
    with run_in_thread(script(SLOW_REPLY.format(words=words))) as slow:
        app = make_app(project, slow.base_url)
        async with app.run_test(size=(120, 36)) as pilot:
            await wait_ready(pilot)
            await send(pilot, "go")
            tally = app.tally
            await wait_for(pilot, lambda: tally.reply_out >= 5, what="tokens to stream")
            assert tally.reply_streaming
            assert tally.reply_in >= request_floor(slow.requests[0]) > 100
            row = pane_row(app, "Reply")
            assert f"~{tally.reply_in:,}" in row or f"~{tally.reply_in / 1000:.1f}k" in row
            await pilot.press("escape")
            await wait_reply_done(pilot)
            # Cancelled: the stored figures are the estimate, and still marked as one.
            await wait_for(pilot, lambda: tally.session_calls == 1, what="usage to be recorded")
            assert tally.reply_in >= request_floor(slow.requests[0])
            assert "~" in pane_row(app, "Reply")


async def test_figures_without_the_providers_usage_keep_their_tilde(project: Path) -> None:
    with run_in_thread(script(NO_USAGE_THEN_USAGE)) as server:
        app = make_app(project, server.base_url)
        async with app.run_test(size=(120, 36)) as pilot:
            await wait_ready(pilot)
            tally = app.tally
            await send(pilot, "first")
            await wait_reply_done(pilot)
            await wait_for(pilot, lambda: tally.session_calls == 1, what="usage to be recorded")
            assert "~" in pane_row(app, "Reply")
            assert "~" in pane_row(app, "Session")

            await send(pilot, "second")
            await wait_reply_done(pilot, 2)
            await wait_for(pilot, lambda: tally.session_calls == 2, what="usage to be recorded")
            # The provider's own figures replace the estimate; the session still holds one.
            assert "~" not in pane_row(app, "Reply")
            assert "~" in pane_row(app, "Session")
