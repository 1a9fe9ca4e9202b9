"""Parse ``python -X importtime`` output: cumulative cost of a module and who imported it."""

from __future__ import annotations

import re
from dataclasses import dataclass

IMPORT_LINE = re.compile(r"import time:\s+(\d+) \|\s+(\d+) \|( *)([\w.]+)")


@dataclass(frozen=True)
class Imported:
    name: str
    depth: int
    cumulative_s: float
    chain: tuple[str, ...]  # the module itself, then who imported it, up to the program


def parse(text: str) -> dict[str, Imported]:
    """Every module in the output (first import only), with its import chain."""
    entries = [
        (match.group(4), len(match.group(3)), int(match.group(2)) / 1e6)
        for match in IMPORT_LINE.finditer(text)
    ]
    found: dict[str, Imported] = {}
    for index, (name, depth, cumulative) in enumerate(entries):
        # importtime prints a module after everything it imported: the importer is the next
        # entry that sits less deep.
        chain = [name]
        wanted = depth
        for later_name, later_depth, _ in entries[index + 1 :]:
            if later_depth < wanted:
                chain.append(later_name)
                wanted = later_depth
            if wanted <= 1:
                break
        found.setdefault(name, Imported(name, depth, cumulative, tuple(chain)))
    return found


def describe(module: Imported) -> str:
    via = " ← ".join(f"`{name}`" for name in module.chain[1:])
    cost = f"`{module.name}` {module.cumulative_s * 1000:.0f} ms"
    return f"{cost} (via {via})" if via else cost


def total_s(text: str) -> float:
    """Sum of the cumulative times of the top-level imports: all import time in the run."""
    return sum(
        int(match.group(2)) / 1e6
        for match in IMPORT_LINE.finditer(text)
        if len(match.group(3)) == 1
    )


def heaviest_outside(
    found: dict[str, Imported], package: str, limit: int, floor_s: float = 0.005
) -> list[Imported]:
    """The costliest modules (at least ``floor_s``) that ``package``'s own modules import
    directly (third-party or standard library), largest cumulative time first."""
    direct = [
        module
        for module in found.values()
        if not module.name.startswith(package)
        and len(module.chain) > 1
        and module.chain[1].startswith(package)
        and module.cumulative_s >= floor_s
    ]
    return sorted(direct, key=lambda module: module.cumulative_s, reverse=True)[:limit]
