"""Resuming a long session draws its last messages at once and older ones as the user goes up."""

from __future__ import annotations

from pathlib import Path

from penguin_tui.app.widgets.chat import AssistantMessage, ChatView, UserMessage
from penguin_tui.app.widgets.chat_history import TAIL_ENTRIES, HistoryBlock, OlderMessages
from penguin_tui.config.paths import data_paths
from penguin_tui.store import MessageStatus, Role, Store
from penguin_tui.testing import ServerThread
from tests.tui.helpers import make_app, screen_text, wait_for, wait_ready

TURNS = 150
LAST_REPLY = "That is all for now: **the end** of the session."
TABLE_REPLY = "Here it is:\n\n| input | after |\n|---|---|\n| `empty` | `[]` |\n\n- one point\n"


async def build_session(project: Path, turns: int) -> None:
    """A stored session of ``turns`` question/answer pairs for ``project``."""
    paths = data_paths()
    store = await Store.open(paths.database)
    try:
        found = await store.ensure_project(project)
        session = await store.create_session(found.id, "openai/m1")
        parent = None
        for i in range(turns):
            question = f"Question {i}: how should `parse_{i}` handle an empty input?"
            user = await store.add_message(
                session.id, parent, Role.USER, question, MessageStatus.COMPLETE
            )
            answer = LAST_REPLY if i == turns - 1 else (TABLE_REPLY if i % 3 else f"Answer {i}.")
            reply = await store.add_message(
                session.id, user.id, Role.ASSISTANT, answer, MessageStatus.COMPLETE, model="m1"
            )
            parent = reply.id
    finally:
        await store.close()


def drawn_messages(chat: ChatView) -> int:
    return len(chat.query(UserMessage)) + len(chat.query(AssistantMessage))


async def test_resuming_a_long_session_draws_only_its_last_messages(
    server: ServerThread, project: Path
) -> None:
    await build_session(project, TURNS)
    app = make_app(project, server.base_url)
    async with app.run_test(size=(120, 36)) as pilot:
        await wait_ready(pilot)
        chat = app.workbench.query_one(ChatView)
        await wait_for(pilot, lambda: drawn_messages(chat) > 0, what="the resumed chat")
        assert drawn_messages(chat) == TAIL_ENTRIES
        assert len(chat.children) <= TAIL_ENTRIES + 2
        label = chat.query_one(OlderMessages)
        assert f"{2 * TURNS - TAIL_ENTRIES} earlier messages" in str(label.render())
        # The newest reply is on screen, drawn as Markdown like a live one.
        await wait_for(pilot, lambda: "the end of the session" in screen_text(app))
        assert "**" not in screen_text(app)


async def test_home_brings_the_first_message_of_a_long_session_into_view(
    server: ServerThread, project: Path
) -> None:
    await build_session(project, TURNS)
    app = make_app(project, server.base_url)
    async with app.run_test(size=(120, 36)) as pilot:
        await wait_ready(pilot)
        chat = app.workbench.query_one(ChatView)
        await wait_for(pilot, lambda: drawn_messages(chat) > 0, what="the resumed chat")
        assert drawn_messages(chat) == TAIL_ENTRIES
        chat.focus()
        await pilot.press("home")
        await wait_for(pilot, lambda: "Question 0: how should parse_0" in screen_text(app))
        assert not chat.query(OlderMessages)
        history = chat.query_one(HistoryBlock)
        assert len(history.entries) == 2 * TURNS - TAIL_ENTRIES
        # An older reply reads as Markdown: its table and list drawn, not their marks.
        assert "• one point" in screen_text(app)
        assert "|---|" not in screen_text(app)


async def test_page_up_walks_back_to_the_first_message_keeping_the_view_still(
    server: ServerThread, project: Path
) -> None:
    await build_session(project, 60)
    app = make_app(project, server.base_url)
    async with app.run_test(size=(120, 36)) as pilot:
        await wait_ready(pilot)
        chat = app.workbench.query_one(ChatView)
        await wait_for(pilot, lambda: drawn_messages(chat) > 0, what="the resumed chat")
        chat.focus()
        seen: list[int] = []
        for _ in range(200):
            if "Question 0:" in screen_text(app):
                break
            await pilot.press("pageup")
            await pilot.pause(0.02)
            seen.append(int(chat.scroll_y))
        assert "Question 0: how should parse_0" in screen_text(app)
        assert not chat.query(OlderMessages)
        # Pages coming in above did not throw the view to the top on the way.
        assert seen.count(0) <= 2, seen
