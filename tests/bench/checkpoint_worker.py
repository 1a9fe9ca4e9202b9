"""The checkpoint measurements of one tree in a fresh interpreter:
``python -m tests.bench.checkpoint_worker SPEC.json [--profile FILE]``.

SPEC.json names the tree (as ``trees.TreeInfo``), a scratch folder for the repositories and
the repetitions; the worker prints one result line (``checkpoint_result``). ``--profile FILE``
runs it under cProfile (slower; for finding hot spots, not for figures).
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import json
import sys
from dataclasses import dataclass
from pathlib import Path

from tests.bench.checkpoint_ops import TreeBench
from tests.bench.checkpoint_result import CheckpointResult
from tests.bench.trees import TreeInfo, pick_edits

CHANGED_FILES = 10
HUNK_FILES = 100
HUNKS_PER_FILE = 10


@dataclass(frozen=True)
class Spec:
    """What one worker measures: a tree, where to put repositories, how many repetitions."""

    tree: TreeInfo
    work: Path
    first_runs: int
    runs: int
    diff_runs: int

    def save(self, path: Path) -> None:
        tree = self.tree
        data = {
            "tree": {
                "name": tree.name,
                "root": str(tree.root),
                "files": tree.files,
                "bytes": tree.bytes,
                "text_files": list(tree.text_files),
                "over_cap": list(tree.over_cap),
            },
            "work": str(self.work),
            "first_runs": self.first_runs,
            "runs": self.runs,
            "diff_runs": self.diff_runs,
        }
        path.write_text(json.dumps(data), encoding="utf-8")

    @classmethod
    def load(cls, path: Path) -> Spec:
        data = json.loads(path.read_text(encoding="utf-8"))
        tree = data["tree"]
        info = TreeInfo(
            name=tree["name"],
            root=Path(tree["root"]).resolve(),
            files=tree["files"],
            bytes=tree["bytes"],
            text_files=tuple(tree["text_files"]),
            over_cap=tuple(tree["over_cap"]),
        )
        return cls(info, Path(data["work"]), data["first_runs"], data["runs"], data["diff_runs"])


async def measure(spec: Spec) -> CheckpointResult:
    """First checkpoints, then checkpoints after ten changed files, reverts of them and the
    1,000-hunk comparison; a failure in one part is reported and the others still run."""
    result = CheckpointResult(spec.tree.name)
    spec.work.mkdir(parents=True, exist_ok=True)
    bench = TreeBench(spec.tree, spec.work, result)
    edits = pick_edits(spec.tree, CHANGED_FILES, 1)
    hunks = pick_edits(spec.tree, HUNK_FILES, HUNKS_PER_FILE)
    repos = await bench.first_checkpoints(spec.first_runs)
    try:
        for part in ("incremental", "restores", "comparison"):
            try:
                if part == "incremental":
                    await bench.incremental(repos, edits, spec.runs)
                elif part == "restores":
                    await bench.restores(repos, edits, spec.runs)
                else:
                    await bench.comparison(repos, hunks, spec.diff_runs)
            except Exception as error:  # noqa: BLE001 - reported; the other parts still run
                edits.undo()
                hunks.undo()
                detail = str(error).strip().splitlines()
                result.errors.append(
                    f"{part}: {type(error).__name__}: {detail[-1] if detail else ''}"
                )
    finally:
        bench.finish()
        await repos.service.close()
        repos.shadow.close()
    return result


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tests.bench.checkpoint_worker")
    parser.add_argument("spec", type=Path)
    parser.add_argument("--profile", metavar="FILE", help="write a cProfile of the run to FILE")
    args = parser.parse_args(argv)
    spec = Spec.load(args.spec)
    if args.profile:
        profiler = cProfile.Profile()
        result = profiler.runcall(asyncio.run, measure(spec))
        profiler.dump_stats(args.profile)
    else:
        result = asyncio.run(measure(spec))
    print(result.to_line(), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
