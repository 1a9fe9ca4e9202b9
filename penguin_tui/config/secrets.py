"""Secrets: which environment variables hold them, and their redaction before anything is
written to the store, logs or exports.

Standard library only: the start-up check in ``config.secret_env`` uses these rules before
anything else is imported.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from types import MappingProxyType

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

# A name holding one of these anywhere is secret: DB_PASSWORD, APIKEY, GITHUB_TOKEN.
_SECRET_WORDS = ("KEY", "TOKEN", "SECRET", "PASSWORD", "PASSWD", "PASSPHRASE", "CREDENTIAL")
# These count only as a whole part between `_`, `-` or `.`: MY_PASS, GH_AUTH, SENTRY_DSN and
# MYSQL_PWD are secret; BYPASS_CACHE, GIT_AUTHOR_NAME and PASSENGER_ENV are not.
_SECRET_PARTS = frozenset({"PASS", "PWD", "AUTH", "PRIVATE", "DSN"})
# Whole parts that hold one of those words and name no secret: a count (MAX_TOKENS,
# tokens_source), a tokenizer's settings (TIKTOKEN_CACHE_DIR, which litellm sets itself;
# TOKENIZERS_PARALLELISM) and the keyboard (XKB_KEYMAP, KEYTIMEOUT).
_HARMLESS_PARTS = frozenset(
    {"TOKENS", "TIKTOKEN", "TOKENIZER", "TOKENIZERS", "KEYBOARD", "KEYMAP", "KEYTIMEOUT"}
)
# Well-known names that match the rules above but hold no secret: the current folder, and the
# path of the SSH agent's socket (git over ssh needs it).
_NOT_SECRET = frozenset({"PWD", "OLDPWD", "SSH_AUTH_SOCK"})
_PART_SEPARATORS = re.compile(r"[_\-.]+")

# Provider credentials by prefix (their *_API_BASE addresses are not secret).
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

# Any word of the two lists above: a name without one is passed over at once. Names are
# matched possessively, so a long run of capitals costs linear time.
_CANDIDATE = "KEY|TOKEN|SECRET|PASSW|PASSPHRASE|CREDENTIAL|PASS|PWD|AUTH|PRIVATE|DSN"
# A value assigned to an upper-case name, env style (API_TOKEN=..., export DB_PASS="...",
# AWS_SECRET_ACCESS_KEY: ...); is_secret_name decides.
_ENV_ASSIGNMENT = re.compile(
    rf"(?P<head>(?<![A-Z0-9_])(?=[A-Z0-9_]*?(?:{_CANDIDATE}))(?P<name>[A-Z0-9_]++)"
    r"\s*(?P<sep>[=:])\s*[\"']?)"
    # No backslash in the value: in stored JSON a value ends at an escaped newline (\n).
    r"(?P<value>[^\s\"',;\\]{8,})"
)
# A quoted key ("secret_key": "...", 'db-pass': '...'). Lower-case code such as
# `token = get_token()` is left alone.
_QUOTED_ASSIGNMENT = re.compile(
    rf"(?P<head>[\"'](?=[\w\-.]*?(?i:{_CANDIDATE}))(?P<name>[\w\-.]++)[\"']\s*:\s*[\"'])"
    r"(?P<value>[^\"'\\]{8,})"
)
# scheme://user:password@host — the authority runs to the first `/`, `?`, `#` or blank, and
# the password to its last `@` (a password may hold an unencoded `@`). Possessive, from the
# start of a run only: linear time on long runs such as `a.a.a.…`.
_URL_AUTHORITY = re.compile(
    r"(?P<scheme>(?<![A-Za-z0-9+.\-])[A-Za-z][A-Za-z0-9+.\-]*+://)"
    r"(?P<authority>[^\s/?#\"'<>\\]++)"
)
_MIN_SECRET_LENGTH = 8


def is_secret_name(name: str) -> bool:
    """Whether a variable or key of this name holds a secret, whatever its value.

    ``KEY``, ``TOKEN``, ``SECRET``, ``PASSWORD``, ``PASSWD``, ``PASSPHRASE`` or ``CREDENTIAL``
    anywhere in it (any case); or ``PASS``, ``PWD``, ``AUTH``, ``PRIVATE`` or ``DSN`` as a whole
    ``_``/``-``/``.``-separated part.
    """
    upper = name.upper()
    if upper in _NOT_SECRET:
        return False
    parts = _PART_SEPARATORS.split(upper)
    if any(part in _SECRET_PARTS for part in parts):
        return True
    words = "_".join(part for part in parts if part not in _HARMLESS_PARTS)
    return any(word in words for word in _SECRET_WORDS)


def url_passwords(text: str) -> list[str]:
    """The passwords of every ``scheme://user:password@host`` in ``text``."""
    found = []
    for match in _URL_AUTHORITY.finditer(text):
        password = _url_password(match["authority"])
        if password:
            found.append(password)
    return found


