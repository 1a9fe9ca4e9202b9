"""An older user config is upgraded on load (a backup beside it, one notice, comments kept);
a project's file is read as upgraded but never rewritten."""

from __future__ import annotations

from pathlib import Path

import pytest

from penguin_tui.cli.main import main
from penguin_tui.config.migrations import CURRENT_VERSION
from penguin_tui.config.settings import load_settings

# Accepted before version 2 (shell_timeout_s went up to 3600 and acted as 600).
OLD_FILE = """\
# Mine: long builds.
[model]
name = "openai/gpt-4o"  # the main one

[agent]
shell_timeout_s = 1200  # twenty minutes
max_steps = 40
"""

UPGRADED = """\
# Mine: long builds.
schema_version = 2

[model]
name = "openai/gpt-4o"  # the main one

[agent]
shell_timeout_s = 600  # twenty minutes
max_steps = 40
"""


@pytest.fixture
def user_file(tmp_path: Path) -> Path:
    path = tmp_path / "config" / "config.toml"
    path.parent.mkdir()
    path.write_text(OLD_FILE, encoding="utf-8")
    return path


def test_an_older_user_file_is_upgraded_with_a_backup_and_one_notice(user_file: Path) -> None:
    notices: list[str] = []
    settings = load_settings(user_file, None, notices=notices, environ={})
    assert CURRENT_VERSION == 2
    assert (settings.agent.shell_timeout_s, settings.agent.max_steps) == (600, 40)
    assert user_file.read_text() == UPGRADED
    backup = user_file.with_name("config.toml.bak-1")
    assert backup.read_text() == OLD_FILE
    assert notices == [
        f"upgraded {user_file} from schema_version 1 to 2 ([agent] shell_timeout_s 1200 -> "
        f"600); the old file is {backup}"
    ]

    again: list[str] = []
    load_settings(user_file, None, notices=again, environ={})
    assert again == []
    assert sorted(p.name for p in user_file.parent.iterdir()) == [
        "config.toml",
        "config.toml.bak-1",
    ]


def test_a_file_marked_older_is_upgraded_even_when_no_setting_changes(user_file: Path) -> None:
    user_file.write_text('schema_version = 1\n[ui]\ntheme = "penguin-light"\n')
    notices: list[str] = []
    load_settings(user_file, None, notices=notices, environ={})
    assert user_file.read_text() == 'schema_version = 2\n[ui]\ntheme = "penguin-light"\n'
    assert notices and "no setting changed" in notices[0]


def test_an_earlier_backup_is_never_overwritten(user_file: Path) -> None:
    earlier = user_file.with_name("config.toml.bak-1")
    earlier.write_text("the first upgrade's\n")
    load_settings(user_file, None, notices=[], environ={})
    assert earlier.read_text() == "the first upgrade's\n"
    assert user_file.with_name("config.toml.bak-1.2").read_text() == OLD_FILE


def test_a_current_file_without_a_version_is_left_alone(user_file: Path) -> None:
    current = OLD_FILE.replace("1200", "300")
    user_file.write_text(current)
    notices: list[str] = []
    load_settings(user_file, None, notices=notices, environ={})
    assert (user_file.read_text(), notices) == (current, [])
    assert [p.name for p in user_file.parent.iterdir()] == ["config.toml"]


def test_a_newer_file_is_read_as_it_is_with_a_notice(user_file: Path) -> None:
    user_file.write_text("schema_version = 99\n[agent]\nmax_steps = 7\n")
    notices: list[str] = []
    settings = load_settings(user_file, None, notices=notices, environ={})
    assert settings.agent.max_steps == 7
    assert user_file.read_text() == "schema_version = 99\n[agent]\nmax_steps = 7\n"
    assert notices == [
        f"{user_file} is schema_version 99, from a newer penguin-tui (this one knows 2); it "
        "is read as it is"
    ]


def test_a_project_file_is_never_rewritten_and_an_older_one_gets_a_notice(
    tmp_path: Path,
) -> None:
    project = tmp_path / "project"
    project_file = project / ".penguin" / "config.toml"
    project_file.parent.mkdir(parents=True)
    project_file.write_text(OLD_FILE)
    notices: list[str] = []
    settings = load_settings(None, project, notices=notices, environ={})
    assert settings.agent.shell_timeout_s == 600
    assert project_file.read_text() == OLD_FILE
    assert [p.name for p in project_file.parent.iterdir()] == ["config.toml"]
    assert notices == [
        f"{project_file} is an older project config (schema_version 1): read as 2 ([agent] "
        "shell_timeout_s 1200 -> 600); the file is left as it is"
    ]


def test_a_command_says_the_notice_on_stderr_once(
    penguin_home: Path, project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    user_file = penguin_home / "config.toml"
    user_file.write_text(OLD_FILE)
    assert main(["config", "get", "agent.shell_timeout_s", "-C", str(project)]) == 0
    out, err = capsys.readouterr()
    assert out == "600.0\n"
    assert err.count("\n") == 1
    assert err.startswith(f"penguin-tui: upgraded {user_file} from schema_version 1 to 2")
    assert user_file.read_text() == UPGRADED
