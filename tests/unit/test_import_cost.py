"""What importing the bus's events and the store's records costs: only what they need, built on
first use, with the same JSON as when everything was built at import."""

from __future__ import annotations

import subprocess
import sys

from penguin_tui.bus import (
    ApprovalAnswered,
    ApprovalRequested,
    CheckpointCreated,
    CheckpointFailed,
    CheckpointRestored,
    ContextCompacted,
    ErrorOccurred,
    Event,
    MessageCompleted,
    MessageDelta,
    MessageStarted,
    ModelSwitched,
    ReasoningDelta,
    Retrying,
    SessionStarted,
    SnapshotProgress,
    ToolCallFinished,
    ToolCallStarted,
    UsageRecorded,
    parse_event,
)


def _run(code: str) -> list[str]:
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=60
    )
    return result.stdout.splitlines()


def test_the_store_records_are_read_without_loading_the_database_layer() -> None:
    lines = _run(
        "import sys\n"
        "import penguin_tui.store.models\n"
        "from penguin_tui.store import MessageStatus, Role\n"
        "print(sorted(m for m in ('aiosqlite', 'penguin_tui.store.store') if m in sys.modules))"
    )
    assert lines == ["[]"]


def test_the_store_is_still_one_import_away() -> None:
    lines = _run(
        "from penguin_tui.store import Store\n"
        "import penguin_tui.store.store as module\n"
        "print(Store is module.Store)"
    )
    assert lines == ["True"]


def test_importing_the_events_builds_no_event_and_leaves_the_bus_unloaded() -> None:
    lines = _run(
        "import sys\n"
        "import penguin_tui.bus.events as events\n"
        "kinds = [k for k in vars(events).values()\n"
        "         if isinstance(k, type) and issubclass(k, events.Event)]\n"
        "print(sorted(k.__name__ for k in kinds if k.__pydantic_complete__))\n"
        "print('penguin_tui.bus.bus' in sys.modules)\n"
        "event = events.SessionStarted(session_id='s1', project='/p', ts=1.5)\n"
        "print(event.to_json())\n"
        "print(events.parse_event(event.to_json()) == event)"
    )
    assert lines == [
        "[]",
        "False",
        '{"type":"session.started","session_id":"s1","seq":0,"ts":1.5,"project":"/p",'
        '"model":null,"resumed":false}',
        "True",
    ]


def _one_of_each() -> list[Event]:
    s = "s1"
    return [
        SessionStarted(session_id=s, project="/p", model="m1", resumed=True),
        MessageStarted(session_id=s, message_id="m", model="m1", estimated_input_tokens=9),
        MessageDelta(session_id=s, message_id="m", text="hé\n", tokens=2),
        ReasoningDelta(session_id=s, message_id="m", text="because"),
        MessageCompleted(
            session_id=s, message_id="m", parent_id=None, role="assistant", text="t", status="ok"
        ),
        UsageRecorded(
            session_id=s,
            message_id="m",
            model="m1",
            input_tokens=1,
            output_tokens=2,
            cost_usd=0.25,
            cost_source="config",
            ttft_ms=None,
            duration_ms=3.0,
        ),
        Retrying(session_id=s, attempt=2, delay_s=0.5, reason="429", model="m1"),
        ToolCallStarted(session_id=s, message_id="m", call_id="c", tool="t", args="{}"),
        ToolCallFinished.model_validate(
            {"session_id": s, "call_id": "c", "tool": "t", "status": "ok", "summary": "done"}
        ),
        ApprovalRequested(
            session_id=s, request_id="r", call_id="c", tool="t", args="{}", detail="d", reason="x"
        ),
        ApprovalAnswered(session_id=s, request_id="r", call_id="c", allowed=False, scope="once"),
        ModelSwitched(session_id=s, from_model="a", to_model="b", reason="down"),
        ContextCompacted(
            session_id=s,
            message_id="m",
            messages=4,
            tokens_before=900,
            tokens_after=100,
            reason="full",
        ),
        CheckpointCreated(session_id=s, checkpoint_id="k", branch="main", kind="auto"),
        CheckpointRestored(
            session_id=s, action="revert", checkpoint_id="k", branch="main", mode="both"
        ),
        CheckpointFailed(
            session_id=s, trigger="turn", label="l", reason="disk", message="no space"
        ),
        SnapshotProgress(session_id=s, text="3 of 9 files"),
        ErrorOccurred(session_id=s, message="boom"),
    ]


def test_every_event_reads_back_as_it_was_written() -> None:
    for event in _one_of_each():
        line = event.to_json()
        back = parse_event(line)
        assert back == event
        assert back.to_json() == line
