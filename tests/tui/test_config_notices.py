"""A user config upgraded at start is said in the workbench as one notification, never printed
over the screen."""

from __future__ import annotations

from pathlib import Path

from .helpers import make_app, notifications, wait_for, wait_ready


async def test_an_upgraded_user_config_is_one_notification_at_start(
    project: Path, penguin_home: Path
) -> None:
    config = penguin_home / "config.toml"
    config.write_text("schema_version = 1\n\n[agent]\nshell_timeout_s = 1200\n", encoding="utf-8")
    app = make_app(project, None)
    async with app.run_test(size=(120, 36)) as pilot:
        await wait_ready(pilot)
        await wait_for(
            pilot, lambda: any("upgraded" in n for n in notifications(app)), what="the notice"
        )
        (said,) = [n for n in notifications(app) if "upgraded" in n]
        assert said.startswith(f"upgraded {config} from schema_version 1 to 2")
    assert (penguin_home / "config.toml.bak-1").exists()
