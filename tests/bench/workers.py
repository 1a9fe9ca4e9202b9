"""Run measured streams in fresh interpreters and sum up repetitions by their medians."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Callable, Sequence

from tests.bench import snapshot
from tests.bench.stats import median
from tests.bench.stream_result import StreamResult

MODES = ("ui", "engine", "litellm")
ATTEMPTS = 2  # a failed worker is retried once; then the run is left out and reported


class WorkerError(RuntimeError):
    """A worker failed; the message has the end of its stderr."""


def run_worker(mode: str, rate: float, tokens: int) -> StreamResult:
    timeout = 300 + 5 * tokens / max(rate, 100)
    done = subprocess.run(
        [sys.executable, "-m", "tests.bench.worker", mode, f"{rate:g}", str(tokens)],
        cwd=snapshot.child_cwd(),
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
    if done.returncode != 0:
        raise WorkerError(
            f"worker {mode} {rate:g} tok/s {tokens} tokens exited {done.returncode}:\n"
            f"{done.stderr[-3000:]}"
        )
    result = StreamResult.from_output(done.stdout)
    if not result.complete:
        raise WorkerError(f"worker {mode} {rate:g} tok/s: the text shown differs from the sent")
    return result


def run_interleaved(
    modes: Sequence[str],
    rate: float,
    tokens: int,
    repetitions: int,
    progress: Callable[[str], None],
    errors: list[str],
) -> dict[str, list[StreamResult]]:
    """``repetitions`` runs of each mode, alternating modes so that noise hits all alike.
    Runs that fail twice are left out; their errors are appended to ``errors``."""
    results: dict[str, list[StreamResult]] = {mode: [] for mode in modes}
    for index in range(repetitions):
        for mode in modes:
            progress(f"  {mode:<12} {rate:>6g} tok/s  {tokens:>6} tokens  run {index + 1}")
            for attempt in range(1, ATTEMPTS + 1):
                try:
                    results[mode].append(run_worker(mode, rate, tokens))
                    break
                except (WorkerError, ValueError, subprocess.TimeoutExpired) as error:
                    summary = _last_line(str(error))
                    progress(f"    attempt {attempt} failed: {summary}")
                    if attempt == ATTEMPTS:
                        errors.append(f"{mode} at {rate:g} tok/s, {tokens} tokens: {summary}")
    return results


def _last_line(text: str) -> str:
    lines = [line.strip() for line in text.strip().splitlines() if line.strip()]
    return lines[-1] if lines else "unknown error"


def med(results: Sequence[StreamResult], metric: Callable[[StreamResult], float]) -> float:
    return median([metric(result) for result in results])
