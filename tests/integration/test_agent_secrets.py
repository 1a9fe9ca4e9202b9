"""A canary secret in the environment and in a project .env never reaches the shell's
environment, the database, the logs or an export."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from penguin_tui.cli.main import main
from penguin_tui.testing import run_in_thread
from tests.conftest import script

ENV_CANARY = "canary-env-77777777"
DOTENV_CANARY = "canary-dotenv-88888888"
SCRIPT = (Path(__file__).parent / "scripts" / "canary.toml").read_text(encoding="utf-8")


def test_canaries_stay_out_of_the_tool_env_store_logs_and_exports(
    capsys: pytest.CaptureFixture[str],
    project: Path,
    penguin_home: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("MY_SERVICE_TOKEN", ENV_CANARY)
    (project / ".env").write_text(f"API_TOKEN={DOTENV_CANARY}\nDEBUG=1\n", encoding="utf-8")
    with run_in_thread(script(SCRIPT)) as server:
        code = main(
            [
                "run",
                "-C",
                str(project),
                "--model",
                "m1",
                "--api-base",
                server.base_url,
                "--json",
                "--approve",
                "all",
                "check the settings",
            ]
        )
        out, err = capsys.readouterr()
        assert code == 0, err
        # The model saw the file (that is allowed) ...
        tool_answers = [m for m in server.requests[1]["messages"] if m["role"] == "tool"]
        assert DOTENV_CANARY in tool_answers[0]["content"]
        # ... but the shell never had the environment secret.
        shell_output = [m for m in server.requests[2]["messages"] if m["role"] == "tool"][-1]
        assert ENV_CANARY not in shell_output["content"]
        assert "MY_SERVICE_TOKEN" not in shell_output["content"]
        assert "PENGUIN_TUI_AGENT=1" in shell_output["content"]

    session_id = json.loads(out.splitlines()[0])["session_id"]
    exports = []
    for fmt in ("md", "json"):
        assert main(["sessions", "export", session_id, "--format", fmt]) == 0
        exports.append(capsys.readouterr().out)
    assert main(["audit", "-C", str(project), "--json"]) == 0
    exports.append(capsys.readouterr().out)
    stored = b"".join(p.read_bytes() for p in penguin_home.rglob("*") if p.is_file())
    for canary in (ENV_CANARY, DOTENV_CANARY):
        assert canary.encode() not in stored, f"{canary} reached a file under PENGUIN_HOME"
        assert all(canary not in text for text in exports)


DB_PASSWORD = "db-password-6161"
MISSED = {
    "DATABASE_URL": f"postgres://app:{DB_PASSWORD}@db/app",
    "MY_PASS": "pass-canary-6262",
    "GH_AUTH": "auth-canary-6363",
}
FILE_PASSWORD = "file-password-6464"
MISSED_SCRIPT = (Path(__file__).parent / "scripts" / "missed_secrets.toml").read_text("utf-8")


def test_url_passwords_and_pass_or_auth_names_stay_out_of_the_shell_store_and_exports(
    capsys: pytest.CaptureFixture[str],
    project: Path,
    penguin_home: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    for name, value in MISSED.items():
        monkeypatch.setenv(name, value)
    monkeypatch.setenv("GIT_AUTHOR_NAME", "Penguin Agent")
    (project / "settings.ini").write_text(f"url = mysql://svc:{FILE_PASSWORD}@db/x\n")
    with run_in_thread(script(MISSED_SCRIPT)) as server:
        code = main(
            ["run", "-C", str(project), "--model", "m1", "--api-base", server.base_url]
            + ["--json", "--approve", "all", "where is the database?"]
        )
        out, err = capsys.readouterr()
        assert code == 0, err
        echo, env, settings = (
            m["content"] for m in server.requests[-1]["messages"] if m["role"] == "tool"
        )
    # The shell never had them; the agent's git identity is still there.
    assert "url= pass= auth= author=Penguin Agent" in echo
    assert "GIT_AUTHOR_NAME=Penguin Agent" in env
    for name in MISSED:
        assert name not in env
    assert FILE_PASSWORD in settings  # the model may read the project's file in its turn

    session_id = json.loads(out.splitlines()[0])["session_id"]
    exports = []
    for fmt in ("md", "json"):
        assert main(["sessions", "export", session_id, "--format", fmt]) == 0
        exports.append(capsys.readouterr().out)
    assert "mysql://svc:[REDACTED]@db/x" in exports[0]
    stored = b"".join(p.read_bytes() for p in penguin_home.rglob("*") if p.is_file())
    for secret in (DB_PASSWORD, *MISSED.values(), FILE_PASSWORD):
        assert secret.encode() not in stored, f"{secret} reached a file under PENGUIN_HOME"
        assert all(secret not in text for text in exports)


ACCESS_CANARY = "access-canary-7171"


def test_the_variable_named_by_key_env_stays_out_whatever_its_name(
    capsys: pytest.CaptureFixture[str],
    project: Path,
    penguin_home: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # A name no built-in rule calls secret, and a value of no known key's shape: only
    # `[model] key_env` says it holds the key.
    config = penguin_home / "config.toml"
    config.write_text(config.read_text().replace("[model]\n", '[model]\nkey_env = "LLM_ACCESS"\n'))
    monkeypatch.setenv("LLM_ACCESS", ACCESS_CANARY)
    (project / ".env").write_text("DEBUG=1\n", encoding="utf-8")
    with run_in_thread(script(SCRIPT)) as server:
        code = main(
            ["run", "-C", str(project), "--model", "m1", "--api-base", server.base_url]
            + ["--json", "--approve", "all", "check the settings"]
        )
        out, err = capsys.readouterr()
        assert code == 0, err
        # The key went to the model server ...
        assert all(
            headers.get("authorization") == f"Bearer {ACCESS_CANARY}"
            for headers in server.request_headers
        )
        # ... and nowhere else: not the shell, the store or an export.
        shell_output = [m for m in server.requests[2]["messages"] if m["role"] == "tool"][-1]
        assert "PENGUIN_TUI_AGENT=1" in shell_output["content"]
        assert "LLM_ACCESS" not in shell_output["content"]
        assert ACCESS_CANARY not in shell_output["content"]
    session_id = json.loads(out.splitlines()[0])["session_id"]
    assert main(["sessions", "export", session_id, "--format", "json"]) == 0
    assert ACCESS_CANARY not in capsys.readouterr().out
    stored = b"".join(p.read_bytes() for p in penguin_home.rglob("*") if p.is_file())
    assert ACCESS_CANARY.encode() not in stored
