"""Which names hold secrets (whole parts, not letters inside a word) and how passwords in
URLs are redacted."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from penguin_tui.config import load_settings
from penguin_tui.config.secrets import (
    Redactor,
    is_secret_name,
    secret_values_from_env,
    url_passwords,
)


@pytest.mark.parametrize(
    "name",
    [
        "MY_PASS",
        "PASS",
        "DB_PASSWORD",
        "PGPASSWORD",
        "GH_AUTH",
        "AUTH_HEADER",
        "npm_config__auth",
        "AZURE_CREDENTIALS",
        "GOOGLE_APPLICATION_CREDENTIALS",
        "SSL_PRIVATE",
        "PRIVATE_PEM",
        "SENTRY_DSN",
        "MYSQL_PWD",
        "GPG_PASSPHRASE",
        "API_KEY",
        "APIKEY",
        "GITHUB_TOKEN",
        "CLIENT_SECRET",
        "db-pass",
        "db.auth",
    ],
)
def test_secret_names(name: str) -> None:
    assert is_secret_name(name)


@pytest.mark.parametrize(
    "name",
    [
        "GIT_AUTHOR_NAME",
        "GIT_AUTHOR_EMAIL",
        "BYPASS_CACHE",
        "PASSENGER_APP_ENV",
        "COMPASS_HOME",
        "OAUTHLIB_INSECURE_TRANSPORT",
        "DSNAME",
        "PRIVATEER",
        "PWD",
        "OLDPWD",
        "SSH_AUTH_SOCK",
        "MAX_TOKENS",
        "tokens_source",
        "TIKTOKEN_CACHE_DIR",
        "TOKENIZERS_PARALLELISM",
        "XKB_KEYMAP",
        "HOME",
        "PATH",
    ],
)
def test_names_that_only_contain_the_letters_are_not_secret(name: str) -> None:
    assert not is_secret_name(name)


def test_the_password_of_a_url_is_redacted_and_the_rest_kept() -> None:
    redact = Redactor()
    assert redact("postgres://u:PASSWORD@h/d") == "postgres://u:[REDACTED]@h/d"
    assert redact("DATABASE_URL=mysql://app:s3cr%40t@db:3306/x") == (
        "DATABASE_URL=mysql://app:[REDACTED]@db:3306/x"
    )
    assert redact("redis://:hunter2@cache:6379/0") == "redis://:[REDACTED]@cache:6379/0"
    # A password holding an unencoded @ is hidden whole, up to the host.
    assert redact("see (https://bob:p@ss@example.com/a)") == (
        "see (https://bob:[REDACTED]@example.com/a)"
    )
    for kept in (
        "ssh://git@github.com:22/org/repo.git",
        "https://example.com:8443/a@b:c",
        "http://localhost:8000/v1",
        "git@github.com:org/repo.git",
        "mailto:someone@example.com",
    ):
        assert redact(kept) == kept


def test_url_passwords_survive_json_and_are_found_in_environment_values() -> None:
    line = json.dumps({"output": "DATABASE_URL=postgres://u:longpassword1@h/d\nOK=1\n"})
    cleaned = Redactor()(line)
    assert "longpassword1" not in cleaned
    assert json.loads(cleaned)["output"].endswith("OK=1\n")
    assert url_passwords("a postgres://u:pw@h b https://x:yz@w") == ["pw", "yz"]
    env = {"DATABASE_URL": "postgres://u:longpassword1@h/d", "MY_PASS": "hunter2hunter2"}
    assert secret_values_from_env(env) == ["hunter2hunter2", "longpassword1"]


def test_values_of_secret_names_are_redacted_wherever_they_appear() -> None:
    env = {
        "DATABASE_URL": "postgres://u:longpassword1@h/d",
        "MY_PASS": "hunter2hunter2",
        "GH_AUTH": "gh-auth-value-1234",
        "GIT_AUTHOR_NAME": "Penguin Agent",
    }
    redact = Redactor(secret_values_from_env(env))
    text = "pw longpassword1, pass hunter2hunter2, auth gh-auth-value-1234 by Penguin Agent"
    assert redact(text) == "pw [REDACTED], pass [REDACTED], auth [REDACTED] by Penguin Agent"


def test_assignments_to_secret_parts_are_redacted_and_test_reports_kept() -> None:
    redact = Redactor()
    text = (
        "MY_PASS=hunter2hunter2\nGH_AUTH: abcdefghijkl\n"
        'config = {"db-pass": "abcdefghijk", "tokens_source": "provider"}\n'
        "GIT_AUTHOR_NAME=Penguin-Agent-Name\nBYPASS_CACHE=yesyesyesyes\n"
        "--- PASS: TestSomethingLong (0.00s)\n"
    )
    assert redact(text) == (
        "MY_PASS=[REDACTED]\nGH_AUTH: [REDACTED]\n"
        'config = {"db-pass": "[REDACTED]", "tokens_source": "provider"}\n'
        "GIT_AUTHOR_NAME=Penguin-Agent-Name\nBYPASS_CACHE=yesyesyesyes\n"
        "--- PASS: TestSomethingLong (0.00s)\n"
    )


def test_long_runs_of_capitals_and_dots_are_redacted_in_linear_time() -> None:
    # Each of these took seconds (or minutes) with patterns that backtrack.
    for text in ("KEY" * 30_000 + "x", "a." * 50_000, "A=" * 50_000):
        assert Redactor()(text) == text


def test_a_project_can_add_secret_names_but_not_take_the_users_back(tmp_path: Path) -> None:
    user = tmp_path / "user.toml"
    user.write_text('secret_env_vars = ["CORP_VAULT"]\n')
    project = tmp_path / "project"
    (project / ".penguin").mkdir(parents=True)
    (project / ".penguin" / "config.toml").write_text('secret_env_vars = ["APP_SEED"]\n')
    assert load_settings(user, project, environ={}).secret_env_vars == ["CORP_VAULT", "APP_SEED"]
    (project / ".penguin" / "config.toml").write_text("secret_env_vars = []\n")
    assert load_settings(user, project, environ={}).secret_env_vars == ["CORP_VAULT"]
