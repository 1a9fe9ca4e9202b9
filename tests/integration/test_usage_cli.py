"""`penguin-tui usage` on a real store whose calls the engine recorded against the scripted
model over real HTTP: several models, sessions, branches, a task, a retry, a fallback, a
failure and a cancel. Every grouping's JSON equals the sums worked out here from the rows."""

from __future__ import annotations

import asyncio
import dataclasses
import json
import math
import sqlite3
import statistics
import subprocess
import sys
import time
from collections.abc import Iterator
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from penguin_tui.bus import MessageDelta
from penguin_tui.checkpoints.model import CheckpointKind
from penguin_tui.cli.main import main
from penguin_tui.runtime import Runtime, open_runtime
from penguin_tui.testing import ServerThread, run_in_thread
from tests.conftest import script

Captured = pytest.CaptureFixture[str]

SCRIPT = """
model = "m1"
rate = 400

[[turns]]
match = "^plain"
text = "A plain answer with a few words in it."
usage = {prompt_tokens = 120, completion_tokens = 30, cached_tokens = 20}

[[turns]]
match = "^retry"
text = "Answered after one retry."
usage = {prompt_tokens = 90, completion_tokens = 12}
[turns.fault]
kind = "server_error"
count = 1

[[turns]]
match = "^fallback"
text = "The fallback answers."
usage = {prompt_tokens = 400, completion_tokens = 60, cache_write_tokens = 100}
[turns.fault]
kind = "server_error"
count = 3

[[turns]]
match = "^fail"
text = "never sent"
[turns.fault]
kind = "server_error"
status = 400
count = 1

[[turns]]
match = "^long"
text = "word "
repeat_text = 3000

[[turns]]
text = "Anything else."
usage = {prompt_tokens = 50, completion_tokens = 8, reasoning_tokens = 3}
"""

PRICES = """
[model.prices."m1"]
input_per_mtok = 1.0
output_per_mtok = 2.0
[model.prices."m2"]
input_per_mtok = 3.0
output_per_mtok = 5.0
"""


@pytest.fixture
def server() -> Iterator[ServerThread]:
    with run_in_thread(script(SCRIPT)) as served:
        yield served


async def ask(runtime: Runtime, prompt: str, *, cancel: bool = False) -> None:
    """One turn; with ``cancel``, cut once the reply streams."""
    events = runtime.bus.subscribe()
    sending = asyncio.create_task(runtime.engine.send(prompt))
    while cancel:
        cancel = not isinstance(await events.get(), MessageDelta)
        if not cancel:
            runtime.engine.cancel()
    await sending
    events.close()


async def session_of(project: Path, server: ServerThread, model: str) -> Runtime:
    runtime = await open_runtime(project, model=model, api_base=server.base_url)
    await runtime.engine.new_session()
    return runtime


async def record_calls(alpha: Path, beta: Path, server: ServerThread) -> None:
    """Project alpha: a session with m1 (plain, retry, fallback to m2, a failure, a cancel),
    a branch and a task; a second session with m2. Project beta: one call with m1."""
    (alpha / ".penguin").mkdir()
    (alpha / ".penguin" / "config.toml").write_text(
        '[model]\nfallback_models = ["m2"]\n', encoding="utf-8"
    )
    first = await session_of(alpha, server, "m1")
    try:
        for prompt in ("plain one", "retry please", "fallback please", "fail now"):
            await ask(first, prompt)
        await ask(first, "long reply", cancel=True)
        session = first.engine.session
        assert session is not None and first.checkpoints is not None
        mark = await first.checkpoints.create(session.id, CheckpointKind.MANUAL, "before")
        await first.checkpoints.branch_from(session.id, mark.id, "experiment")
        await ask(first, "plain on the branch")
        tools = first.engine.tools
        tools.context = dataclasses.replace(tools.context, running_task="T1")
        await ask(first, "plain for the task")
        tools.context = dataclasses.replace(tools.context, running_task=None)
        await first.checkpoints.switch(session.id, "main")
        await ask(first, "plain back on main")
    finally:
        await first.close()
    second = await session_of(alpha, server, "m2")
    try:
        await ask(second, "plain from m2")
        await ask(second, "something")
    finally:
        await second.close()
    other = await session_of(beta, server, "m1")
    try:
        await ask(other, "plain elsewhere")
    finally:
        await other.close()


