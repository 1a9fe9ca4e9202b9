"""A repository whose own ``.git/config`` names a program for every key git would run one for.

Each program only writes its key's name to a log outside the project: a test then asserts
the log never appears.
"""

from __future__ import annotations

import stat
from pathlib import Path

from .helpers import git, write

# Keys whose value git runs as a program, each pointing at the logging script.
PROGRAM_KEYS = (
    "core.fsmonitor",
    "core.pager",
    "core.editor",
    "core.askPass",
    "core.sshCommand",
    "core.gitProxy",
    "sequence.editor",
    "credential.helper",
    "diff.external",
    "gpg.program",
    'filter "evil".clean',
    'filter "evil".smudge',
    'filter "evil".process',
    'diff "evil".textconv',
    'diff "evil".command',
    'merge "evil".driver',
    'remote "origin".uploadpack',
)

HOOKS = ("post-index-change", "pre-commit", "post-checkout", "reference-transaction", "pre-push")


def make_hostile_repository(root: Path, outside: Path) -> Path:
    """Turn ``root`` into a git work tree with a hostile config; return the log's path."""
    outside.mkdir(parents=True, exist_ok=True)
    log = outside / "ran.log"
    script = outside / "evil.sh"
    script.write_text(f'#!/bin/sh\necho "$1" >> "{log}"\n', encoding="utf-8")
    script.chmod(script.stat().st_mode | stat.S_IXUSR)
    hooks = outside / "hooks"
    hooks.mkdir(exist_ok=True)
    for hook in HOOKS:
        path = hooks / hook
        path.write_text(f'#!/bin/sh\necho "hook {hook}" >> "{log}"\n', encoding="utf-8")
        path.chmod(path.stat().st_mode | stat.S_IXUSR)
    git(root, "init", "-q")
    write(root, "app.py", "needle = 1\n")
    write(root, ".gitattributes", "* filter=evil diff=evil merge=evil\n")
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "start")
    lines = ["", "[core]", f"\thooksPath = {hooks}"]
    sections: dict[str, list[str]] = {}
    for key in PROGRAM_KEYS:
        section, _, name = key.rpartition(".")
        label = key.replace(' "', ".").replace('"', "")
        sections.setdefault(section, []).append(f'\t{name} = "{script} {label}"')
    for section, entries in sections.items():
        lines += [f"[{section}]", *entries]
    lines += ['[filter "evil"]', "\trequired = true", '[remote "origin"]', "\turl = ssh://h/r"]
    with (root / ".git" / "config").open("a", encoding="utf-8") as config:
        config.write("\n".join(lines) + "\n")
    write(root, "app.py", "needle = 2\n")  # a change for diff, status and filters to look at
    write(root, "new.py", "needle = 3\n")
    return log
