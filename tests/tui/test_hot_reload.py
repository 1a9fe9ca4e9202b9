"""Config edited on disk applies without a restart; a bad file changes nothing and says where;
a project's file keeps its limits when it changes."""

from __future__ import annotations

from pathlib import Path

import pytest
from textual.widgets import HelpPanel

from penguin_tui.app.app import PenguinApp
from penguin_tui.app.screens.accept_project_model import AcceptProjectModel
from penguin_tui.app.screens.approval import ApprovalScreen
from penguin_tui.app.widgets.key_hints import KeyHints
from penguin_tui.engine.permissions import Action, Mode, Rule
from penguin_tui.testing import ServerThread

from .helpers import make_app, notifications, wait_for, wait_ready

APPROVAL_HINTS = [
    ("y", "Allow once"),
    ("s", "Always in this session"),
    ("p", "Always in this project"),
    ("n/esc", "Deny"),
    ("r", "Deny with a reason"),
]


def settings_of(app: PenguinApp) -> tuple[str | None, str | None]:
    """The model and API base the engine answers the next prompt with."""
    assert app.runtime is not None
    model = app.runtime.engine.settings.model
    return model.name, model.api_base


async def test_theme_and_key_edited_on_disk_apply_and_a_broken_file_keeps_them(
    server: ServerThread, project: Path, penguin_home: Path
) -> None:
    config = penguin_home / "config.toml"
    first = config.read_text()
    app = make_app(project, server.base_url)
    async with app.run_test(size=(120, 36)) as pilot:
        await wait_ready(pilot)
        assert app.theme == "penguin-dark"
        config.write_text(
            first + '\n[ui]\ntheme = "penguin-light"\n\n[ui.keys]\n"help.keys" = "f12"\n'
        )
        await wait_for(pilot, lambda: app.theme == "penguin-light", what="the new theme")
        await wait_for(pilot, lambda: app.remapped_keys.get("help.keys") == "f12", what="the key")
        await pilot.press("f12")
        await wait_for(pilot, lambda: bool(app.screen.query(HelpPanel)), what="f12 shows keys")

        config.write_text(first + '\n[ui]\ntheme = "nord"\n\n[ui.keys\n"help.keys" = "f11"\n')
        await wait_for(pilot, lambda: bool(notifications(app)), what="the notification")
        await pilot.pause(1.0)  # a second notification, if any, would come by now
        assert len(notifications(app)) == 1
        [message] = notifications(app)
        assert str(config) in message and "line 11" in message, message
        assert app.theme == "penguin-light"
        assert app.remapped_keys.get("help.keys") == "f12"


async def test_a_bad_value_names_its_file_line_and_key_and_keeps_the_old_one(
    server: ServerThread, project: Path, penguin_home: Path
) -> None:
    config = penguin_home / "config.toml"
    first = config.read_text()
    app = make_app(project, server.base_url)
    async with app.run_test(size=(120, 36)) as pilot:
        await wait_ready(pilot)
        config.write_text(first + "\n[agent]\nmax_steps = 0\n")
        await wait_for(pilot, lambda: bool(notifications(app)), what="the notification")
        [message] = notifications(app)
        assert f"bad setting agent.max_steps from {config}" in message, message
        assert "(line 9)" in message, message
        assert app.runtime is not None
        assert app.runtime.settings.agent.max_steps == 25

        config.write_text(first + "\n[agent]\nmax_steps = 7\n")
        await wait_for(
            pilot, lambda: app.runtime is not None and app.runtime.settings.agent.max_steps == 7
        )


async def test_a_project_model_change_waits_for_a_yes(
    server: ServerThread, project: Path, penguin_home: Path
) -> None:
    config = penguin_home / "config.toml"
    config.write_text(config.read_text() + f'name = "m1"\napi_base = "{server.base_url}"\n')
    project_config = project / ".penguin" / "config.toml"
    project_config.parent.mkdir()
    project_config.write_text("[agent]\nmax_steps = 9\n")
    app = make_app(project, None, model=None)
    async with app.run_test(size=(120, 36)) as pilot:
        await wait_ready(pilot)
        assert settings_of(app) == ("m1", server.base_url)

        project_config.write_text(
            '[agent]\nmax_steps = 5\n\n[model]\napi_base = "http://127.0.0.1:9/v1"\n'
        )
        await wait_for(pilot, lambda: isinstance(app.screen, AcceptProjectModel), what="the ask")
        assert isinstance(app.screen, AcceptProjectModel)
        assert "the API base to http://127.0.0.1:9/v1" in app.screen.question
        assert settings_of(app) == ("m1", server.base_url)
        assert app.runtime is not None
        assert app.runtime.settings.agent.max_steps == 5  # the rest applies at once

        await pilot.press("y")
        await wait_for(
            pilot,
            lambda: settings_of(app) == ("m1", "http://127.0.0.1:9/v1"),
            what="the project's API base",
        )


