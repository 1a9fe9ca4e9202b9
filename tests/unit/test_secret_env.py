"""The start-up check: with secrets in its environment the program starts again without them
(same pid, arguments, folder and exit code) and takes them back through a memory file; with
none it just carries on."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

KEY = "sk-test-0123456789abcdefghij"
# Prints "start" each time the program starts, then what the restarted program sees.
PROGRAM = """
import ctypes, json, os, sys
print("start", flush=True)
from penguin_tui.config.secret_env import keep_secrets_out_of_proc
keep_secrets_out_of_proc()
with open("/proc/self/environ", "rb") as startup:
    environ = startup.read().decode()
print(json.dumps({
    "pid": os.getpid(),
    "argv": sys.argv[1:],
    "cwd": os.getcwd(),
    "key": os.environ.get("OPENAI_API_KEY"),
    "pass": os.environ.get("MY_PASS"),
    "configured": os.environ.get("CORP_VAULT"),
    "key_env": os.environ.get("LLM_ACCESS"),
    "startup": environ,
    "in_os_environ": sorted(k for k in os.environ if k.startswith("PENGUIN_TUI_SECRETS")),
    "fds": sorted(os.listdir("/proc/self/fd")),
    "dumpable": ctypes.CDLL(None).prctl(3, 0, 0, 0, 0),
}))
sys.exit(7)
"""


def start(tmp_path: Path, env: dict[str, str]) -> tuple[subprocess.Popen[str], list[str]]:
    program = tmp_path / "program.py"
    program.write_text(PROGRAM, encoding="utf-8")
    process = subprocess.Popen(
        [sys.executable, str(program), "one", "two words"],
        cwd=tmp_path,
        env=env,
        stdout=subprocess.PIPE,
        text=True,
    )
    out, _ = process.communicate(timeout=60)
    return process, out.splitlines()


def test_keys_leave_the_startup_environment_and_come_back_in_os_environ(tmp_path: Path) -> None:
    env = {**os.environ, "OPENAI_API_KEY": KEY, "MY_PASS": "hunter2hunter2"}
    process, lines = start(tmp_path, env)
    assert lines[:2] == ["start", "start"], "started again once, and only once"
    seen = json.loads(lines[2])
    assert process.returncode == 7
    assert seen["pid"] == process.pid
    assert seen["argv"] == ["one", "two words"]
    assert seen["cwd"] == str(tmp_path)
    assert seen["key"] == KEY and seen["pass"] == "hunter2hunter2"
    assert KEY not in seen["startup"] and "hunter2hunter2" not in seen["startup"]
    assert "PENGUIN_HOME=" in seen["startup"], "the rest of the environment is kept"
    assert seen["in_os_environ"] == [], "the hand-over's own variable is gone"
    assert seen["fds"] == ["0", "1", "2", "3"], "the memory file is closed (3 is the listing)"
    assert seen["dumpable"] == 0


def test_without_secrets_nothing_starts_again(tmp_path: Path) -> None:
    process, lines = start(tmp_path, dict(os.environ))
    assert lines[0] == "start" and lines[1].startswith("{")
    assert json.loads(lines[1])["dumpable"] == 1
    assert process.returncode == 7


@pytest.mark.parametrize(
    ("config", "name", "seen_as"),
    [
        ('secret_env_vars = ["CORP_VAULT"]\n', "CORP_VAULT", "configured"),
        ('[model]\nkey_env = "LLM_ACCESS"\n', "LLM_ACCESS", "key_env"),
    ],
    ids=["secret_env_vars", "key_env"],
)
def test_names_the_user_config_calls_secret_leave_too(
    tmp_path: Path, penguin_home: Path, config: str, name: str, seen_as: str
) -> None:
    (penguin_home / "config.toml").write_text(config)
    env = {**os.environ, name: "config-named-4242"}
    _, lines = start(tmp_path, env)
    seen = json.loads(lines[-1])
    assert seen[seen_as] == "config-named-4242"
    assert "config-named-4242" not in seen["startup"]


@pytest.mark.parametrize("stray", ["0", "nonsense", "999"])
def test_a_stray_handover_variable_is_never_read(tmp_path: Path, stray: str) -> None:
    env = {**os.environ, "PENGUIN_TUI_SECRETS_FD": stray}
    process = subprocess.run(
        [
            sys.executable,
            "-c",
            "from penguin_tui.config.secret_env import keep_secrets_out_of_proc as keep; "
            "keep(); import os; print(os.environ.get('PENGUIN_TUI_SECRETS_FD'))",
        ],
        env=env,
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert process.stdout == "None\n"
    assert "does not name the keys handed over" in process.stderr