def _url_password(authority: str) -> str:
    userinfo, at, _host = authority.rpartition("@")
    _user, colon, password = userinfo.partition(":")
    return password if at and colon else ""


def _hide_url_password(match: re.Match[str]) -> str:
    authority = match["authority"]
    if not _url_password(authority):
        return match[0]
    userinfo, _at, host = authority.rpartition("@")
    user = userinfo.partition(":")[0]
    return f"{match['scheme']}{user}:{REDACTED}@{host}"


def _hide_env_assignment(match: re.Match[str]) -> str:
    name = match["name"]
    # `PASS: test_name` is a test runner's report, not an assignment.
    bare_part = match["sep"] == ":" and name in _SECRET_PARTS
    if bare_part or not is_secret_name(name):
        return match[0]
    return f"{match['head']}{REDACTED}"


def _hide_quoted_assignment(match: re.Match[str]) -> str:
    if not is_secret_name(match["name"]):
        return match[0]
    return f"{match['head']}{REDACTED}"


def looks_secret(value: str) -> bool:
    """Whether a value holds a key shape, a password in a URL, or a secret assignment."""
    return Redactor()(value) != value


def is_secret_variable(name: str, value: str, extra_names: Iterable[str] = ()) -> bool:
    """Whether an environment variable must be kept from the agent's commands.

    A secret name (:func:`is_secret_name`), a provider's variable (``OPENAI_*``, … but not its
    ``*_API_BASE``), a name in ``extra_names`` (the ``secret_env_vars`` setting), or a value
    that :func:`looks_secret`.
    """
    upper = name.upper()
    if name in set(extra_names) or upper in _PROVIDER_NAMES or is_secret_name(name):
        return True
    if upper.startswith(_PROVIDER_PREFIXES) and not upper.endswith("_API_BASE"):
        return True
    return looks_secret(value)


@dataclass(frozen=True)
class SecretFreeEnvironment:
    """The environment every program penguin-tui starts is given, before each adds its own
    settings: penguin-tui's own, without any variable :func:`is_secret_variable` calls secret
    (the built-in rules and the ``secret_env_vars`` setting).

    A process of the same user (one the agent left running) can read a running child's
    ``/proc/<pid>/environ``, so the agent's shell, git on the user's repository and git on the
    shadow repository all start from this one filter, never from ``os.environ``.
    """

    variables: Mapping[str, str]

    @classmethod
    def of(
        cls, environ: Mapping[str, str] | None = None, secret_names: Iterable[str] = ()
    ) -> SecretFreeEnvironment:
        """``environ`` (default: ``os.environ`` now) without its secrets; ``secret_names`` are
        the names the configuration adds (``secret_env_vars``)."""
        source = os.environ if environ is None else environ
        names = frozenset(secret_names)
        kept = {
            name: value
            for name, value in source.items()
            if not is_secret_variable(name, value, names)
        }
        return cls(MappingProxyType(kept))

    def copy(self) -> dict[str, str]:
        """A new dictionary of the variables, for a child's own additions."""
        return dict(self.variables)


def secret_values_from_env(
    environ: Mapping[str, str] | None = None, extra_names: Iterable[str] = ()
) -> list[str]:
    """Values to redact wherever they appear, longest first: those of secret names and of
    ``extra_names``, and the passwords inside URLs of any variable (8 characters or more)."""
    env = os.environ if environ is None else environ
    names = set(extra_names)
    values: set[str] = set()
    for name, value in env.items():
        if name in names or is_secret_name(name):
            values.add(value)
        values.update(url_passwords(value))
    return sorted((v for v in values if len(v) >= _MIN_SECRET_LENGTH), key=len, reverse=True)


class Redactor:
    """Replaces key shapes, URL passwords, values assigned to secret names and configured
    secret values with ``[REDACTED]``."""

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
        text = _URL_AUTHORITY.sub(_hide_url_password, text)
        text = _ENV_ASSIGNMENT.sub(_hide_env_assignment, text)
        text = _QUOTED_ASSIGNMENT.sub(_hide_quoted_assignment, text)
        return _KEY_SHAPES.sub(REDACTED, text)
