"""The 80% warning in the workbench: a reply that takes the session's dollar budget past 80%
shows one notification and turns the usage pane's session cost the warning colour."""

from __future__ import annotations

from pathlib import Path

from rich.text import Text

from penguin_tui.app.widgets.usage import UsagePane
from penguin_tui.testing import run_in_thread
from tests.conftest import script
from tests.tui.helpers import make_app, notifications, replies, send, wait_for, wait_ready

SCRIPT = """
model = "m1"
rate = 0
[[turns]]
text = "A short reply."
usage = {prompt_tokens = 2500, completion_tokens = 10}
"""

CONFIG = """
[model.prices."m1"]
input_per_mtok = 100.0
output_per_mtok = 100.0

[budget]
session_usd = 0.3
"""


async def test_crossing_80_percent_of_a_budget_warns_and_colours_the_session_cost(
    project: Path, penguin_home: Path
) -> None:
    with (penguin_home / "config.toml").open("a", encoding="utf-8") as config:
        config.write(CONFIG)
    with run_in_thread(script(SCRIPT)) as server:
        app = make_app(project, server.base_url)
        async with app.run_test(size=(160, 48)) as pilot:
            await wait_ready(pilot)
            await send(pilot, "hello")
            await wait_for(pilot, lambda: len(replies(app)) == 1, what="the reply")
            await wait_for(
                pilot,
                lambda: any("of the session's budget" in n for n in notifications(app)),
                what="the 80% warning",
            )
            (said,) = [n for n in notifications(app) if "budget" in n]
            assert said == "$0.2510 of the session's budget of $0.3000 spent (84%)"
            pane = app.workbench.query_one(UsagePane)
            assert pane.tally.budget_warning == "session"
            warning = app.theme_variables["warning"]
            rendered = pane.render_tally()
            cells = [
                cell
                for table in rendered.renderables
                for column in getattr(table, "columns", [])
                for cell in column._cells
                if isinstance(cell, Text) and cell.plain.startswith("$0.2510")
            ]
            assert cells and warning.lower() in str(cells[0].style).lower()
