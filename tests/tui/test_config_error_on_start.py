"""A config file the workbench cannot read is one notification, never a traceback."""

from __future__ import annotations

from pathlib import Path

from penguin_tui.app.widgets.prompt import PromptInput

from .helpers import make_app, notifications, wait_for, wait_ready


async def test_a_config_file_that_is_not_utf8_is_said_in_one_line(project: Path) -> None:
    config = project / ".penguin" / "config.toml"
    config.parent.mkdir()
    config.write_bytes('[model]\nname = "caf\xe9"\n'.encode("latin-1"))
    app = make_app(project, None)
    async with app.run_test(size=(120, 36)) as pilot:
        await wait_ready(pilot)
        await wait_for(pilot, lambda: bool(notifications(app)), what="the notification")
        assert notifications(app) == [
            f"config file {config} is not valid UTF-8 (line 2, column 12: byte 0xe9); "
            "save it as UTF-8"
        ]
        assert app.screen.query_one(PromptInput).disabled