@pytest.fixture
def projects(tmp_path: Path, penguin_home: Path, server: ServerThread) -> tuple[Path, Path]:
    with (penguin_home / "config.toml").open("a", encoding="utf-8") as config:
        config.write(PRICES)
    alpha, beta = tmp_path / "alpha", tmp_path / "beta"
    for folder in (alpha, beta):
        folder.mkdir()
        (folder / "main.py").write_text("print('hi')\n", encoding="utf-8")
    asyncio.run(record_calls(alpha, beta, server))
    return alpha, beta


def stored_rows(penguin_home: Path) -> list[dict[str, Any]]:
    """Every usage row with its project's folder, read with sqlite3 (not the store)."""
    (database,) = penguin_home.rglob("*.db")
    with sqlite3.connect(database) as db:
        db.row_factory = sqlite3.Row
        rows = db.execute(
            "SELECT u.*, p.root AS project FROM usage u JOIN sessions s ON s.id = u.session_id"
            " JOIN projects p ON p.id = s.project_id ORDER BY u.id"
        ).fetchall()
    return [dict(row) for row in rows]


def usage_json(capsys: Captured, *args: str) -> list[dict[str, Any]]:
    code = main(["usage", *args, "--json"])
    out, err = capsys.readouterr()
    assert code == 0, err
    groups: list[dict[str, Any]] = json.loads(out)
    return groups


def median(values: list[float]) -> float | None:
    return statistics.median(values) if values else None


def quantile_95(values: list[float]) -> float | None:
    if not values:
        return None
    if len(values) == 1:
        return values[0]
    return statistics.quantiles(values, n=100, method="inclusive")[94]


def expected(rows: list[dict[str, Any]], names: tuple[str, ...]) -> dict[tuple[Any, ...], Any]:
    """The groups of ``rows`` by the columns ``names``, summed here."""
    grouped: dict[tuple[Any, ...], list[dict[str, Any]]] = {}
    for row in rows:
        grouped.setdefault(tuple(row[name] for name in names), []).append(row)
    sums = {}
    for key, members in grouped.items():
        priced = [r["cost_usd"] for r in members if r["cost_usd"] is not None]
        ttfts = [r["ttft_ms"] for r in members if r["ttft_ms"] is not None]
        speeds = [
            r["output_tokens"] / ((r["duration_ms"] - r["ttft_ms"]) / 1000)
            for r in members
            if r["ttft_ms"] is not None
            and r["output_tokens"] > 0
            and r["duration_ms"] > r["ttft_ms"]
        ]
        failed = sum(1 for r in members if r["outcome"] == "failed")
        sums[key] = {
            "calls": len(members),
            "input_tokens": sum(r["input_tokens"] for r in members),
            "output_tokens": sum(r["output_tokens"] for r in members),
            "cache_read_tokens": sum(r["cache_read_tokens"] for r in members),
            "cache_write_tokens": sum(r["cache_write_tokens"] for r in members),
            "reasoning_tokens": sum(r["reasoning_tokens"] for r in members),
            "cost_usd": math.fsum(priced) if priced else None,
            "unpriced_calls": len(members) - len(priced),
            "failed_calls": failed,
            "failure_rate": failed / len(members),
            "ttft_p50_ms": median(ttfts),
            "ttft_p95_ms": quantile_95(ttfts),
            "tokens_per_s_p50": median(speeds),
        }
    return sums


KEYS = {
    "model": ("model",),
    "provider": ("provider",),
    "session": ("session_id",),
    "branch": ("session_id", "branch"),
    "task": ("project", "task_id"),
}


def assert_groups_match(
    groups: list[dict[str, Any]], sums: dict[tuple[Any, ...], Any], names: tuple[str, ...]
) -> None:
    got = {tuple(g[name] for name in names): g for g in groups}
    assert set(got) == set(sums)
    for key, want in sums.items():
        for field, value in want.items():
            assert got[key][field] == pytest.approx(value, rel=1e-12, abs=1e-12), (key, field)


def test_every_grouping_equals_the_sums_of_the_calls_it_covers(
    capsys: Captured, projects: tuple[Path, Path], penguin_home: Path
) -> None:
    alpha, _ = projects
    rows = [r for r in stored_rows(penguin_home) if r["project"] == str(alpha.resolve())]
    for by, names in KEYS.items():
        groups = usage_json(capsys, "-C", str(alpha), "--by", by)
        assert_groups_match(groups, expected(rows, names), names)
    for row in rows:
        row["day"] = datetime.fromtimestamp(row["created_at"]).date().isoformat()
    days = usage_json(capsys, "-C", str(alpha), "--by", "day")
    assert_groups_match(days, expected(rows, ("day",)), ("day",))
    assert usage_json(capsys, "-C", str(alpha)) == usage_json(
        capsys, "-C", str(alpha), "--by", "model"
    )


