"""Keys in the environment penguin-tui was started with are out of the agent's reach: the real
``penguin-tui`` command restarts itself without them, and a shell command that reads
``/proc/<penguin-tui>/environ`` finds none, while the model call still carries the key."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from pathlib import Path

from penguin_tui.testing import load_script, run_in_thread
from tests.conftest import script

PENGUIN_TUI = str(Path(sys.executable).with_name("penguin-tui"))
SCRIPTS = Path(__file__).parent / "scripts"
PENGUIN_KEY = "sk-test-penguin-5f2c9a7e41d04b6b"
OPENAI_KEY = "sk-test-openai-93b1e07c2d8a4f55"
KEYS = (PENGUIN_KEY, OPENAI_KEY)


def environment_with_keys() -> dict[str, str]:
    return {**os.environ, "PENGUIN_API_KEY": PENGUIN_KEY, "OPENAI_API_KEY": OPENAI_KEY}


def shell_outputs(request: dict) -> list[str]:  # type: ignore[type-arg]
    """What the model received from each tool call, as it received it (unredacted)."""
    return [m["content"] for m in request["messages"] if m["role"] == "tool"]


def test_the_agents_shell_cannot_read_keys_from_penguin_tuis_environment(
    project: Path, penguin_home: Path
) -> None:
    with (penguin_home / "config.toml").open("a", encoding="utf-8") as config:
        config.write('\n[permissions]\nmode = "full"\n')
    with run_in_thread(load_script(SCRIPTS / "proc_environ.toml")) as server:
        # From the project folder, without -C, the prompt on stdin: the restart keeps them all.
        process = subprocess.Popen(
            [PENGUIN_TUI, "run", "--model", "m1", "--api-base", server.base_url]
            + ["--json", "--approve", "all", "-"],
            cwd=project,
            env=environment_with_keys(),
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        out, err = process.communicate("look at your parent", timeout=120)
        assert process.returncode == 0, err
        # The key still reached the model ...
        assert all(
            headers.get("authorization") == f"Bearer {PENGUIN_KEY}"
            for headers in server.request_headers
        )
        environ, cmdline, python_read = shell_outputs(server.requests[-1])

    # ... but not the shell: penguin-tui's start-up environment holds no key.
    assert "PENGUIN_HOME=" in environ
    assert "penguin-tui" in cmdline and "run" in cmdline
    # The pid the walk found is the one started above: the restart kept it.
    assert f"environ of {process.pid} " in python_read
    assert "PENGUIN_HOME=" in python_read
    for key in KEYS:
        for output in (environ, cmdline, python_read, out, err):
            assert key not in output

    session_id = json.loads(out.splitlines()[0])["session_id"]
    for fmt in ("md", "json"):
        export = subprocess.run(
            [PENGUIN_TUI, "sessions", "export", session_id, "--format", fmt],
            env=environment_with_keys(),
            capture_output=True,
            text=True,
            timeout=60,
            check=True,
        )
        assert "environ of" in export.stdout
        assert all(key not in export.stdout for key in KEYS)
    stored = b"".join(p.read_bytes() for p in penguin_home.rglob("*") if p.is_file())
    assert all(key.encode() not in stored for key in KEYS)


SLOW = """
model = "m1"
rate = 40
[[turns]]
text = "{words}"
"""


def test_ctrl_c_reaches_penguin_tui_after_the_restart(project: Path) -> None:
    words = " ".join(f"w{i}" for i in range(2000))
    with run_in_thread(script(SLOW.format(words=words))) as server:
        process = subprocess.Popen(
            [PENGUIN_TUI, "run", "-C", str(project), "--model", "m1"]
            + ["--api-base", server.base_url, "tell me a long story"],
            env=environment_with_keys(),
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        assert process.stdout is not None
        assert process.stdout.read(2) == "w0"  # streaming: started again and under way
        process.send_signal(signal.SIGINT)
        _, err = process.communicate(timeout=60)
    assert process.returncode == 130, err
    assert "interrupted" in err
