"""What every benchmark hands to the report: a table, the targets it checks, and notes."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Target:
    """One target of the issue: what was measured against what was asked."""

    name: str
    measured: str
    goal: str
    passed: bool
    missed_by: str = ""  # how far from the goal, when missed

    @property
    def verdict(self) -> str:
        return "PASS" if self.passed else "MISS"


@dataclass
class Section:
    """One benchmark's results."""

    title: str
    headers: list[str]
    rows: list[list[str]] = field(default_factory=list)
    targets: list[Target] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


def over(value: float, limit: float) -> str:
    """How far ``value`` is past an upper ``limit``."""
    return f"{value / limit - 1:.0%} over the limit"


def under(value: float, floor: float) -> str:
    """How far ``value`` falls short of a lower ``floor``."""
    return f"{1 - value / floor:.0%} below the floor"


def ms(seconds: float) -> str:
    return f"{seconds * 1000:.0f} ms"


def ms1(seconds: float) -> str:
    return f"{seconds * 1000:.1f} ms"
