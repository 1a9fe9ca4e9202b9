"""A canary secret in the environment and in a project .env never reaches the shell's
environment, the database, the logs or an export."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from penguin_tui.cli import main
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
