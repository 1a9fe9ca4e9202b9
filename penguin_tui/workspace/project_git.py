"""Git on the user's own repository, with everything its config could run switched off.

git reads the repository's config even for a read-only command, and many keys name a program
git then runs: ``core.fsmonitor`` on every ``ls-files`` or ``status``, ``core.hooksPath``,
``core.pager``, ``diff.external``, filters, ``textconv``, credential helpers… A project is
not trusted to run code on the user's machine, so every git command penguin-tui runs on the
user's repository goes through ``run_project_git``: it overrides each such key on the command
line (which wins over every config file), forbids every transport, and runs git with a
clean environment, derived from penguin-tui's without secrets (``SecretFreeEnvironment``).
The user's global and system config still apply otherwise (the global excludes file, for
one); only the programs they name are switched off too.

The shadow repository of the checkpoints has its own runner (``checkpoints/git.py``).
"""

from __future__ import annotations

import os
import subprocess
from collections.abc import Sequence
from pathlib import Path

from penguin_tui.config.secrets import SecretFreeEnvironment

# Always set, whatever the config says (a key can also take effect by its default).
_ALWAYS = (
    ("core.fsmonitor", "false"),
    ("core.hooksPath", os.devnull),
    ("core.pager", "cat"),
    ("core.editor", ":"),
    ("sequence.editor", ":"),
    ("core.askPass", ""),
    ("core.sshCommand", ""),
    ("core.gitProxy", ""),
    ("core.alternateRefsCommand", ""),
    ("credential.helper", ""),
    ("diff.external", ""),
    ("gpg.program", ""),
    ("log.showSignature", "false"),
    ("protocol.allow", "never"),
    ("submodule.recurse", "false"),
)

# ``section.<name>.variable`` keys that name a program, found in the config and emptied:
# the section (lower case) and the variables of it that do.
_NAMED_PROGRAMS = {
    "filter": {"clean", "smudge", "process"},
    "diff": {"textconv", "command"},
    "merge": {"driver"},
    "difftool": {"cmd", "path"},
    "mergetool": {"cmd", "path"},
    "credential": {"helper"},
    "remote": {"uploadpack", "receivepack", "vcs"},
    "gpg": {"program"},
    "hook": {"command"},
    "browser": {"cmd", "path"},
    "man": {"cmd", "path"},
}

# The user's own choices about where git looks, kept: none of them runs anything.
_KEPT_GIT_VARIABLES = (
    "GIT_CEILING_DIRECTORIES",
    "GIT_DISCOVERY_ACROSS_FILESYSTEM",
    "GIT_CONFIG_GLOBAL",
    "GIT_CONFIG_SYSTEM",
    "GIT_CONFIG_NOSYSTEM",
)

_TIMEOUT_S = 30.0


def project_git_environment(base: SecretFreeEnvironment) -> dict[str, str]:
    """The environment for git on the user's repository, from ``base`` (penguin-tui's without
    secrets: a process of the same user can read a running git's environment): no other
    ``GIT_*`` variable than where to look for it and the user's config files (one could point
    git at another repository or name a program), no prompts, no pager, no lock taken to
    refresh the index."""
    env = {
        key: value
        for key, value in base.variables.items()
        if (key in _KEPT_GIT_VARIABLES or not key.startswith("GIT_"))
        and key not in ("SSH_ASKPASS", "PAGER")
    }
    env.update(
        GIT_OPTIONAL_LOCKS="0",
        GIT_TERMINAL_PROMPT="0",
        GIT_PAGER="cat",
        GIT_EDITOR=":",
        GIT_NO_LAZY_FETCH="1",
        GIT_NO_REPLACE_OBJECTS="1",
        GIT_PROTOCOL_FROM_USER="0",
    )
    return env


def _base_argv(root: Path) -> list[str]:
    argv = ["git", "--no-pager", "-C", str(root)]
    for key, value in _ALWAYS:
        argv += ["-c", f"{key}={value}"]
    return argv


def _overrides(names: Sequence[str]) -> list[str] | None:
    """``-c key=`` for every configured key that names a program; None when one of them
    cannot be written as ``-c`` (a ``=`` in its name): then git is not run at all."""
    argv: list[str] = []
    for name in names:
        section, _, rest = name.partition(".")
        subsection, _, variable = rest.rpartition(".")
        if not subsection or variable.lower() not in _NAMED_PROGRAMS.get(section.lower(), set()):
            continue
        if "=" in name:
            return None
        argv += ["-c", f"{name}="]
        if section.lower() == "filter":
            argv += ["-c", f"{section}.{subsection}.required=false"]
    return argv


def _configured_names(root: Path, env: dict[str, str]) -> list[str] | None:
    """The name of every key git would read here (``git config`` itself runs nothing)."""
    try:
        completed = subprocess.run(
            [*_base_argv(root), "config", "--list", "--name-only", "-z"],
            capture_output=True,
            env=env,
            stdin=subprocess.DEVNULL,
            timeout=_TIMEOUT_S,
            check=False,
        )
    except (OSError, subprocess.TimeoutExpired):
        return None
    if completed.returncode != 0:
        return None
    return [os.fsdecode(item) for item in completed.stdout.split(b"\0") if item]


def project_git_argv(root: Path, args: Sequence[str], env: dict[str, str]) -> list[str] | None:
    """The full command line for ``git args`` on the user's repository at ``root``, every
    program its config names switched off; None when git cannot be run safely there. ``env``
    is the environment git runs with (``project_git_environment``)."""
    names = _configured_names(root, env)
    if names is None:
        return None
    overrides = _overrides(names)
    if overrides is None:
        return None
    return [*_base_argv(root), *overrides, *args]


def run_project_git(
    root: Path,
    args: Sequence[str],
    environment: SecretFreeEnvironment,
    *,
    timeout_s: float = _TIMEOUT_S,
) -> subprocess.CompletedProcess[bytes] | None:
    """Run one read-only git command on the user's repository at ``root``, in an environment
    derived from ``environment``; None when git is missing, too slow, or cannot be run there
    without running something the project set."""
    env = project_git_environment(environment)
    argv = project_git_argv(root, args, env)
    if argv is None:
        return None
    try:
        return subprocess.run(
            argv,
            capture_output=True,
            env=env,
            stdin=subprocess.DEVNULL,
            timeout=timeout_s,
            check=False,
        )
    except (OSError, subprocess.TimeoutExpired):
        return None
