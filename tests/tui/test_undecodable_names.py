"""A file name that is not UTF-8, met by the agent in the workbench: every call ends."""

from __future__ import annotations

from pathlib import Path

from penguin_tui.app.widgets.tool_call import ToolCallView
from penguin_tui.testing import run_in_thread
from tests.conftest import script
from tests.integration.test_undecodable_names import write_bytes_named
from tests.tui.helpers import make_app, replies, send, wait_for, wait_ready

LOOK = """
model = "m1"
rate = 0
[[turns]]
text = "Looking."
[[turns.tool_calls]]
name = "list_files"
arguments = '{"path": "."}'
[[turns.tool_calls]]
name = "search"
arguments = '{"pattern": "hello"}'
[[turns]]
text = "Seen them."
"""


async def test_the_calls_of_a_reply_that_meets_such_a_name_all_end(project: Path) -> None:
    write_bytes_named(project, b"caf\xe9.txt", b"hello there\n")
    with run_in_thread(script(LOOK)) as server:
        app = make_app(project, server.base_url)
        async with app.run_test(size=(120, 40)) as pilot:
            await wait_ready(pilot)
            await send(pilot, "look")
            await wait_for(
                pilot,
                lambda: "Seen them." in "".join(r.text for r in replies(app)),
                what="the reply after the calls",
            )
            views = list(app.workbench.query(ToolCallView))
            assert [(v.tool, v.status) for v in views] == [("list_files", "ok"), ("search", "ok")]
