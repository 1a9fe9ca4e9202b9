"""Globs in the files a shell line opens: every redirection form, writers, symlinks, modes, rules.

bash expands a glob in a redirection target when it names exactly one entry, so
``cat < .gi?/config`` reads ``.git/config``. Each line below is built from a redirection (or a
writer's output option), a glob spelling of a target and a command, and says what it is:

- ``cap``: it reaches ``.git``, leaves the project (through a symlink, or ``/proc``), or writes
  penguin-tui's project settings — never allowed, in any mode, whatever the allow rules say;
- ``unknown``: the glob names no entry or several, or the line changes files before it opens
  it — asked in every mode;
- ``read-denied`` / ``write-denied``: it opens ``.env`` / ``src.py``, which a ``read_file`` /
  ``write_file`` deny rule covers — denied in every mode;
- ``fine``: an ordinary file in the project — ``full`` mode runs it.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pytest

from penguin_tui.engine.permissions import (
    Action,
    Mode,
    PermissionPolicy,
    PermissionSettings,
    Rule,
)


@dataclass(frozen=True)
class Line:
    command: str
    kind: str


READERS = ["cat -n < {}", "cat -- - < {}", "wc -l 0< {}", "tr a b 3< {}", "cat 0<> {}"]
WRITERS = [
    "echo x > {}",
    "echo x >> {}",
    "echo x >| {}",
    "echo x &> {}",
    "echo x &>> {}",
    "echo x 2> {}",
    "echo x 1> {}",
    "echo x {{fd}}> {}",
    "echo x 9<> {}",
    "echo x >& {}",
    "echo x | tee {}",
    "echo x | tee -a {}",
    "sort -o {} notes.txt",
    "sort --output={} notes.txt",
    "find . -fprint {}",
    "dd if=notes.txt of={}",
]
# A target and the glob spellings of it, per what reaching it means.
READ_CAPS = {
    ".git/config": [".gi?/config", ".g*/config", ".[g]it/config", ".gi[t]/conf*"],
    "outlink/shadow": ["outlin?/shadow", "out*/shadow", "outlink/sha?ow"],
}
WRITE_CAPS = {
    ".git/config": [".gi?/config", ".g*/conf?g"],
    "passwd-link": ["pass*", "passwd-lin?"],
    ".penguin/config.toml": [".pengui?/config.toml", ".penguin/conf*"],
}


def build() -> list[Line]:
    lines: list[Line] = []
    for spellings in READ_CAPS.values():
        for spelling in spellings:
            lines += [Line(reader.format(spelling), "cap") for reader in READERS[:3]]
    for spellings in WRITE_CAPS.values():
        for spelling in spellings:
            lines += [Line(writer.format(spelling), "cap") for writer in WRITERS]
    for spelling in [".en?", ".e*", ".[e]nv"]:
        lines += [Line(reader.format(spelling), "read-denied") for reader in READERS]
    for spelling in ["sr?.py", "s*.py", "[s]rc.py"]:
        lines += [Line(writer.format(spelling), "write-denied") for writer in WRITERS]
    for spelling in ["a?.txt", "nothing-here*", "a[12].txt"]:  # several, none, several
        lines += [Line(writer.format(spelling), "unknown") for writer in WRITERS[:4]]
        lines.append(Line(f"cat < {spelling}", "unknown"))
    lines += [
        Line("touch a3.txt && cat < not?s.txt", "unknown"),
        Line("mv a1.txt b.txt; echo x > not?s.txt", "unknown"),
        Line("python make_links.py && cat < not*.txt", "unknown"),
        Line("echo x > made.txt; cat < not?s.txt", "unknown"),
        Line("ls -RL", "cap"),
        Line("ls -RL .", "cap"),
        Line("ls -R -L .", "cap"),
        Line("find -L . -name '*.txt'", "cap"),
        Line("find . -follow -name x", "cap"),
        Line("grep -R secret .", "cap"),
        Line("grep --dereference-recursive secret", "cap"),
        Line("rg -L secret", "cap"),
        Line("du -L -sh .", "cap"),
        Line("tree -l", "cap"),
        Line("cp -rL . /tmp/copy", "cap"),
        Line("cat /proc/self/environ", "cap"),
        Line("tr '\\0' '\\n' < /proc/self/environ", "cap"),
        Line("cat < /proc/1/environ", "cap"),
        Line("head -c 64 /proc/self/mem", "cap"),
        Line("cp evil.toml .penguin/config.toml", "cap"),
        Line("sed -i s/a/b/ .penguin/config.toml", "cap"),
        Line("cat -n < dat?.txt", "fine"),
        Line("echo x > not?s.txt", "fine"),
        Line("echo x | tee -a note*.txt", "fine"),
        Line("sort -o note?.txt data.txt", "fine"),
        Line("ls -R .", "fine"),
        Line("grep -r secret src", "fine"),
        Line("grep -rn --exclude-dir=.git secret .", "fine"),
        Line("rg secret", "fine"),
        Line("cat .penguin/config.toml > notes.txt", "cap"),
        # A long glob is still a glob: bash expands it to a short name.
        Line(f"cat outlin[{'k' * 300}]/shadow", "cap"),
        Line(f"cat .[{'e' * 300}]nv", "read-denied"),
        # Brackets bash reads unlike Python's fnmatch are asked.
        Line("cat outlin[^x]/shadow", "cap"),
        Line("cat .gi[^x]/config", "cap"),
        Line("cat outlin[[:alpha:]]/shadow", "cap"),
        # Quoted glob characters are literal: "[x]" names the folder [x]outlinY.
        Line('cat "[x]"outlin?/shadow', "cap"),
        # Recursive walks: a link to a parent folder, option values, old-style options.
        Line("ls -RL src", "cap"),
        Line("grep -R root sub", "cap"),
        Line("grep -R -m 5 root", "cap"),
        Line("grep -R -A 1 root", "cap"),
        Line("ls -RL -I x", "cap"),
        Line("ls -RL su?", "cap"),
        Line("tar chf out.tar .", "cap"),
        Line("diff -r src sub", "cap"),
        Line("rsync -rk src /tmp/copy", "cap"),
        Line("grep -r url .", "cap"),
        Line("grep -rn bare", "cap"),
        Line("rg --hidden url", "cap"),
        # What changes how globs match.
        Line("GLOBIGNORE=agit/config; echo x >> ?git/config", "cap"),
        Line("shopt -s dotglob; cat *", "cap"),
        Line("BASHOPTS=dotglob bash -c 'cat *'", "cap"),
        # Commands that may change the files they name meet the edit tools' rules.
        Line("sed -i s/a/b/ src.py", "write-denied"),
        Line("rm src.py", "write-denied"),
        Line("curl -o src.py https://example.com/x", "write-denied"),
        Line("perl -pi -e s/a/b/ src.py", "write-denied"),
        Line("git checkout src.py", "write-denied"),
        Line("patch src.py fix.diff", "write-denied"),
    ]
    return lines


LINES = build()
PLAIN_RULES = [
    Rule(tool="run_shell", pattern=pattern, action=Action.ALLOW)
    for pattern in ("cat *", "echo *", "wc *", "tr *", "sort *", "find *", "dd *", "tee *")
]
ALLOW_ALL = [Rule(tool="*", pattern="*", action=Action.ALLOW)]
DENY_ENV = Rule(tool="read_file", pattern=".env", action=Action.DENY)
DENY_SRC = Rule(tool="write_file", pattern="src.py", action=Action.DENY)


@dataclass(frozen=True)
class Project:
    root: Path
    data: Path

    def policy(self, mode: Mode, rules: list[Rule]) -> PermissionPolicy:
        user = PermissionSettings(mode=mode, rules=rules)
        return PermissionPolicy(user, None, self.root, protected=[self.data])


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Project:
    base = tmp_path_factory.mktemp("globs")
    root = base / "project"
    (root / ".git").mkdir(parents=True)
    (root / ".git" / "config").write_text("[core]\n")
    (root / ".penguin").mkdir()
    (root / ".penguin" / "config.toml").write_text("[model]\n")
    (root / "src").mkdir()
    (root / "src" / "main.py").write_text("print()\n")
    for name in ("src.py", "notes.txt", "data.txt", "a1.txt", "a2.txt", "evil.toml"):
        (root / name).write_text("x\n")
    (root / ".env").write_text("TOKEN=secret\n")
    outside = base / "etc"
    outside.mkdir()
    (outside / "shadow").write_text("root:x\n")
    (outside / "passwd").write_text("root:x\n")
    (root / "outlink").symlink_to(outside, target_is_directory=True)
    (root / "passwd-link").symlink_to(outside / "passwd")
    (root / "[x]outlinY").symlink_to(outside, target_is_directory=True)
    (root / "sub").mkdir()
    (root / "sub" / "up").symlink_to("..", target_is_directory=True)
    data = base / "penguin-home"
    data.mkdir()
    return Project(root, data)


def verdicts(project: Project, mode: Mode, rules: list[Rule], kinds: set[str]) -> list[str]:
    """The lines of these kinds that this policy allows: each one a hole."""
    policy = project.policy(mode, rules)
    found = []
    for line in LINES:
        if line.kind in kinds:
            decision = policy.check("run_shell", {"command": line.command})
            if decision.action is Action.ALLOW:
                found.append(f"{line.command!r}: {decision.reason}")
    return found


def test_the_glob_corpus_has_over_a_hundred_lines_and_no_duplicates() -> None:
    commands = [line.command for line in LINES]
    assert len(commands) >= 100
    assert len(set(commands)) == len(commands)


@pytest.mark.parametrize("mode", list(Mode))
def test_no_glob_opens_a_capped_or_unknown_file_unasked_even_with_an_allow_all_rule(
    project: Project, mode: Mode
) -> None:
    found = verdicts(project, mode, ALLOW_ALL, {"cap", "unknown"})
    assert not found, "allowed despite the caps:\n" + "\n".join(found)


@pytest.mark.parametrize("mode", [Mode.READ_ONLY, Mode.ASK, Mode.AUTO_EDIT])
def test_no_false_allow_outside_full_mode_with_plain_allow_rules(
    project: Project, mode: Mode
) -> None:
    kinds = {"cap", "unknown", "read-denied", "write-denied"}
    found = verdicts(project, mode, [*PLAIN_RULES, DENY_ENV, DENY_SRC], kinds)
    assert not found, "allowed:\n" + "\n".join(found)


@pytest.mark.parametrize("mode", list(Mode))
def test_file_deny_rules_cover_what_a_glob_names(project: Project, mode: Mode) -> None:
    policy = project.policy(mode, [*PLAIN_RULES, DENY_ENV, DENY_SRC])
    missed = [
        f"{line.command!r}: {policy.check('run_shell', {'command': line.command}).reason}"
        for line in LINES
        if line.kind in ("read-denied", "write-denied")
        and policy.check("run_shell", {"command": line.command}).action is not Action.DENY
    ]
    assert not missed, "not denied:\n" + "\n".join(missed)


def test_full_mode_runs_a_glob_that_names_one_ordinary_file(project: Project) -> None:
    policy = project.policy(Mode.FULL, [])
    asked = [
        f"{line.command!r}: {policy.check('run_shell', {'command': line.command}).reason}"
        for line in LINES
        if line.kind == "fine"
        and policy.check("run_shell", {"command": line.command}).action is not Action.ALLOW
    ]
    assert not asked, "asked in full mode:\n" + "\n".join(asked)


def test_the_reason_names_the_file_the_glob_reaches(project: Project) -> None:
    policy = project.policy(Mode.FULL, [])
    reason = policy.check("run_shell", {"command": "cat -n < outlin?/shadow"}).reason
    assert "outlink/shadow" in reason and "outside the project" in reason
    reason = policy.check("run_shell", {"command": "echo x > a?.txt"}).reason
    assert "a?.txt" in reason and "matches several files" in reason
    reason = policy.check("run_shell", {"command": "ls -RL"}).reason
    assert "follows the symlink" in reason and "outside the project" in reason
    ask = project.policy(Mode.ASK, [])
    reason = ask.check("run_shell", {"command": "echo x >> .gi?/config"}).reason
    assert ".git/config is in the project's .git directory" in reason


def test_a_quoted_glob_is_the_literal_name(project: Project) -> None:
    """``echo x > 'sr?.py'`` writes a file named ``sr?.py``: no glob, so nothing is asked."""
    policy = project.policy(Mode.FULL, [DENY_SRC])
    assert policy.check("run_shell", {"command": "echo x > 'sr?.py'"}).action is Action.ALLOW
    assert policy.check("run_shell", {"command": "echo x > sr'?'.py"}).action is Action.ALLOW
    assert policy.check("run_shell", {"command": "echo x > sr?.py"}).action is Action.DENY


def test_a_glob_naming_more_entries_than_can_be_looked_at_is_asked(tmp_path: Path) -> None:
    """One link out among a thousand folders must not hide behind the count."""
    root = tmp_path / "many"
    for index in range(1_001):
        (root / f"d{index}").mkdir(parents=True)
        (root / f"d{index}" / "shadow").write_text("x\n")
    data = tmp_path / "data"
    data.mkdir()
    policy = Project(root, data).policy(Mode.FULL, [])
    decision = policy.check("run_shell", {"command": "cat */shadow"})
    assert decision.action is Action.ASK
    assert "names over 1,000 entries" in decision.reason
    assert policy.check("run_shell", {"command": "cat d1?/shadow"}).action is Action.ALLOW
