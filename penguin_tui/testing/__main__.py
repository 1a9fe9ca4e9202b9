"""Run the scripted model: ``python -m penguin_tui.testing --port N --script FILE``."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import signal
import sys

from penguin_tui.testing.script import Script, ScriptError, load_demo_script, load_script
from penguin_tui.testing.server import ScriptedServer

PROG = "python -m penguin_tui.testing"


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog=PROG,
        description="Serve a scripted test-double model over OpenAI-compatible HTTP.",
    )
    parser.add_argument("--host", default="127.0.0.1", help="address to bind (default 127.0.0.1)")
    parser.add_argument("--port", type=int, default=0, help="port to bind (default: any free)")
    parser.add_argument("--script", help="TOML script file (default: the bundled demo script)")
    parser.add_argument("--rate", type=float, help="tokens per second (0 = as fast as possible)")
    return parser


async def _serve(script: Script, host: str, port: int, rate: float | None) -> None:
    stopping = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        with contextlib.suppress(NotImplementedError):
            loop.add_signal_handler(sig, stopping.set)
    async with ScriptedServer(script, host=host, port=port, rate=rate) as server:
        print(f"demo model (scripted) listening on {server.base_url}", flush=True)
        await stopping.wait()


def main(argv: list[str] | None = None) -> int:
    """Entry point; returns the process exit status."""
    args = _parser().parse_args(argv)
    if args.rate is not None and args.rate < 0:
        print(f"{PROG}: --rate must be >= 0", file=sys.stderr)
        return 2
    try:
        script = load_script(args.script) if args.script else load_demo_script()
    except ScriptError as exc:
        print(f"{PROG}: {exc}", file=sys.stderr)
        return 2
    try:
        asyncio.run(_serve(script, args.host, args.port, args.rate))
    except OSError as exc:
        reason = exc.strerror or str(exc)
        print(f"{PROG}: cannot listen on {args.host}:{args.port}: {reason}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        pass
    return 0


if __name__ == "__main__":
    sys.exit(main())
