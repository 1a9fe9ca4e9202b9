"""Keep secrets out of the environment penguin-tui was started with.

``/proc/PID/environ`` shows the environment a process was started with, to every process of
the same user, the agent's shell commands included; removing a key from ``os.environ`` later
does not change it. So when that environment holds secrets, penguin-tui starts itself again
(``execve``: same pid, arguments, folder and terminal) without them, hands their values over
through a sealed memory file that the new process reads and closes at once, and puts them back
into its ``os.environ`` (litellm reads keys there; what is set after the start never shows in
``/proc/PID/environ``). The process that holds them is also made non-dumpable, so its memory
and ``/proc`` files are closed to other processes of the same user.

Runs first thing in ``main()``: standard library only, and nothing at all to do, beyond one
look at the environment and the user's config file, when there is no secret. Linux only
(``os.memfd_create``); elsewhere the environment is left as it is.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Mapping

from penguin_tui.config.secrets import SecretFreeEnvironment

HANDOVER_VARIABLE = "PENGUIN_TUI_SECRETS_FD"
_MEMFD_NAME = "penguin-tui-secrets"
_PR_SET_DUMPABLE = 4


def keep_secrets_out_of_proc() -> None:
    """Start again without secrets in the start-up environment, or take them back after that.

    Returns at once when there is nothing to do; otherwise does not return (the program starts
    again) unless the start cannot be repeated here, in which case everything stays as it was.
    """
    handle = os.environ.get(HANDOVER_VARIABLE)
    if handle is not None:
        del os.environ[HANDOVER_VARIABLE]
        _take_back(handle)
        return
    if not hasattr(os, "memfd_create") or sys.argv[0] in ("", "-"):
        return  # no memory files here; or an interactive or piped-in program, not repeatable
    names = secret_names(os.environ, configured_secret_names())
    if names:
        _start_again_without(names)


def secret_names(environ: Mapping[str, str], extra: tuple[str, ...] = ()) -> list[str]:
    """The variables no program penguin-tui starts would get (see SecretFreeEnvironment)."""
    kept = SecretFreeEnvironment.of(environ, extra).variables
    return [name for name in environ if name not in kept]


def configured_secret_names() -> tuple[str, ...]:
    """``secret_env_vars`` and ``[model] key_env`` (the variable the key is read from) from
    the user's config file; () when unset or unreadable.

    A broken file is reported later, by the settings loader, in the usual way.
    """
    from penguin_tui.config.paths import data_paths

    try:
        with data_paths().user_config.open("rb") as handle:
            import tomllib  # only when there is a file to read

            config = tomllib.load(handle)
    except (OSError, ValueError, RuntimeError):
        return ()
    names = config.get("secret_env_vars", [])
    found = [name for name in names if isinstance(name, str)] if isinstance(names, list) else []
    model = config.get("model")
    key_env = model.get("key_env") if isinstance(model, dict) else None
    if isinstance(key_env, str):
        found.append(key_env)
    return tuple(found)


def _start_again_without(names: list[str]) -> None:
    import fcntl

    handover = b"".join(
        os.fsencode(name) + b"=" + os.environb[os.fsencode(name)] + b"\0" for name in names
    )
    fd = os.memfd_create(_MEMFD_NAME, os.MFD_CLOEXEC | os.MFD_ALLOW_SEALING)
    try:
        os.write(fd, handover)  # a memory file takes it all at once
        fcntl.fcntl(fd, fcntl.F_ADD_SEALS, _seals())
        os.set_inheritable(fd, True)
        hidden = {os.fsencode(name) for name in names}
        env = {key: value for key, value in os.environb.items() if key not in hidden}
        env[HANDOVER_VARIABLE.encode()] = str(fd).encode()
        sys.stdout.flush()
        sys.stderr.flush()
        os.execve(sys.executable, sys.orig_argv, env)
    except OSError:
        os.close(fd)  # cannot start again here: carry on with the environment as it is


def _take_back(handle: str) -> None:
    """Read the handed-over variables into ``os.environ`` and close the memory file."""
    import fcntl

    try:
        fd = int(handle)
        # Only the sealed memory file made above: never read a descriptor a stray variable names.
        if fcntl.fcntl(fd, fcntl.F_GET_SEALS) != _seals():
            raise OSError("not the handed-over memory file")
    except (ValueError, OSError):
        print(
            f"penguin-tui: {HANDOVER_VARIABLE} does not name the keys handed over at start; "
            "they are not set",
            file=sys.stderr,
        )
        return
    try:
        handover = os.pread(fd, os.fstat(fd).st_size, 0)
    finally:
        os.close(fd)
    for record in handover.split(b"\0"):
        name, equals, value = record.partition(b"=")
        if equals:
            os.environb[name] = value
    _forbid_inspection()


def _forbid_inspection() -> None:
    """Make this process non-dumpable: other processes of the same user (the agent's commands)
    can no longer read its memory or its ``/proc`` files; no core file is written."""
    import ctypes

    try:
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(_PR_SET_DUMPABLE, 0, 0, 0, 0)
    except (OSError, AttributeError):
        pass


def _seals() -> int:
    """Nothing can be added to, cut from or written in the memory file once sealed."""
    import fcntl

    return fcntl.F_SEAL_SEAL | fcntl.F_SEAL_SHRINK | fcntl.F_SEAL_GROW | fcntl.F_SEAL_WRITE
