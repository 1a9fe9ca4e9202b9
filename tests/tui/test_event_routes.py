"""Engine events reach the panes and controllers that own what they change: each owner marks
its handlers with ``@handles``, the event classes come from the handler's annotation, and the
table in docs/events.md says who handles what."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from penguin_tui.app.event_routes import EventRoutes, RouteError, handles
from penguin_tui.bus import CheckpointCreated, MessageDelta, ReasoningDelta, SnapshotProgress
from penguin_tui.testing import ServerThread
from tests.tui.helpers import make_app, wait_ready

DOCS = Path(__file__).parents[2] / "docs" / "events.md"


class Chat:
    """An owner with a plain handler and a coroutine handler of a union."""

    def __init__(self, seen: list[str]) -> None:
        self.seen = seen

    @handles
    async def text_arrived(self, event: MessageDelta | ReasoningDelta) -> None:
        self.seen.append(f"chat {event.text}")

    @handles
    def checkpoint_created(self, event: CheckpointCreated) -> None:
        self.seen.append(f"chat {event.checkpoint_id}")


class Browser:
    """A second owner of one of the same events."""

    def __init__(self, seen: list[str]) -> None:
        self.seen = seen

    @handles
    def checkpoint_created(self, event: CheckpointCreated) -> None:
        self.seen.append(f"browser {event.checkpoint_id}")


class Unmarked:
    @handles
    def no_event(self, text: str) -> None: ...


def created(checkpoint_id: str) -> CheckpointCreated:
    return CheckpointCreated(
        session_id="s",
        checkpoint_id=checkpoint_id,
        branch="main",
        kind="auto",
        label="",
        files_changed=0,
        lines_added=0,
        lines_removed=0,
    )


async def test_each_event_goes_to_its_handlers_in_the_order_the_owners_were_added() -> None:
    seen: list[str] = []
    routes = EventRoutes()
    routes.add(Chat(seen))
    routes.add(Browser(seen))
    await routes.deliver(MessageDelta(session_id="s", message_id="m", text="hel"))
    await routes.deliver(ReasoningDelta(session_id="s", message_id="m", text="think"))
    await routes.deliver(created("c1"))
    await routes.deliver(SnapshotProgress(session_id="s", text="snapshotting"))  # nobody's
    assert seen == ["chat hel", "chat think", "chat c1", "browser c1"]


def test_a_handler_must_name_the_events_it_takes() -> None:
    with pytest.raises(RouteError, match="no_event"):
        EventRoutes().add(Unmarked())


def documented_handlers() -> dict[str, set[str]]:
    """The table in docs/events.md: each event type and the owners it names."""
    text = DOCS.read_text().split("## In the workbench", 1)[1].split("\n## ", 1)[0]
    table: dict[str, set[str]] = {}
    for line in text.splitlines():
        row = re.match(r"\| `([a-z.]+)` \| (.+) \|$", line)
        if row and row[1] != "type":  # the header
            table[row[1]] = set(re.findall(r"`(\w+)`:", row[2]))
    return table


async def test_the_docs_say_which_pane_handles_each_event(
    server: ServerThread, project: Path
) -> None:
    """Every event the workbench handles has its line in docs/events.md, naming exactly the
    panes and controllers that handle it."""
    app = make_app(project, server.base_url)
    async with app.run_test(size=(120, 36)) as pilot:
        await wait_ready(pilot)
        handled = {
            event_class.model_fields["type"].default: {
                type(getattr(handler, "__self__", None)).__name__
                for handler in app.routes.handlers(event_class)
            }
            for event_class in app.routes.event_classes
        }
    assert handled == documented_handlers()
