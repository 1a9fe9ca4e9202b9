"""What every benchmark hands to the report: a table, the targets it checks, and notes."""

from __future__ import annotations

import math
from dataclasses import dataclass, field

CHECKPOINTS = "checkpoints"  # the group of the checkpoint sections (a part of the page of its own)


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
    group: str = "main"  # or CHECKPOINTS


def over(value: float, limit: float) -> str:
    """How far ``value`` is past an upper ``limit``."""
    return f"{value / limit - 1:.1%} over the limit"


def under(value: float, floor: float) -> str:
    """How far ``value`` falls short of a lower ``floor``."""
    return f"{1 - value / floor:.1%} below the floor"


NA = "n/a"


def ms(seconds: float) -> str:
    return NA if math.isnan(seconds) else f"{seconds * 1000:.0f} ms"


def ms1(seconds: float) -> str:
    return NA if math.isnan(seconds) else f"{seconds * 1000:.1f} ms"


def us(seconds: float) -> str:
    return NA if math.isnan(seconds) else f"{seconds * 1e6:,.0f} µs"


def count(value: float) -> str:
    return NA if math.isnan(value) else f"{value:,.0f}"


def times(value: float) -> str:
    return NA if math.isnan(value) else f"{value:.2f}x"


def failed_section(title: str, targets: list[str], error: str, group: str = "main") -> Section:
    """What a benchmark that could not run reports: its targets unmeasured, and why."""
    section = Section(
        title=f"{title}: not measured", headers=["error"], rows=[[error]], group=group
    )
    section.targets = [Target(name, NA, "", False, "not measured") for name in targets]
    return section
