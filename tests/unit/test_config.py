"""Settings layering (user < project < env < flags), bad files, and redaction."""

from __future__ import annotations

from pathlib import Path

import pytest

from penguin_tui.config import Redactor, load_settings
from penguin_tui.errors import ConfigError


def test_layers_apply_in_order(tmp_path: Path) -> None:
    user = tmp_path / "user.toml"
    user.write_text('[model]\nname = "user-model"\ntimeout_s = 5\n[ui]\ntheme = "penguin-light"\n')
    project = tmp_path / "project"
    (project / ".penguin").mkdir(parents=True)
    (project / ".penguin" / "config.toml").write_text('[model]\nname = "project-model"\n')
    settings = load_settings(user, project, environ={})
    assert settings.model.name == "project-model"
    assert settings.model.timeout_s == 5
    assert settings.ui.theme == "penguin-light"
    env = {"PENGUIN_MODEL": "env-model", "PENGUIN_API_BASE": "http://localhost:1/v1"}
    settings = load_settings(user, project, environ=env)
    assert (settings.model.name, settings.model.api_base) == ("env-model", "http://localhost:1/v1")
    settings = load_settings(user, project, model="flag-model", environ=env)
    assert settings.model.name == "flag-model"


def test_bad_toml_names_the_file(tmp_path: Path) -> None:
    user = tmp_path / "user.toml"
    user.write_text("[model\nname=")
    with pytest.raises(ConfigError, match="user.toml"):
        load_settings(user, None, environ={})


def test_bad_value_names_the_setting_and_source(tmp_path: Path) -> None:
    user = tmp_path / "user.toml"
    user.write_text("[model]\ntimeout_s = -3\n")
    with pytest.raises(ConfigError, match=r"model\.timeout_s from .*user.toml"):
        load_settings(user, None, environ={})


def test_redactor_hides_key_shapes_and_configured_values() -> None:
    redact = Redactor(["my-db-password-123"])
    text = (
        "OPENAI sk-abcdefghijklmnopqrstuvwxyz123456 AWS AKIAABCDEFGHIJKLMNOP "
        "gh ghp_abcdefghijklmnopqrstuvwxyz0123456789 pw my-db-password-123 ok"
    )
    cleaned = redact(text)
    assert "sk-abc" not in cleaned
    assert "AKIA" not in cleaned
    assert "ghp_" not in cleaned
    assert "my-db-password" not in cleaned
    assert cleaned.endswith("ok")
    assert cleaned.count("[REDACTED]") == 4


def test_redactor_reads_secret_looking_environment_variables() -> None:
    from penguin_tui.config.secrets import secret_values_from_env

    values = secret_values_from_env(
        {"MY_SERVICE_TOKEN": "tok-1234567890", "HOME": "/root", "SHORT_KEY": "abc"}
    )
    assert values == ["tok-1234567890"]


def test_redactor_hides_values_assigned_to_secret_names() -> None:
    redact = Redactor()
    dotenv = 'API_TOKEN=canary-abc-123456\nDB_PASSWORD="hunter2hunter2"\nDEBUG=true\n'
    cleaned = redact(dotenv)
    assert "canary-abc-123456" not in cleaned and "hunter2hunter2" not in cleaned
    assert "API_TOKEN=[REDACTED]" in cleaned
    assert "DEBUG=true" in cleaned
    assert redact('{"secret_key": "abcdefgh12345"}') == '{"secret_key": "[REDACTED]"}'


def test_redactor_leaves_ordinary_code_alone() -> None:
    code = "token = get_token()\nmax_tokens = settings.max_tokens\n"
    assert Redactor()(code) == code


def test_redactor_works_inside_stored_json() -> None:
    import json

    line = json.dumps({"preview": "     1\tAPI_TOKEN=canary-dotenv-8888\n     2\tDEBUG=1\n"})
    cleaned = Redactor()(line)
    assert "canary-dotenv" not in cleaned
    assert "DEBUG=1" in json.loads(cleaned)["preview"]
