"""File names as text anyone can read: the bytes of a name that are not UTF-8, escaped.

Linux allows any bytes in a file name. Python keeps the ones that are not UTF-8 as lone
surrogates (``os.fsdecode``), which open the file again but cannot be written as UTF-8: a
JSON event, a database row or a terminal would fail on them. Everything shown or stored shows
each such byte as ``\\xNN`` instead.
"""

from __future__ import annotations

import codecs
import io
import re
import sys

_SURROGATE = re.compile("[\ud800-\udfff]")


def _escape(match: re.Match[str]) -> str:
    code = ord(match.group())
    if 0xDC80 <= code <= 0xDCFF:  # a byte os.fsdecode could not decode
        return f"\\x{code - 0xDC00:02x}"
    return f"\\u{code:04x}"


def printable(text: str) -> str:
    """``text`` with each undecodable byte as ``\\xNN`` (any other lone surrogate as
    ``\\udXXX``): safe to encode as UTF-8, and the same for every name it came from."""
    return _SURROGATE.sub(_escape, text)


def is_printable(text: str) -> bool:
    """Whether ``text`` needs no escape."""
    return _SURROGATE.search(text) is None


def printable_json(text: str) -> str:
    """JSON text (from ``json.dumps(..., ensure_ascii=False)``) with each lone surrogate, which
    can only stand inside a string, replaced by its printable escape as JSON writes it."""
    return _SURROGATE.sub(lambda match: _escape(match).replace("\\", "\\\\"), text)


PRINTABLE_ERRORS = "penguin-printable"


def _printable_errors(error: UnicodeError) -> tuple[str, int]:
    if not isinstance(error, UnicodeEncodeError):
        raise error
    text = error.object[error.start : error.end]
    return printable(text).encode("ascii", "backslashreplace").decode("ascii"), error.end


codecs.register_error(PRINTABLE_ERRORS, _printable_errors)


def printable_streams() -> None:
    """Make stdout and stderr write an undecodable byte of a name as ``\\xNN`` instead of
    failing (a UTF-8 locale writes strictly) or writing the raw byte."""
    for stream in (sys.stdout, sys.stderr):
        if isinstance(stream, io.TextIOWrapper):
            stream.reconfigure(errors=PRINTABLE_ERRORS)
