"""The shell's environment keeps the user's setup and drops anything that looks like a secret."""

from __future__ import annotations

from penguin_tui.config.secrets import SecretFreeEnvironment
from penguin_tui.engine.tools.environment import agent_environment


def test_secrets_and_provider_variables_are_dropped() -> None:
    environ = {
        "PATH": "/usr/bin",
        "HOME": "/home/u",
        "LANG": "C.UTF-8",
        "TERM": "xterm",
        "GITHUB_TOKEN": "t",
        "db_password": "p",
        "MY_SECRET_THING": "s",
        "STRIPE_KEY": "k",
        "OPENAI_ORGANIZATION": "org",
        "OPENAI_API_BASE": "http://localhost:1/v1",
        "ANTHROPIC_API_KEY": "k",
        "AZURE_OPENAI_ENDPOINT": "e",
        "GOOGLE_API_KEY": "k",
        "GEMINI_MODEL": "m",
        "MISTRAL_X": "x",
        "GROQ_X": "x",
        "COHERE_X": "x",
        "OPENROUTER_X": "x",
        "AWS_SECRET_ACCESS_KEY": "k",
        "AWS_REGION": "eu-west-1",
        "HF_TOKEN": "hf",
        "PENGUIN_API_KEY": "k",
        "LOOKS_INNOCENT": "ghp_abcdefghijklmnopqrstuvwxyz0123456789",
        "CONFIGURED": "drop me",
    }
    env = agent_environment(SecretFreeEnvironment.of(environ, ["CONFIGURED"]))
    assert env == {
        "PATH": "/usr/bin",
        "HOME": "/home/u",
        "LANG": "C.UTF-8",
        "TERM": "xterm",
        "OPENAI_API_BASE": "http://localhost:1/v1",
        "AWS_REGION": "eu-west-1",
        "PENGUIN_TUI_AGENT": "1",
        "GIT_TERMINAL_PROMPT": "0",
        "PAGER": "cat",
    }


def test_the_input_is_not_modified() -> None:
    environ = {"API_TOKEN": "x"}
    agent_environment(SecretFreeEnvironment.of(environ))
    assert environ == {"API_TOKEN": "x"}


def test_names_with_a_secret_part_and_values_holding_a_url_password_are_dropped() -> None:
    environ = {
        "MY_PASS": "p",
        "GH_AUTH": "a",
        "DB_CREDENTIALS": "c",
        "AZ_CREDENTIAL": "c",
        "SSL_PRIVATE": "k",
        "SENTRY_DSN": "https://abc@sentry.example/1",
        "MYSQL_PWD": "p",
        "npm_config__auth": "a",
        "DATABASE_URL": "postgres://u:PASSWORD@h/d",
        "REDIS_URL": "redis://:hunter2@cache:6379/0",
        # Kept: no whole secret part, no password in the address.
        "GIT_AUTHOR_NAME": "Penguin Agent",
        "GIT_AUTHOR_EMAIL": "agent@example.com",
        "BYPASS_CACHE": "1",
        "PASSENGER_APP_ENV": "production",
        "AUTHOR": "me",
        "MAX_TOKENS": "4096",
        "PWD": "/work/project",
        "SSH_AUTH_SOCK": "/tmp/ssh-x/agent.1",
        "PUBLIC_URL": "https://example.com/app",
        "GIT_REMOTE": "ssh://git@example.com:22/repo.git",
    }
    env = agent_environment(SecretFreeEnvironment.of(environ))
    assert sorted(name for name in environ if name in env) == [
        "AUTHOR",
        "BYPASS_CACHE",
        "GIT_AUTHOR_EMAIL",
        "GIT_AUTHOR_NAME",
        "GIT_REMOTE",
        "MAX_TOKENS",
        "PASSENGER_APP_ENV",
        "PUBLIC_URL",
        "PWD",
        "SSH_AUTH_SOCK",
    ]


def test_the_shell_and_both_gits_start_from_the_same_environment_without_secrets() -> None:
    """A name only the configuration calls secret is in none of the three: a process of the
    same user can read any running child's environment."""
    from penguin_tui.checkpoints.git import clean_environment
    from penguin_tui.workspace.project_git import project_git_environment

    environ = {"PATH": "/usr/bin", "CORP_VAULT": "v", "OPENAI_API_KEY": "k", "GIT_DIR": "/x"}
    base = SecretFreeEnvironment.of(environ, ["CORP_VAULT"])
    for env in (agent_environment(base), project_git_environment(base), clean_environment(base)):
        assert env["PATH"] == "/usr/bin"
        assert "CORP_VAULT" not in env and "OPENAI_API_KEY" not in env
    assert "GIT_DIR" not in project_git_environment(base)
    assert "GIT_DIR" not in clean_environment(base)
