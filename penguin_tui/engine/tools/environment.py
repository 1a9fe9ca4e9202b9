"""The environment a shell command sees: the user's, minus anything that looks like a secret."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping

from penguin_tui.config.secrets import Redactor

AGENT_MARKER = "PENGUIN_TUI_AGENT"

_SECRET_WORDS = re.compile(r"KEY|TOKEN|SECRET|PASSWORD|PASSWD|CREDENTIAL", re.IGNORECASE)
_PROVIDER_PREFIXES = (
    "OPENAI_",
    "ANTHROPIC_",
    "OPENROUTER_",
    "AZURE_",
    "GEMINI_",
    "GOOGLE_API",
    "MISTRAL_",
    "GROQ_",
    "COHERE_",
    "AWS_SECRET",
)
_PROVIDER_NAMES = frozenset({"HF_TOKEN", "PENGUIN_API_KEY"})
# Set for every command: the agent has no terminal, so nothing may wait for one.
_NON_INTERACTIVE = {AGENT_MARKER: "1", "GIT_TERMINAL_PROMPT": "0", "PAGER": "cat"}


def is_secret_variable(name: str, value: str, extra_names: Iterable[str] = ()) -> bool:
    """Whether a variable must not reach the agent's shell.

    Secret-sounding names, provider credentials (their ``*_API_BASE`` addresses are kept),
    names configured as secret, and any value shaped like a known API key.
    """
    upper = name.upper()
    if name in set(extra_names):
        return True
    if _SECRET_WORDS.search(upper) or upper in _PROVIDER_NAMES:
        return True
    if upper.startswith(_PROVIDER_PREFIXES) and not upper.endswith("_API_BASE"):
        return True
    return Redactor()(value) != value


def scrubbed_environment(
    environ: Mapping[str, str], extra_names: Iterable[str] = ()
) -> dict[str, str]:
    """A copy of ``environ`` without secrets, marked with ``PENGUIN_TUI_AGENT=1``."""
    names = frozenset(extra_names)
    env = {
        name: value for name, value in environ.items() if not is_secret_variable(name, value, names)
    }
    env.update(_NON_INTERACTIVE)
    return env
