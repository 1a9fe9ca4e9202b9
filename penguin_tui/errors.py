"""Typed errors that end as one-line messages at the edge (CLI exit, TUI notification)."""

from __future__ import annotations


class PenguinError(Exception):
    """Base of every error penguin-tui reports to a user as one line of text."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message

    def __str__(self) -> str:
        return self.message


class ConfigError(PenguinError):
    """A settings file or flag is wrong; the message says which and how to fix it."""


class StoreError(PenguinError):
    """The database cannot be opened, read or written."""


class LLMError(PenguinError):
    """A model call failed; ``retryable`` tells the retry loop whether to try again."""

    retryable: bool = False


class ModelNotFoundError(LLMError):
    """The model name is unknown to litellm or to the server."""


class MissingKeyError(LLMError):
    """The provider needs an API key that is not set."""


class AuthError(LLMError):
    """The provider refused the API key."""


class RateLimitedError(LLMError):
    """429 from the provider; ``retry_after`` is the server's hint in seconds, if any."""

    retryable = True

    def __init__(self, message: str, retry_after: float | None = None) -> None:
        super().__init__(message)
        self.retry_after = retry_after


class ServerError(LLMError):
    """A 5xx answer from the provider."""

    retryable = True


class ConnectionFailedError(LLMError):
    """The API base could not be reached, or the connection broke."""

    retryable = True


class ModelTimeoutError(LLMError):
    """The server did not answer (or went silent) within the configured time."""

    retryable = True


class StreamBrokenError(LLMError):
    """The stream ended abnormally after the first token (dropped, malformed, stalled)."""


class PromptTooLargeError(LLMError):
    """The prompt cannot fit the model's context window."""


class ToolError(PenguinError):
    """A tool could not do what was asked; the message is shown to the model as is."""


class SessionNotFoundError(PenguinError):
    """No session with that id (or id prefix) exists."""


class CheckpointError(PenguinError):
    """A snapshot, restore, comparison or merge could not be done; nothing was half-done."""


class ProjectLockedError(CheckpointError):
    """Another penguin-tui is running on this project; this one may only browse."""


class UnsafeProjectError(CheckpointError):
    """The project is a home directory or ``/``, which is never snapshotted unless asked."""
