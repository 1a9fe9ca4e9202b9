"""The installed `penguin-tui setup` in a real terminal (tmux) against the scripted model:
an OpenAI-compatible server at its API base, a key typed and never shown, the connection
test, the model from the server's /v1/models, the permission mode; then the config keeps its
comment, the key is in the 0600 file (no keyring works here) and a plain `penguin-tui run`
reaches the server with it."""

from __future__ import annotations

import os
import stat
import subprocess
import tomllib
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from penguin_tui.testing import ServerThread
from tests.e2e.terminal import TMUX, Terminal, installed_command

pytestmark = pytest.mark.e2e

KEY = "sk-typed-9f3a7c51e2b84d06"
COMMENT = "# my own note, kept by setup"


@pytest.fixture
def setup_terminal(tmp_path: Path, penguin_home: Path) -> Iterator[tuple[Terminal, Path]]:
    """``penguin-tui setup`` in a new 100x40 tmux session; yields it and its exit-code file."""
    if TMUX is None:
        pytest.skip("tmux is not installed")
    socket = f"penguin-e2e-{uuid.uuid4().hex[:8]}"
    exit_file = tmp_path / "exit-code"
    command = (
        f"env PENGUIN_HOME={penguin_home} TERM=xterm-256color "
        f"{installed_command()} setup; echo $? > {exit_file}; sleep 60"
    )
    subprocess.run(
        [TMUX, "-L", socket, "new-session", "-d", "-s", "setup", "-x", "100", "-y", "40", command],
        check=True,
        timeout=30,
        env={**os.environ, "TERM": "xterm-256color"},
    )
    try:
        yield Terminal("setup", socket), exit_file
    finally:
        subprocess.run([TMUX, "-L", socket, "kill-server"], capture_output=True, timeout=30)


def test_setup_in_a_terminal_writes_the_config_and_keeps_the_typed_key_in_the_0600_file(
    setup_terminal: tuple[Terminal, Path],
    server: ServerThread,
    penguin_home: Path,
    project: Path,
) -> None:
    config = penguin_home / "config.toml"
    config.write_text(COMMENT + "\n" + config.read_text(encoding="utf-8"), encoding="utf-8")
    term, exit_file = setup_terminal
    term.wait_for(lambda s: "Provider [1]:" in s, 30, "the provider prompt")
    term.send("openai-compatible", "Enter")
    term.wait_for(lambda s: "API base [" in s, 15, "the API base prompt")
    term.send(server.base_url, "Enter")
    term.wait_for(lambda s: "API key (" in s, 15, "the key prompt")
    term.send(KEY)
    typed = term.wait_for(lambda s: "*" * len(KEY) in s, 15, "the masked key")
    assert KEY not in typed and KEY[:6] not in typed
    term.send("Enter")
    screen = term.wait_for(lambda s: "Model [1]:" in s, 30, "the model list")
    assert "Connected:" in screen and "1. m1" in screen
    term.send("m1", "Enter")
    term.wait_for(lambda s: "Permission mode [ask]:" in s, 15, "the mode prompt")
    term.send("Enter")
    screen = term.wait_for(lambda s: "Ready:" in s, 15, "the end of setup")
    assert KEY not in screen and "Traceback" not in screen
    term.wait_for(lambda _: exit_file.exists(), 15, "setup to exit")
    assert exit_file.read_text().strip() == "0"

    text = config.read_text(encoding="utf-8")
    assert text.startswith(COMMENT + "\n") and KEY not in text
    written = tomllib.loads(text)
    assert (written["model"]["name"], written["model"]["api_base"]) == ("m1", server.base_url)
    assert written["permissions"]["mode"] == "ask"
    keys_file = penguin_home / "keys.json"
    assert stat.S_IMODE(keys_file.stat().st_mode) == 0o600
    assert KEY in keys_file.read_text(encoding="utf-8")

    ran = subprocess.run(
        [installed_command(), "run", "-C", str(project), "hi"],
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, "PENGUIN_HOME": str(penguin_home)},
    )
    assert ran.returncode == 0, ran.stderr
    assert len(server.requests) == 1
    assert server.request_headers[0]["authorization"] == f"Bearer {KEY}"
