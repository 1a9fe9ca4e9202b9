"""penguin-tui's benchmarks: start-up, ``--version``, streaming and long replies.

Run them all with ``python -m tests.bench`` from the repository root (see docs/benchmarks.md).
They are not part of the default pytest run.
"""
