"""The usage report over the workbench: opened with its key after real calls to the scripted
model (one of them answered by the fallback), g cycles the grouping, escape closes it."""

from __future__ import annotations

from pathlib import Path

from textual.widgets import DataTable, Sparkline

from penguin_tui.app.screens.usage_report import UsageReport
from penguin_tui.testing import run_in_thread
from tests.conftest import script
from tests.tui.helpers import make_app, send, wait_for, wait_ready, wait_reply_done

SCRIPT = """
model = "m1"
rate = 300
[[turns]]
text = "A first answer from the main model."
usage = {prompt_tokens = 200, completion_tokens = 40}
[[turns]]
text = "The fallback answers this one."
usage = {prompt_tokens = 300, completion_tokens = 50}
[turns.fault]
kind = "server_error"
count = 3
"""


def table_rows(report: UsageReport) -> list[list[str]]:
    table: DataTable[object] = report.query_one(DataTable)
    return [[str(cell) for cell in table.get_row_at(i)] for i in range(table.row_count)]


async def test_the_report_opens_with_its_key_and_g_cycles_the_grouping(project: Path) -> None:
    (project / ".penguin").mkdir()
    (project / ".penguin" / "config.toml").write_text(
        '[model]\nfallback_models = ["m2"]\n', encoding="utf-8"
    )
    with run_in_thread(script(SCRIPT)) as server:
        app = make_app(project, server.base_url)
        async with app.run_test(size=(100, 30)) as pilot:
            await wait_ready(pilot)
            await send(pilot, "first")
            await wait_reply_done(pilot)
            await send(pilot, "second")
            await wait_reply_done(pilot, 2)
            await wait_for(pilot, lambda: app.tally.session_calls == 2, what="both calls")
            await pilot.press("ctrl+g")
            await wait_for(pilot, lambda: isinstance(app.screen, UsageReport), what="the report")
            report = app.screen
            assert isinstance(report, UsageReport)
            rows = table_rows(report)
            assert [(row[0], row[1]) for row in rows] == [("m1", "1"), ("m2", "1")]
            assert len(report.query(Sparkline)) == 2
            branches = str(report.query_one("#usage-branches").render())
            assert "● main" in branches and "2 calls" in branches
            await pilot.press("g")
            assert report.by == "provider"
            assert [row[0] for row in table_rows(report)] == ["openai-compatible"]
            assert table_rows(report)[0][1] == "2"
            for expected in ("session", "branch", "task", "day", "model"):
                await pilot.press("g")
                assert report.by == expected
            assert [row[0] for row in table_rows(report)] == ["m1", "m2"]
            await pilot.press("escape")
            await wait_for(pilot, lambda: not isinstance(app.screen, UsageReport), what="close")
