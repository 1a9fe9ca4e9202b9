"""One streamed reply as measured by a worker, passed to the parent process as JSON."""

from __future__ import annotations

import json
import math
from dataclasses import asdict, dataclass

RESULT_PREFIX = "BENCH-RESULT "


@dataclass(frozen=True)
class StreamResult:
    """``mode`` is ``ui`` (the real app, headless), ``engine`` (services, no UI) or ``litellm``."""

    mode: str
    rate: float  # tokens per second the scripted model was asked to send (0 = unpaced)
    tokens: int  # text tokens in the reply (one SSE chunk each)
    first_token_s: float  # request sent (Enter) to the first delta
    arrival_s: float  # first delta to the last delta, as the client received them
    shown_s: float  # first delta to the whole text drawn (UI) or received (no UI)
    duration_s: float  # first delta to the reply final (on screen, for the UI) or received
    cpu_s: float  # process CPU time from the first delta until the engine was done
    lag_p95_s: float  # over the same window
    lag_max_s: float
    complete: bool  # the text shown (or received) is exactly the text sent
    # UI: first delta to the engine done with the reply (usage recorded, message stored)
    engine_done_s: float = math.nan

    @property
    def rendered_rate(self) -> float:
        return self.tokens / self.duration_s if self.duration_s > 0 else math.nan

    @property
    def engine_done_rate(self) -> float:
        return self.tokens / self.engine_done_s if self.engine_done_s > 0 else math.nan

    @property
    def shown_rate(self) -> float:
        return self.tokens / self.shown_s if self.shown_s > 0 else math.nan

    @property
    def arrival_rate(self) -> float:
        return (self.tokens - 1) / self.arrival_s if self.arrival_s > 0 else math.nan

    @property
    def cpu_per_token_s(self) -> float:
        return self.cpu_s / self.tokens if self.tokens else math.nan

    def to_line(self) -> str:
        return RESULT_PREFIX + json.dumps(asdict(self))

    @classmethod
    def from_output(cls, output: str) -> StreamResult:
        for line in reversed(output.splitlines()):
            if line.startswith(RESULT_PREFIX):
                return cls(**json.loads(line[len(RESULT_PREFIX) :]))
        raise ValueError("no result line in the worker's output")
