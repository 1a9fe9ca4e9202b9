"""The environment a shell command sees: the user's, minus anything that looks like a secret."""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from penguin_tui.config.secrets import is_secret_variable

AGENT_MARKER = "PENGUIN_TUI_AGENT"

# Set for every command: the agent has no terminal, so nothing may wait for one.
_NON_INTERACTIVE = {AGENT_MARKER: "1", "GIT_TERMINAL_PROMPT": "0", "PAGER": "cat"}

__all__ = ["AGENT_MARKER", "is_secret_variable", "scrubbed_environment"]


def scrubbed_environment(
    environ: Mapping[str, str], extra_names: Iterable[str] = ()
) -> dict[str, str]:
    """A copy of ``environ`` without secrets, marked with ``PENGUIN_TUI_AGENT=1``.

    What counts as a secret is :func:`penguin_tui.config.secrets.is_secret_variable`: the same
    rule keeps those variables out of penguin-tui's own start-up environment.
    """
    names = frozenset(extra_names)
    env = {
        name: value for name, value in environ.items() if not is_secret_variable(name, value, names)
    }
    env.update(_NON_INTERACTIVE)
    return env
