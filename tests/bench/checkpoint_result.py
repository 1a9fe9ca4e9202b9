"""What a checkpoint worker measured on one tree, passed to the parent process as JSON."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field

RESULT_PREFIX = "BENCH-CHECKPOINTS "

Fact = str | int | float | bool


@dataclass
class CheckpointResult:
    """Seconds per repetition for each measured operation (``timings``), the sanity checks and
    one-off figures (``facts``), and where the time of one traced run went (``breakdown``)."""

    tree: str
    timings: dict[str, list[float]] = field(default_factory=dict)
    facts: dict[str, Fact] = field(default_factory=dict)
    breakdown: dict[str, str] = field(default_factory=dict)
    errors: list[str] = field(default_factory=list)

    def add(self, name: str, seconds: float) -> None:
        self.timings.setdefault(name, []).append(seconds)

    def to_line(self) -> str:
        return RESULT_PREFIX + json.dumps(asdict(self))

    @classmethod
    def from_output(cls, output: str) -> CheckpointResult:
        for line in reversed(output.splitlines()):
            if line.startswith(RESULT_PREFIX):
                return cls(**json.loads(line[len(RESULT_PREFIX) :]))
        raise ValueError("no result line in the checkpoint worker's output")
