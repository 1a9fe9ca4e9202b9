"""File logging under the data dir, with secrets redacted from every record."""

from __future__ import annotations

import logging
from pathlib import Path

from penguin_tui.config.paths import DataPaths
from penguin_tui.config.secrets import Redactor


class _RedactingFilter(logging.Filter):
    def __init__(self, redactor: Redactor) -> None:
        super().__init__()
        self._redact = redactor

    def filter(self, record: logging.LogRecord) -> bool:
        record.msg = self._redact(record.getMessage())
        record.args = None
        if record.exc_info:
            record.exc_text = self._redact(logging.Formatter().formatException(record.exc_info))
            record.exc_info = None
        return True


def setup_logging(paths: DataPaths) -> Path | None:
    """Send penguin-tui's log to ``<data>/logs/penguin.log``; returns its path or None."""
    log_file = paths.logs / "penguin.log"
    try:
        paths.logs.mkdir(parents=True, exist_ok=True)
        # A path that is not UTF-8 in a record is written escaped, not an error on stderr.
        handler = logging.FileHandler(log_file, encoding="utf-8", errors="backslashreplace")
    except OSError:
        # No log file (a read-only data dir): say nothing rather than let Python's
        # last-resort handler print records, tracebacks included, under the one-line error.
        logging.getLogger("penguin_tui").addHandler(logging.NullHandler())
        return None
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    handler.addFilter(_RedactingFilter(Redactor.from_environment()))
    root = logging.getLogger("penguin_tui")
    root.setLevel(logging.INFO)
    root.addHandler(handler)
    return log_file
