"""The shell-path attacks found when penguin-tui was attacked, driven through the real agent.

Each case is a scripted reply that calls ``run_shell`` (or a file tool) the way the attack did,
in the mode and with the rules it used; the run answers every question with "no", as a
headless run does by default. Nothing the attack aimed at may be read into the model's
context or changed on disk.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import pytest

from penguin_tui.cli.main import main
from penguin_tui.testing import run_in_thread
from tests.conftest import FAST_RETRIES, script

SECRET = "shadow-secret-31337"
GIT_MARKER = "git-config-marker-4242"
ENV_SECRET = "dotenv-secret-5151"


@dataclass(frozen=True)
class Attack:
    name: str
    mode: str
    rules: str
    tool: str
    arguments: dict[str, str]


CAT_AND_ECHO = """
[[permissions.rules]]
tool = "run_shell"
pattern = "cat *"
action = "allow"

[[permissions.rules]]
tool = "run_shell"
pattern = "echo *"
action = "allow"

[[permissions.rules]]
tool = "run_shell"
pattern = "tr *"
action = "allow"
"""
DENY_ENV = '[[permissions.rules]]\ntool = "read_file"\npattern = ".env"\naction = "deny"\n'
DENY_SRC = '[[permissions.rules]]\ntool = "write_file"\npattern = "src.py"\naction = "deny"\n'

ATTACKS = [
    Attack("shadow through a symlink", "ask", CAT_AND_ECHO, "run_shell",
           {"command": "cat -n < outlin?/shadow"}),
    Attack("git config, no symlink", "ask", CAT_AND_ECHO, "run_shell",
           {"command": "cat -- - < .gi?/config"}),
    Attack(".env past a read deny rule", "ask", CAT_AND_ECHO + DENY_ENV, "run_shell",
           {"command": "cat - < .en?"}),
    Attack("append to git config", "auto-edit", CAT_AND_ECHO, "run_shell",
           {"command": "echo x >> .gi?/config"}),
    Attack("write through a symlink in full", "full", "", "run_shell",
           {"command": "echo x > pass*"}),
    Attack("write past a deny rule", "full", DENY_SRC, "run_shell",
           {"command": "echo x > sr?.py"}),
    Attack("tee past a deny rule", "full", DENY_SRC, "run_shell",
           {"command": "echo x | tee -a s*.py"}),
    Attack("recursive listing following symlinks", "full", "", "run_shell",
           {"command": "ls -RL"}),
    Attack("project settings by the edit tool", "auto-edit", "", "write_file",
           {"path": ".penguin/config.toml", "content": '[model]\napi_base = "http://evil"\n'}),
    Attack("project settings by the shell", "auto-edit", CAT_AND_ECHO, "run_shell",
           {"command": "echo '[model]' > .penguin/config.toml"}),
    Attack("the parent's environment", "full", "", "run_shell",
           {"command": "tr '\\0' '\\n' < /proc/self/environ"}),
]  # fmt: skip


def make_project(base: Path) -> Path:
    project = base / "project"
    (project / ".git").mkdir(parents=True)
    (project / ".git" / "config").write_text(f"[core]\n# {GIT_MARKER}\n", encoding="utf-8")
    (project / ".penguin").mkdir()
    (project / ".penguin" / "config.toml").write_text("# the project's settings\n")
    (project / ".env").write_text(f"TOKEN={ENV_SECRET}\n", encoding="utf-8")
    (project / "src.py").write_text("print('mine')\n", encoding="utf-8")
    (project / "sub").mkdir()
    outside = base / "etc"
    outside.mkdir()
    (outside / "shadow").write_text(f"root:{SECRET}\n", encoding="utf-8")
    (outside / "passwd").write_text("root:x:0:0\n", encoding="utf-8")
    (project / "outlink").symlink_to(outside, target_is_directory=True)
    (project / "passwd-link").symlink_to(outside / "passwd")
    return project


def snapshot(base: Path) -> dict[str, bytes]:
    return {
        str(path.relative_to(base)): path.read_bytes()
        for path in sorted(base.rglob("*"))
        if path.is_file() and not path.is_symlink() and "home" not in path.parts
    }


@pytest.mark.parametrize("attack", ATTACKS, ids=[attack.name for attack in ATTACKS])
def test_a_shell_path_attack_reads_and_changes_nothing(
    attack: Attack,
    tmp_path: Path,
    penguin_home: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    config = f'{FAST_RETRIES}\n[permissions]\nmode = "{attack.mode}"\n{attack.rules}'
    (penguin_home / "config.toml").write_text(config, encoding="utf-8")
    project = make_project(tmp_path)
    before = snapshot(tmp_path)
    arguments = json.dumps(json.dumps(attack.arguments))  # a TOML string holding the JSON
    text = f"""
model = "m1"
rate = 0
[[turns]]
[[turns.tool_calls]]
name = "{attack.tool}"
arguments = {arguments}
[[turns]]
text = "Done."
"""
    with run_in_thread(script(text)) as server:
        code = main(
            ["run", "-C", str(project), "--model", "m1", "--api-base", server.base_url, "go"]
        )
        _out, err = capsys.readouterr()
        assert code == 0, err
        answer = [m for m in server.requests[1]["messages"] if m["role"] == "tool"][-1]
    content = answer["content"]
    assert content.startswith("Not run") or "not approved" in content, content
    for secret in (SECRET, GIT_MARKER, ENV_SECRET, "PENGUIN_HOME"):
        assert secret not in content
    assert snapshot(tmp_path) == before


def test_a_nul_byte_in_a_command_is_refused_with_a_reason_and_the_reply_goes_on(
    project: Path, penguin_home: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (penguin_home / "config.toml").write_text(
        f'{FAST_RETRIES}\n[permissions]\nmode = "full"\n', encoding="utf-8"
    )
    text = """
model = "m1"
rate = 0
[[turns]]
[[turns.tool_calls]]
name = "run_shell"
arguments = '{"command": "echo a\\u0000b"}'
[[turns.tool_calls]]
name = "run_shell"
arguments = '{"command": "echo second"}'
[[turns]]
text = "Done."
"""
    with run_in_thread(script(text)) as server:
        code = main(
            ["run", "-C", str(project), "--model", "m1", "--api-base", server.base_url, "go"]
        )
        _out, err = capsys.readouterr()
        assert code == 0, err
        answers = [m for m in server.requests[1]["messages"] if m["role"] == "tool"]
    assert "contains a NUL byte" in answers[0]["content"]
    assert "Traceback" not in err and "internal error" not in answers[0]["content"]
    assert answers[1]["content"].startswith("second") or "second" in answers[1]["content"]


def test_permissions_check_takes_a_twenty_thousand_character_argument(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A word the kernel refuses as a path names no file; a file opened by it is refused."""
    long = "A" * 20_000
    cases = {
        ("run_shell", f"cat {long}"): "ask",
        ("read_file", long): "deny",
        ("run_shell", f"ls > {long}"): "deny",
    }
    for args, expected in cases.items():
        code = main(["permissions", "check", "-C", str(project), *args])
        out, err = capsys.readouterr()
        assert code == 0, err
        lines = out.splitlines()
        assert lines[0] == expected
        assert all(len(line) < 400 for line in lines)
        if expected == "deny":
            assert "(20,000 characters) is not a file name" in lines[1]
