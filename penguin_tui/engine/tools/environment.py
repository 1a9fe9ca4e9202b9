"""The environment a shell command sees: the user's, minus anything that looks like a secret."""

from __future__ import annotations

from penguin_tui.config.secrets import SecretFreeEnvironment

AGENT_MARKER = "PENGUIN_TUI_AGENT"

# Set for every command: the agent has no terminal, so nothing may wait for one.
_NON_INTERACTIVE = {AGENT_MARKER: "1", "GIT_TERMINAL_PROMPT": "0", "PAGER": "cat"}


def agent_environment(base: SecretFreeEnvironment) -> dict[str, str]:
    """The agent shell's environment: ``base`` (penguin-tui's, without secrets), marked with
    ``PENGUIN_TUI_AGENT=1`` and set up so that nothing waits for a terminal."""
    env = base.copy()
    env.update(_NON_INTERACTIVE)
    return env
