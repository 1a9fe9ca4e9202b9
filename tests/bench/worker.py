"""One measured stream in a fresh interpreter: ``python -m tests.bench.worker MODE RATE TOKENS``.

Starts the scripted model in its own process, streams one reply of TOKENS tokens at RATE
tokens/s through MODE (``ui``, ``engine`` or ``litellm``; ``ui-gc-frozen`` is the UI with
``gc.freeze()`` after the warm-up, a what-if) and prints one result line.
``--profile FILE`` runs it under cProfile (slower; for finding hot spots, not for figures).
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import os
import sys
import tempfile
from pathlib import Path

from tests.bench.prose import MODEL, PROMPT, prose, write_script
from tests.bench.scripted import ScriptedProcess
from tests.bench.stream_result import StreamResult


async def _measure(mode: str, project: Path, base_url: str, text: str, rate: float) -> StreamResult:
    if mode in ("ui", "ui-gc-frozen"):
        from tests.bench.stream_ui import stream_ui

        frozen = mode == "ui-gc-frozen"
        return await stream_ui(project, base_url, MODEL, PROMPT, text, rate, freeze_gc=frozen)
    if mode == "engine":
        from tests.bench.stream_plain import stream_engine

        return await stream_engine(project, base_url, MODEL, PROMPT, text, rate)
    from tests.bench.stream_plain import stream_litellm

    return await stream_litellm(base_url, MODEL, PROMPT, text, rate)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tests.bench.worker")
    parser.add_argument("mode", choices=("ui", "ui-gc-frozen", "engine", "litellm"))
    parser.add_argument("rate", type=float)
    parser.add_argument("tokens", type=int)
    parser.add_argument("--profile", metavar="FILE", help="write a cProfile of the run to FILE")
    args = parser.parse_args(argv)
    text = prose(args.tokens)
    with tempfile.TemporaryDirectory(prefix="penguin-bench-") as tmp:
        root = Path(tmp)
        (root / "home").mkdir()
        (root / "project").mkdir()
        os.environ["PENGUIN_HOME"] = str(root / "home")
        script = write_script(root / "script.toml", text, args.rate)
        with ScriptedProcess(script, args.rate) as server:
            measure = _measure(args.mode, root / "project", server.base_url, text, args.rate)
            if args.profile:
                profiler = cProfile.Profile()
                result = profiler.runcall(asyncio.run, measure)
                profiler.dump_stats(args.profile)
            else:
                result = asyncio.run(measure)
    print(result.to_line(), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
