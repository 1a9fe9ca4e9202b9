"""Save a run's results as JSON and load them back, to re-render the report without measuring."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from tests.bench.machine import Machine
from tests.bench.results import Section, Target


@dataclass
class Run:
    sections: list[Section]
    machine: Machine
    when: str
    quick: bool
    elapsed_s: float
    noise: str = "not recorded"


def save(run: Run, path: Path) -> None:
    path.write_text(json.dumps(asdict(run), indent=1, ensure_ascii=False), encoding="utf-8")


def _section(data: dict[str, Any]) -> Section:
    targets = [Target(**target) for target in data.pop("targets")]
    return Section(**data, targets=targets)


def load(path: Path) -> Run:
    data = json.loads(path.read_text(encoding="utf-8"))
    return Run(
        sections=[_section(section) for section in data["sections"]],
        machine=Machine(**{"load": "unknown", **data["machine"]}),
        when=data["when"],
        quick=data["quick"],
        elapsed_s=data["elapsed_s"],
        noise=data.get("noise", "not recorded"),
    )
