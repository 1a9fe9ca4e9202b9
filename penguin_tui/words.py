"""Counts in words, shared by the tools, the services, the headless commands and the TUI.

Standard library only and nothing of the app, so that every layer may import it.
"""

from __future__ import annotations


def plural(count: int, noun: str, nouns: str | None = None) -> str:
    """``1 file``, ``3 files``; ``nouns`` for irregular plurals (``match``, ``matches``)."""
    return f"{count} {noun}" if count == 1 else f"{count} {nouns or noun + 's'}"


def counted(count: int, noun: str, verb: str) -> str:
    """``1 file changes``, ``3 files change``: a count and a verb that agrees with it."""
    return f"{plural(count, noun)} {verb}s" if count == 1 else f"{plural(count, noun)} {verb}"


def dollars(cost: float) -> str:
    """Dollars: under a dollar to four decimals (``$0.0021``), from a dollar on to cents
    (``$12.50``, ``$1,234.56``)."""
    return f"${cost:,.2f}" if cost >= 1 else f"${cost:.4f}"