async def test_a_declined_project_model_keeps_the_old_one(
    server: ServerThread, project: Path, penguin_home: Path
) -> None:
    config = penguin_home / "config.toml"
    config.write_text(config.read_text() + f'name = "m1"\napi_base = "{server.base_url}"\n')
    project_config = project / ".penguin" / "config.toml"
    project_config.parent.mkdir()
    app = make_app(project, None, model=None)
    async with app.run_test(size=(120, 36)) as pilot:
        await wait_ready(pilot)
        project_config.write_text('[model]\nname = "other"\n')
        await wait_for(pilot, lambda: isinstance(app.screen, AcceptProjectModel), what="the ask")
        await pilot.press("n")
        await wait_for(pilot, lambda: not isinstance(app.screen, AcceptProjectModel))
        project_config.write_text('[model]\nname = "other"\n\n[agent]\nmax_steps = 4\n')
        await wait_for(
            pilot, lambda: app.runtime is not None and app.runtime.settings.agent.max_steps == 4
        )
        assert settings_of(app) == ("m1", server.base_url)
        assert not isinstance(app.screen, AcceptProjectModel)


async def test_the_user_file_changes_the_model_directly(
    server: ServerThread, project: Path, penguin_home: Path
) -> None:
    config = penguin_home / "config.toml"
    first = config.read_text()
    config.write_text(first + f'name = "m1"\napi_base = "{server.base_url}"\n')
    app = make_app(project, None, model=None)
    async with app.run_test(size=(120, 36)) as pilot:
        await wait_ready(pilot)
        config.write_text(first + 'name = "m2"\napi_base = "http://127.0.0.1:9/v1"\n')
        await wait_for(pilot, lambda: settings_of(app) == ("m2", "http://127.0.0.1:9/v1"))
        assert not isinstance(app.screen, AcceptProjectModel)


async def test_a_key_env_set_while_running_is_kept_from_the_agents_shell(
    server: ServerThread,
    project: Path,
    penguin_home: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("LLM_ACCESS", "access-canary-5151")
    config = penguin_home / "config.toml"
    first = config.read_text()
    app = make_app(project, server.base_url)
    async with app.run_test(size=(120, 36)) as pilot:
        await wait_ready(pilot)
        assert app.runtime is not None
        tools = app.runtime.engine.tools
        assert tools.context.env.get("LLM_ACCESS") == "access-canary-5151"  # not a secret yet
        config.write_text(first + 'key_env = "LLM_ACCESS"\n')  # the [model] section's
        await wait_for(pilot, lambda: "LLM_ACCESS" not in tools.context.env, what="it kept out")


async def test_a_project_file_may_not_move_the_approval_keys_at_start(
    server: ServerThread, project: Path
) -> None:
    project_config = project / ".penguin" / "config.toml"
    project_config.parent.mkdir()
    project_config.write_text('[ui.keys]\n"approval.allow_once" = "n"\n"help.keys" = "f12"\n')
    app = make_app(project, server.base_url)
    async with app.run_test(size=(120, 36)) as pilot:
        await wait_ready(pilot)
        await wait_for(pilot, lambda: bool(notifications(app)), what="the refusal")
        [message] = notifications(app)
        assert f"{project_config}, line 2" in message and "approval.allow_once" in message
        assert "approval.allow_once" not in app.remapped_keys
        assert app.remapped_keys.get("help.keys") == "f12"
        await app.push_screen(ApprovalScreen("run_shell", "$ ls", "mode ask"))
        await wait_for(pilot, lambda: isinstance(app.screen, ApprovalScreen))
        assert app.screen.query_one(KeyHints).hints() == APPROVAL_HINTS


async def test_a_project_file_may_not_move_the_approval_keys_on_reload(
    server: ServerThread, project: Path
) -> None:
    project_config = project / ".penguin" / "config.toml"
    app = make_app(project, server.base_url)
    async with app.run_test(size=(120, 36)) as pilot:
        await wait_ready(pilot)
        await pilot.pause(0.5)  # the watcher is up
        project_config.parent.mkdir()
        project_config.write_text('[ui.keys]\n"approval.deny" = "y"\n"approval.allow_once" = "n"\n')
        await wait_for(pilot, lambda: bool(notifications(app)), what="the refusal")
        [message] = notifications(app)
        assert "approval.allow_once, approval.deny refused" in message, message
        assert not any(key.startswith("approval.") for key in app.remapped_keys)
        await app.push_screen(ApprovalScreen("run_shell", "$ ls", "mode ask"))
        await wait_for(pilot, lambda: isinstance(app.screen, ApprovalScreen))
        assert app.screen.query_one(KeyHints).hints() == APPROVAL_HINTS


async def test_permissions_reload_and_a_project_still_only_tightens(
    server: ServerThread, project: Path, penguin_home: Path
) -> None:
    config = penguin_home / "config.toml"
    first = config.read_text()
    project_config = project / ".penguin" / "config.toml"
    project_config.parent.mkdir()
    app = make_app(project, server.base_url)
    async with app.run_test(size=(120, 36)) as pilot:
        await wait_ready(pilot)
        assert app.runtime is not None
        tools = app.runtime.engine.tools
        tools.policy.session_rules.append(Rule(tool="run_shell", pattern="ls", action=Action.ALLOW))
        config.write_text(first + '\n[permissions]\nmode = "auto-edit"\n')
        await wait_for(pilot, lambda: tools.policy.mode is Mode.AUTO_EDIT, what="the user's mode")
        assert [rule.pattern for rule in tools.policy.session_rules] == ["ls"]

        project_config.write_text('[permissions]\nmode = "full"\n')
        await wait_for(pilot, lambda: tools.policy.ignored_project_mode is Mode.FULL)
        assert tools.policy.mode is Mode.AUTO_EDIT
        project_config.write_text('[permissions]\nmode = "read-only"\n')
        await wait_for(pilot, lambda: tools.policy.mode is Mode.READ_ONLY, what="tightened")
