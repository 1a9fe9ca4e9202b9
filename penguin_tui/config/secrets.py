"""Redaction of secrets before anything is written to the store, logs or exports."""

from __future__ import annotations

import os
import re
from collections.abc import Iterable, Mapping

REDACTED = "[REDACTED]"

# Known key shapes: OpenAI/Anthropic/OpenRouter style, AWS access keys, GitHub, Slack, Google,
# and bearer tokens in pasted headers.
_KEY_SHAPES = re.compile(
    r"(?:"
    r"sk-(?:ant-|or-|proj-)?[A-Za-z0-9_\-]{16,}"
    r"|AKIA[0-9A-Z]{16}"
    r"|gh[pousr]_[A-Za-z0-9]{30,}"
    r"|github_pat_[A-Za-z0-9_]{30,}"
    r"|xox[abposr]-[A-Za-z0-9\-]{10,}"
    r"|AIza[0-9A-Za-z_\-]{35}"
    r"|(?<=Bearer )[A-Za-z0-9._\-]{20,}"
    r")"
)
_SECRET_NAME = re.compile(r"KEY|TOKEN|SECRET|PASSWORD", re.IGNORECASE)
# A value assigned to a secret-looking name: env style (API_TOKEN=..., export DB_PASSWORD=...)
# or a quoted key ("secret_key": "..."). Lower-case code such as `token = get_token()` is left.
_ENV_ASSIGNMENT = re.compile(
    r"(?P<head>(?<![A-Z0-9_])[A-Z0-9_]*(?:KEY|TOKEN|SECRET|PASSWORD|PASSWD)[A-Z0-9_]*"
    r"\s*[=:]\s*[\"']?)"
    # No backslash in the value: in stored JSON a value ends at an escaped newline (\n).
    r"(?P<value>[^\s\"',;\\]{8,})"
)
_QUOTED_ASSIGNMENT = re.compile(
    r"(?P<head>[\"'][\w\-.]*(?:key|token|secret|password|passwd)[\w\-.]*[\"']\s*:\s*[\"'])"
    r"(?P<value>[^\"'\\]{8,})",
    re.IGNORECASE,
)
_MIN_SECRET_LENGTH = 8


def secret_values_from_env(
    environ: Mapping[str, str] | None = None, extra_names: Iterable[str] = ()
) -> list[str]:
    """Values of environment variables that look like secrets, longest first."""
    env = os.environ if environ is None else environ
    names = set(extra_names)
    values = {
        value
        for name, value in env.items()
        if (name in names or _SECRET_NAME.search(name)) and len(value) >= _MIN_SECRET_LENGTH
    }
    return sorted(values, key=len, reverse=True)


class Redactor:
    """Replaces known key shapes and configured secret values with ``[REDACTED]``."""

    def __init__(self, secret_values: Iterable[str] = ()) -> None:
        self._values = sorted(
            {v for v in secret_values if len(v) >= _MIN_SECRET_LENGTH}, key=len, reverse=True
        )

    @classmethod
    def from_environment(cls, extra_names: Iterable[str] = ()) -> Redactor:
        return cls(secret_values_from_env(extra_names=extra_names))

    def __call__(self, text: str) -> str:
        for value in self._values:
            if value in text:
                text = text.replace(value, REDACTED)
        for assignment in (_ENV_ASSIGNMENT, _QUOTED_ASSIGNMENT):
            text = assignment.sub(lambda m: f"{m.group('head')}{REDACTED}", text)
        return _KEY_SHAPES.sub(REDACTED, text)