def test_each_call_records_the_model_that_answered_its_provider_and_outcome(
    projects: tuple[Path, Path], penguin_home: Path
) -> None:
    alpha, _ = projects
    rows = [r for r in stored_rows(penguin_home) if r["project"] == str(alpha.resolve())]
    first_session = rows[0]["session_id"]
    trail = [
        (r["model"], r["outcome"], r["branch"], r["task_id"])
        for r in rows
        if r["session_id"] == first_session
    ]
    assert trail == [
        ("m1", "ok", "main", None),
        ("m1", "retried", "main", None),
        ("m2", "fell back", "main", None),
        ("m1", "failed", "main", None),
        ("m1", "interrupted", "main", None),
        ("m1", "ok", "experiment", None),
        ("m1", "ok", "experiment", "T1"),
        ("m1", "ok", "main", None),
    ]
    assert {r["provider"] for r in rows} == {"openai-compatible"}
    failed = next(r for r in rows if r["outcome"] == "failed")
    assert (failed["input_tokens"], failed["output_tokens"], failed["cost_usd"]) == (0, 0, 0.0)
    assert failed["ttft_ms"] is None
    answered = [r for r in rows if r["outcome"] != "failed"]
    assert all(r["ttft_ms"] is not None and r["duration_ms"] >= r["ttft_ms"] for r in answered)


def test_by_branch_groups_each_session_and_branch_and_by_task_names_the_task(
    capsys: Captured, projects: tuple[Path, Path]
) -> None:
    alpha, _ = projects
    branches = usage_json(capsys, "-C", str(alpha), "--by", "branch")
    pairs = [(g["session_id"], g["branch"]) for g in branches]
    sessions = {session for session, _ in pairs}
    assert len(sessions) == 2
    assert sorted(branch for _, branch in pairs) == ["experiment", "main", "main"]
    tasks = usage_json(capsys, "-C", str(alpha), "--by", "task")
    assert [(g["task_id"], g["calls"]) for g in tasks] == [("T1", 1), (None, 9)]
    models = usage_json(capsys, "-C", str(alpha), "--by", "model")
    m1 = next(g for g in models if g["model"] == "m1")
    assert m1["failed_calls"] == 1 and m1["outcomes"]["retried"] == 1


def test_all_covers_every_project_and_since_leaves_out_older_calls(
    capsys: Captured, projects: tuple[Path, Path], penguin_home: Path
) -> None:
    alpha, beta = projects
    rows = stored_rows(penguin_home)
    every = usage_json(capsys, "--all", "--by", "session")
    assert sum(g["calls"] for g in every) == len(rows)
    assert len(every) == 3
    only_beta = usage_json(capsys, "-C", str(beta))
    assert [(g["model"], g["calls"]) for g in only_beta] == [("m1", 1)]
    tomorrow = (date.today() + timedelta(days=1)).isoformat()
    assert usage_json(capsys, "--all", "--since", tomorrow) == []
    today = date.today().isoformat()
    assert sum(g["calls"] for g in usage_json(capsys, "--all", "--since", today)) == len(rows)
    # A call made before the day starts is left out: move one row to yesterday.
    (database,) = penguin_home.rglob("*.db")
    with sqlite3.connect(database) as db:
        db.execute("UPDATE usage SET created_at = ? WHERE id = 1", (time.time() - 2 * 86400,))
    assert sum(g["calls"] for g in usage_json(capsys, "--all", "--since", today)) == len(rows) - 1


def test_the_text_table_is_aligned_and_a_bad_date_is_one_line(
    capsys: Captured, projects: tuple[Path, Path]
) -> None:
    alpha, _ = projects
    assert main(["usage", "-C", str(alpha)]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].split()[:3] == ["MODEL", "CALLS", "IN"]
    assert [line.split()[0] for line in lines[1:]] == ["m1", "m2"]
    assert len({len(line) for line in lines}) == 1
    assert main(["usage", "-C", str(alpha), "--since", "yesterday"]) == 2
    err = capsys.readouterr().err
    assert "--since" in err and err.count("\n") == 1


def test_usage_does_not_import_litellm(project: Path) -> None:
    probe = (
        "import sys\n"
        "from penguin_tui.cli.main import main\n"
        f"main(['usage', '--by', 'branch', '--json', '-C', {str(project)!r}])\n"
        "print('litellm' in sys.modules, 'penguin_tui.engine.chat' in sys.modules)\n"
    )
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    assert done.stdout.splitlines() == ["[]", "False False"]
