"""`penguin-tui config` on real files: a script reads and changes settings, the file keeps its
comments and layout, a value the schema refuses is never written, and every command answers
without loading litellm, the engine or the runtime."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tomllib
from pathlib import Path
from typing import Any

import pytest

from penguin_tui.cli.main import main

Captured = pytest.CaptureFixture[str]

HAND_WRITTEN = """\
# My settings, written by hand.
[model]
name = "openai/gpt-4o"  # the main one

[agent]
# Patient, but not forever.
max_steps = 30  # thirty
compact_at = 0.7
"""


def config(capsys: Captured, *args: str) -> tuple[int, str, str]:
    code = main(["config", *args])
    out, err = capsys.readouterr()
    return code, out, err


def ok(capsys: Captured, *args: str) -> str:
    code, out, err = config(capsys, *args)
    assert code == 0, err
    return out


@pytest.fixture
def user_file(penguin_home: Path) -> Path:
    path = penguin_home / "config.toml"
    path.write_text(HAND_WRITTEN, encoding="utf-8")
    return path


def listed(capsys: Captured, *args: str) -> dict[str, dict[str, Any]]:
    return {entry["key"]: entry for entry in json.loads(ok(capsys, "list", "--json", *args))}


def test_set_get_unset_round_trip_keeps_every_comment_byte_for_byte(
    capsys: Captured, user_file: Path, project: Path
) -> None:
    ok(capsys, "set", "agent.max_steps", "40", "-C", str(project))
    assert user_file.read_text() == HAND_WRITTEN.replace("= 30  #", "= 40  #")
    assert ok(capsys, "get", "agent.max_steps", "-C", str(project)) == "40\n"

    ok(capsys, "unset", "agent.compact_at", "-C", str(project))
    without = HAND_WRITTEN.replace("= 30  #", "= 40  #").replace("compact_at = 0.7\n", "")
    assert user_file.read_text() == without
    assert ok(capsys, "get", "agent.compact_at", "-C", str(project)) == "0.8\n"  # the default

    ok(capsys, "set", "ui.theme", "penguin-light", "-C", str(project))
    text = user_file.read_text()
    assert text.startswith(without)
    assert text.endswith('[ui]\ntheme = "penguin-light"\n')

    ok(capsys, "unset", "ui.theme", "-C", str(project))
    assert user_file.read_text().rstrip("\n") == without.rstrip("\n")


def test_unset_of_a_setting_the_file_does_not_hold_says_so(
    capsys: Captured, user_file: Path, project: Path
) -> None:
    code, _out, err = config(capsys, "unset", "budget.daily_usd", "-C", str(project))
    assert code == 1
    assert err == f"penguin-tui: budget.daily_usd is not set in {user_file}\n"
    assert user_file.read_text() == HAND_WRITTEN


@pytest.mark.parametrize(
    ("key", "typed", "stored"),
    [
        ("checkpoints.enabled", "false", False),
        ("agent.max_steps", "3", 3),
        ("budget.turn_usd", "1.5", 1.5),
        ("ui.theme", '"penguin-light"', "penguin-light"),
        ("ui.theme", "penguin-light", "penguin-light"),  # not TOML: taken as a string
        ("model.fallback_models", '["a", "b"]', ["a", "b"]),
        ("model.name", "ollama/qwen2.5:7b", "ollama/qwen2.5:7b"),
    ],
)
def test_set_reads_the_value_as_a_toml_literal_else_a_string(
    capsys: Captured, user_file: Path, project: Path, key: str, typed: str, stored: object
) -> None:
    ok(capsys, "set", key, typed, "-C", str(project))
    table, name = key.split(".")
    assert tomllib.loads(user_file.read_text())[table][name] == stored


@pytest.mark.parametrize(
    ("key", "value", "said"),
    [
        (
            "agent.max_steps",
            "0",
            "bad setting agent.max_steps from {file} line 7: it should "
            "be greater than or equal to 1 (got 0)",
        ),
        (
            "agent.max_step",
            "3",
            "bad setting agent.max_step from {file} line 9: there is no such setting",
        ),
        (
            "checkpoints.enabled",
            "maybe",
            "bad setting checkpoints.enabled from {file} line 11: "
            "it should be a valid boolean, unable to interpret input (got 'maybe')",
        ),
        ("model.name.first", "x", "model.name in {file} is a value, not a table of settings"),
    ],
)
def test_a_value_the_schema_refuses_is_refused_with_nothing_written(
    capsys: Captured, user_file: Path, project: Path, key: str, value: str, said: str
) -> None:
    code, out, err = config(capsys, "set", key, value, "-C", str(project))
    assert code == 2
    assert (out, err) == ("", f"penguin-tui: {said.format(file=user_file)}\n")
    assert user_file.read_text() == HAND_WRITTEN
    assert sorted(p.name for p in user_file.parent.iterdir()) == ["config.toml"]


def test_set_keeps_the_files_mode(capsys: Captured, user_file: Path, project: Path) -> None:
    user_file.chmod(0o640)
    ok(capsys, "set", "agent.max_steps", "40", "-C", str(project))
    assert user_file.stat().st_mode & 0o777 == 0o640


def test_project_flag_writes_the_project_file_and_leaves_the_user_file(
    capsys: Captured, user_file: Path, project: Path
) -> None:
    ok(capsys, "set", "model.name", "ollama/llama3", "--project", "-C", str(project))
    project_file = project / ".penguin" / "config.toml"
    assert project_file.read_text() == '[model]\nname = "ollama/llama3"\n'
    assert user_file.read_text() == HAND_WRITTEN
    assert ok(capsys, "get", "model.name", "-C", str(project)) == "ollama/llama3\n"
    assert listed(capsys, "-C", str(project))["model.name"] == {
        "key": "model.name",
        "value": "ollama/llama3",
        "source": "project",
        "file": str(project_file),
    }
    ok(capsys, "unset", "model.name", "--project", "-C", str(project))
    assert ok(capsys, "get", "model.name", "-C", str(project)) == "openai/gpt-4o\n"


def test_list_json_names_the_layer_of_every_value(
    capsys: Captured, user_file: Path, project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    ok(capsys, "set", "budget.daily_usd", "5", "--project", "-C", str(project))
    monkeypatch.setenv("PENGUIN_THEME", "penguin-light")
    entries = listed(capsys, "-C", str(project), "--api-base", "http://127.0.0.1:9/v1")
    sources = {key: entry["source"] for key, entry in entries.items()}
    assert sources["agent.max_steps"] == "user"
    assert entries["agent.max_steps"]["file"] == str(user_file)
    assert (sources["budget.daily_usd"], entries["budget.daily_usd"]["value"]) == ("project", 5)
    assert (sources["ui.theme"], entries["ui.theme"]["value"]) == ("environment", "penguin-light")
    assert sources["model.api_base"] == "flag"
    assert (sources["agent.shell_timeout_s"], entries["agent.shell_timeout_s"]["value"]) == (
        "default",
        120.0,
    )
    assert "file" not in entries["ui.theme"]


def test_list_shows_each_value_with_its_layer(
    capsys: Captured, user_file: Path, project: Path
) -> None:
    lines = ok(capsys, "list", "-C", str(project)).splitlines()
    (steps,) = [line for line in lines if line.startswith("agent.max_steps ")]
    assert steps.split() == ["agent.max_steps", "30", "[user:", f"{user_file}]"]
    (title,) = [line for line in lines if line.startswith("model.roles.title ")]
    assert title.split() == ["model.roles.title", "(not", "set)", "[default]"]


def test_get_and_list_mask_secret_values(capsys: Captured, user_file: Path, project: Path) -> None:
    user_file.write_text(
        '[model]\napi_base = "https://me:hunter2hunter2@llm.example/v1"\n'
        '[permissions]\naccess_token = "plain-words-but-a-token"\n'
    )
    shown = ok(capsys, "get", "model.api_base", "-C", str(project))
    assert shown == "https://me:[REDACTED]@llm.example/v1\n"
    listing = ok(capsys, "list", "-C", str(project))
    assert "hunter2" not in listing and "plain-words" not in listing
    assert listed(capsys, "-C", str(project))["permissions"]["value"] == {
        "access_token": "[REDACTED]"
    }


def test_get_of_an_unknown_or_unset_setting(
    capsys: Captured, user_file: Path, project: Path
) -> None:
    assert config(capsys, "get", "agent.no_such", "-C", str(project)) == (
        2,
        "",
        "penguin-tui: there is no setting agent.no_such\n",
    )
    assert config(capsys, "get", "model.api_base", "-C", str(project)) == (
        1,
        "",
        "penguin-tui: model.api_base is not set\n",
    )
    ok(capsys, "set", 'model.context_windows."ollama/qwen2.5"', "32768", "-C", str(project))
    key = 'model.context_windows."ollama/qwen2.5"'
    assert ok(capsys, "get", key, "-C", str(project)) == "32768\n"


def test_validate_names_the_file_line_and_key_of_a_bad_setting(
    capsys: Captured, user_file: Path, project: Path
) -> None:
    out = ok(capsys, "validate", "-C", str(project))
    assert out == f"{user_file}: ok\n"
    project_file = project / ".penguin" / "config.toml"
    project_file.parent.mkdir()
    project_file.write_text("# the team's\n[budget]\n\nsession_usd = -1\n")
    code, out, err = config(capsys, "validate", "-C", str(project))
    assert code == 2
    assert out == f"{user_file}: ok\n"
    assert err == (
        f"penguin-tui: bad setting budget.session_usd from {project_file} line 4: it should "
        "be greater than 0 (got -1)\n"
    )


def test_validate_names_the_line_of_a_toml_error(
    capsys: Captured, user_file: Path, project: Path
) -> None:
    user_file.write_text(HAND_WRITTEN + "theme = \n")
    code, _out, err = config(capsys, "validate", "-C", str(project))
    assert code == 2
    assert err.count("\n") == 1
    assert str(user_file) in err and "line 9" in err


def _editor(tmp_path: Path, appended: str) -> str:
    script = tmp_path / "editor.sh"
    script.write_text(f"#!/bin/sh\nprintf '%s' '{appended}' >> \"$1\"\n")
    script.chmod(0o755)
    return str(script)


def test_edit_opens_the_editor_on_the_file_then_validates_it(
    capsys: Captured,
    user_file: Path,
    project: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv("VISUAL", raising=False)
    monkeypatch.setenv("EDITOR", _editor(tmp_path, '\n[ui]\ntheme = "penguin-light"\n'))
    ok(capsys, "edit", "-C", str(project))
    assert user_file.read_text().startswith(HAND_WRITTEN)
    assert ok(capsys, "get", "ui.theme", "-C", str(project)) == "penguin-light\n"

    monkeypatch.setenv("EDITOR", _editor(tmp_path, "[checkpoints]\nquota_mb = 0\n"))
    code, _out, err = config(capsys, "edit", "--project", "-C", str(project))
    project_file = project / ".penguin" / "config.toml"
    assert code == 2
    assert err == (
        f"penguin-tui: bad setting checkpoints.quota_mb from {project_file} line 2: it should "
        "be greater than 0 (got 0)\n"
    )


COMMANDS = [
    ["get", "agent.max_steps"],
    ["set", "agent.max_steps", "12"],
    ["unset", "agent.max_steps"],
    ["list", "--json"],
    ["validate"],
    ["edit"],
    ["path"],
]


@pytest.mark.parametrize("args", COMMANDS, ids=[" ".join(c) for c in COMMANDS])
def test_config_commands_never_load_litellm_the_engine_or_the_runtime(
    penguin_home: Path, project: Path, args: list[str]
) -> None:
    (penguin_home / "config.toml").write_text(HAND_WRITTEN)
    code = (
        "import sys\n"
        "from penguin_tui.cli.main import main\n"
        f"code = main({['config', *args]!r})\n"
        "heavy = [m for m in ('litellm', 'penguin_tui.engine', 'penguin_tui.runtime',"
        " 'penguin_tui.store', 'textual') if m in sys.modules]\n"
        "print('LOADED', heavy, code)\n"
    )
    env = {**os.environ, "EDITOR": "true"}
    result = subprocess.run(
        [sys.executable, "-c", code],
        cwd=project,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.stdout.splitlines()[-1] == "LOADED [] 0", result.stderr
