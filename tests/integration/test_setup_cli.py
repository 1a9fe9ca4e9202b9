"""`penguin-tui setup --yes` against the scripted model over real HTTP: the config written
with its comments kept, a key recorded by its variable's name only, then a plain
`penguin-tui run` with no flags reaching the server; a bad provider, an unknown model and a
server that cannot be reached each give one line and an exit code."""

from __future__ import annotations

import socket
import tomllib
from pathlib import Path

import pytest

from penguin_tui.cli.main import main
from penguin_tui.testing import ServerThread

Captured = pytest.CaptureFixture[str]

COMMENT = "# my own note, kept by setup"


def run(capsys: Captured, *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


def with_comment(penguin_home: Path) -> Path:
    config = penguin_home / "config.toml"
    config.write_text(COMMENT + "\n" + config.read_text(encoding="utf-8"), encoding="utf-8")
    return config


def test_setup_yes_writes_the_config_and_a_plain_run_reaches_the_server(
    capsys: Captured,
    server: ServerThread,
    project: Path,
    penguin_home: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    config = with_comment(penguin_home)
    monkeypatch.setenv("MY_SERVER_TOKEN", "tok-123-secret")
    code, out, err = run(
        capsys,
        "setup",
        "--provider",
        "openai-compatible",
        "--api-base",
        server.base_url,
        "--model",
        "m1",
        "--key-env",
        "MY_SERVER_TOKEN",
        "--yes",
    )
    assert code == 0, err
    text = config.read_text(encoding="utf-8")
    assert text.startswith(COMMENT + "\n")
    assert "tok-123-secret" not in text
    written = tomllib.loads(text)
    assert written["model"]["name"] == "m1"
    assert written["model"]["api_base"] == server.base_url
    assert written["model"]["key_env"] == "MY_SERVER_TOKEN"
    assert written["permissions"]["mode"] == "ask"
    assert str(config) in out

    code, out, err = run(capsys, "run", "-C", str(project), "hi")
    assert code == 0, err
    assert "scripted reply" in out
    assert len(server.requests) == 1
    assert server.request_headers[0]["authorization"] == "Bearer tok-123-secret"


def test_setup_yes_with_an_unknown_provider_is_one_line_and_exit_2(
    capsys: Captured, penguin_home: Path
) -> None:
    config = penguin_home / "config.toml"
    before = config.read_text(encoding="utf-8")
    code, out, err = run(capsys, "setup", "--provider", "acme", "--model", "m1", "--yes")
    assert code == 2
    assert err.count("\n") == 1
    assert "unknown provider 'acme'" in err and "openai-compatible" in err
    assert config.read_text(encoding="utf-8") == before


def test_setup_yes_with_a_model_the_server_does_not_list_is_refused(
    capsys: Captured, server: ServerThread, penguin_home: Path
) -> None:
    code, _, err = run(
        capsys,
        "setup",
        "--provider",
        "openai-compatible",
        "--api-base",
        server.base_url,
        "--model",
        "no-such-model",
        "--yes",
    )
    assert code == 2
    assert err.count("\n") == 1 and "m1" in err
    assert "no-such-model" not in (penguin_home / "config.toml").read_text(encoding="utf-8")


def test_setup_yes_against_a_server_that_cannot_be_reached_is_one_line_and_exit_1(
    capsys: Captured, penguin_home: Path
) -> None:
    with socket.socket() as unused:
        unused.bind(("127.0.0.1", 0))
        port = unused.getsockname()[1]
    code, _, err = run(
        capsys,
        "setup",
        "--provider",
        "openai-compatible",
        "--api-base",
        f"http://127.0.0.1:{port}/v1",
        "--model",
        "m1",
        "--yes",
    )
    assert code == 1
    assert err.count("\n") == 1
    assert f"cannot reach http://127.0.0.1:{port}/v1/models" in err
    assert "name =" not in (penguin_home / "config.toml").read_text(encoding="utf-8")


def test_setup_yes_with_a_key_env_that_is_not_set_is_refused(
    capsys: Captured, server: ServerThread
) -> None:
    code, _, err = run(
        capsys,
        "setup",
        "--provider",
        "openai-compatible",
        "--api-base",
        server.base_url,
        "--model",
        "m1",
        "--key-env",
        "NOT_SET_ANYWHERE",
        "--yes",
    )
    assert code == 2
    assert "NOT_SET_ANYWHERE" in err and err.count("\n") == 1
