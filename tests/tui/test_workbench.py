"""What keys do on the workbench: send, stream, cancel, resume, history, new session."""

from __future__ import annotations

from pathlib import Path

from textual import events

from penguin_tui.app.widgets.chat import ChatView, UserMessage
from penguin_tui.app.widgets.prompt import PromptInput
from penguin_tui.app.widgets.usage import UsagePane
from penguin_tui.testing import ServerThread, run_in_thread
from tests.conftest import script
from tests.tui.helpers import (
    make_app,
    replies,
    screen_text,
    send,
    type_text,
    wait_for,
    wait_ready,
    wait_reply_done,
)

SLOW_SCRIPT = """
model = "m1"
rate = 40
[[turns]]
text = "{words}"
"""


async def test_typed_prompt_streams_a_reply_and_counts_usage(
    server: ServerThread, project: Path
) -> None:
    app = make_app(project, server.base_url)
    async with app.run_test(size=(120, 36)) as pilot:
        await wait_ready(pilot)
        await send(pilot, "hello there")
        reply = await wait_reply_done(pilot)
        assert reply.status == "complete"
        assert reply.text == "Hello **there**, this is the scripted reply."
        assert reply.reasoning == "Thinking about it."
        users = list(app.screen.query(UserMessage))
        assert [u.text for u in users] == ["hello there"]
        tally = app.screen.query_one(UsagePane).tally
        await wait_for(pilot, lambda: tally.session_calls == 1, what="usage to be recorded")
        assert tally.reply_out > 0 and tally.session_in > 0
        assert tally.session_money() == "n/a"
        assert tally.ttft_ms is not None
        assert app.screen.query_one(PromptInput).text == ""


async def test_usage_counts_while_the_reply_streams(project: Path) -> None:
    words = " ".join(f"word{i}" for i in range(120))
    with run_in_thread(script(SLOW_SCRIPT.format(words=words))) as slow:
        app = make_app(project, slow.base_url)
        async with app.run_test(size=(120, 36)) as pilot:
            await wait_ready(pilot)
            await send(pilot, "go")
            tally = app.tally
            await wait_for(pilot, lambda: tally.reply_out >= 10, what="tokens to stream")
            assert tally.reply_streaming
            assert tally.session_calls == 0
            await wait_for(pilot, lambda: (tally.rate() or 0) > 0, what="a speed figure")
            assert 10 < (tally.rate() or 0) < 200
            await pilot.press("escape")
            await wait_reply_done(pilot)


async def test_escape_cancels_and_keeps_the_partial_reply(project: Path) -> None:
    words = " ".join(f"word{i}" for i in range(400))
    with run_in_thread(script(SLOW_SCRIPT.format(words=words))) as slow:
        app = make_app(project, slow.base_url)
        async with app.run_test(size=(120, 36)) as pilot:
            await wait_ready(pilot)
            await send(pilot, "go")
            await wait_for(pilot, lambda: len(replies(app)) == 1 and len(replies(app)[0].text) > 30)
            await pilot.press("escape")
            reply = await wait_reply_done(pilot)
            assert reply.status == "interrupted"
            assert reply.text.startswith("word0 word1")
            assert len(reply.text) < len(words)
            assert app.runtime is not None
            stored = await app.runtime.store.get_message(reply.message_id)
            assert stored.status.value == "interrupted"
            assert stored.content == reply.text
            assert not app.runtime.engine.busy


async def test_quit_and_relaunch_resumes_the_session(server: ServerThread, project: Path) -> None:
    app = make_app(project, server.base_url)
    async with app.run_test(size=(120, 36)) as pilot:
        await wait_ready(pilot)
        await send(pilot, "remember me")
        await wait_reply_done(pilot)
        assert app.runtime is not None and app.runtime.engine.session is not None
        first_session = app.runtime.engine.session.id
        await pilot.press("ctrl+q")
    assert app.return_code == 0

    again = make_app(project, server.base_url)
    async with again.run_test(size=(120, 36)) as pilot:
        await wait_ready(pilot)
        assert again.runtime is not None and again.runtime.engine.session is not None
        assert again.runtime.engine.session.id == first_session
        assert [u.text for u in again.screen.query(UserMessage)] == ["remember me"]
        assert replies(again)[0].text.startswith("Hello **there**")
        assert again.tally.session_calls == 1


async def test_new_session_then_resume_the_old_one_from_the_list(
    server: ServerThread, project: Path
) -> None:
    app = make_app(project, server.base_url)
    async with app.run_test(size=(120, 36)) as pilot:
        await wait_ready(pilot)
        await send(pilot, "old chat")
        await wait_reply_done(pilot)
        assert app.runtime is not None and app.runtime.engine.session is not None
        old = app.runtime.engine.session.id
        await pilot.press("ctrl+n")
        await wait_for(pilot, lambda: not replies(app), what="an empty chat")
        assert app.runtime.engine.session.id != old
        await pilot.press("ctrl+r")
        await wait_for(pilot, lambda: app.screen.__class__.__name__ == "SessionPicker")
        # Newest first: the new empty session, then the old one.
        await pilot.press("down", "enter")
        await wait_for(pilot, lambda: len(replies(app)) == 1, what="the old chat")
        assert app.runtime.engine.session.id == old
        assert [u.text for u in app.screen.query(UserMessage)] == ["old chat"]


async def test_prompt_history_and_newline_key(server: ServerThread, project: Path) -> None:
    app = make_app(project, server.base_url)
    async with app.run_test(size=(120, 36)) as pilot:
        await wait_ready(pilot)
        await send(pilot, "first")
        await wait_reply_done(pilot)
        prompt = app.screen.query_one(PromptInput)
        await pilot.press("a", "ctrl+j", "b")
        assert prompt.text == "a\nb"
        prompt.clear()
        await pilot.press("up")
        assert prompt.text == "first"
        await pilot.press("down")
        assert prompt.text == ""


async def test_keys_typed_faster_than_the_prompt_draws_are_sent_whole_and_in_order(
    server: ServerThread, project: Path
) -> None:
    """A script (or a fast typist) sends characters, a new line and Enter in one burst: the
    prompt sent holds every character, in the order typed."""
    app = make_app(project, server.base_url)
    async with app.run_test(size=(120, 36)) as pilot:
        await wait_ready(pilot)
        await pilot.click("#prompt")
        burst = ["h", "i", "ctrl+j", "y", "o", "u", "enter"]
        for key in burst:  # all queued at once, as a terminal delivers a burst
            app.post_message(events.Key(key, None if len(key) > 1 else key))
        await wait_reply_done(pilot)
        assert [u.text for u in app.screen.query(UserMessage)] == ["hi\nyou"]
        assert app.screen.query_one(PromptInput).text == ""


async def test_the_prompt_keys_can_be_remapped(server: ServerThread, project: Path) -> None:
    """The prompt's send and new-line keys are bindings with ids, remapped like any other:
    after the move enter is the text area's own new line, and ctrl+s sends."""
    app = make_app(project, server.base_url)
    async with app.run_test(size=(120, 36)) as pilot:
        await wait_ready(pilot)
        app.set_keymap({"prompt.send": "ctrl+s", "prompt.new_line": "ctrl+o"})
        prompt = app.screen.query_one(PromptInput)
        await pilot.click("#prompt")
        await pilot.press("a", "enter", "b", "ctrl+o", "c")
        assert prompt.text == "a\nb\nc"
        await pilot.press("ctrl+s")
        await wait_reply_done(pilot)
        assert [u.text for u in app.screen.query(UserMessage)] == ["a\nb\nc"]


async def test_errors_are_notifications_not_tracebacks(project: Path) -> None:
    app = make_app(project, "http://127.0.0.1:9/v1")
    async with app.run_test(size=(120, 36)) as pilot:
        await wait_ready(pilot)
        await send(pilot, "anyone there?")
        await wait_for(
            pilot,
            lambda: any("cannot reach" in str(n.message) for n in app._notifications),
            within=30,
            what="a notification",
        )
        assert app.is_running
        assert [u.text for u in app.screen.query(UserMessage)] == ["anyone there?"]


async def test_damaged_database_is_a_notification_and_nothing_is_lost(
    project: Path, penguin_home: Path
) -> None:
    database = penguin_home / "penguin.db"
    database.write_bytes(b"not a database" * 50)
    app = make_app(project, "http://127.0.0.1:9/v1")
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_ready(pilot)
        messages = [str(n.message) for n in app._notifications]
        assert any("damaged" in m and "PENGUIN_HOME" in m for m in messages)
        assert app.screen.query_one(PromptInput).disabled
        await pilot.press("ctrl+q")
    assert app.return_code == 0
    assert database.read_bytes() == b"not a database" * 50


async def test_keys_can_be_remapped_from_config(
    server: ServerThread, project: Path, penguin_home: Path
) -> None:
    config = penguin_home / "config.toml"
    config.write_text(config.read_text() + '\n[ui.keys]\n"session.new" = "f9"\n')
    app = make_app(project, server.base_url)
    async with app.run_test(size=(120, 36)) as pilot:
        await wait_ready(pilot)
        assert app.runtime is not None and app.runtime.engine.session is not None
        first = app.runtime.engine.session.id
        await pilot.press("f9")
        await wait_for(
            pilot,
            lambda: (
                app.runtime is not None
                and app.runtime.engine.session is not None
                and app.runtime.engine.session.id != first
            ),
            what="a new session",
        )


async def test_ctrl_t_switches_between_the_dark_and_light_themes(
    server: ServerThread, project: Path
) -> None:
    app = make_app(project, server.base_url)
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_ready(pilot)
        assert app.theme == "penguin-dark"
        await pilot.press("ctrl+t")
        assert app.theme == "penguin-light"
        await pilot.press("ctrl+t")
        assert app.theme == "penguin-dark"


async def test_f5_maximises_the_chat_and_escape_restores(
    server: ServerThread, project: Path
) -> None:
    app = make_app(project, server.base_url)
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_ready(pilot)
        await pilot.press("f5")
        assert app.screen.maximized is not None
        assert app.screen.maximized.id == "chat"
        await pilot.press("escape")
        assert app.screen.maximized is None
        await pilot.press("f4", "f5")
        assert app.screen.maximized is not None and app.screen.maximized.id == "usage"
        await pilot.press("f5")
        assert app.screen.maximized is None


async def test_command_palette_runs_workbench_actions(server: ServerThread, project: Path) -> None:
    app = make_app(project, server.base_url)
    async with app.run_test(size=(120, 36)) as pilot:
        await wait_ready(pilot)
        await pilot.press("ctrl+p")
        for character in "toggle theme":
            await pilot.press("space" if character == " " else character)
        await pilot.pause(0.5)
        await pilot.press("enter")
        await wait_for(pilot, lambda: app.theme == "penguin-light", what="the light theme")


async def test_a_long_reply_is_cut_into_finished_blocks(project: Path) -> None:
    # About 32,000 characters: well over three ~6,000-character blocks, however deltas merge.
    paragraphs = "\n\n".join(" ".join(f"w{p}x{i}" for i in range(60)) for p in range(80))
    long_script = 'model = "m1"\nrate = 2000\n[[turns]]\ntext = """' + paragraphs + '"""\n'
    with run_in_thread(script(long_script)) as fast:
        app = make_app(project, fast.base_url)
        async with app.run_test(size=(120, 36)) as pilot:
            await wait_ready(pilot)
            await send(pilot, "long please")
            reply = await wait_reply_done(pilot)
            assert reply.text == paragraphs
            blocks = [child for child in reply.children if child.__class__.__name__ == "Static"]
            assert len(blocks) >= 3  # cut at paragraph ends every ~6,000 characters


async def test_typing_after_f5_and_back_lands_in_the_prompt(
    server: ServerThread, project: Path
) -> None:
    app = make_app(project, server.base_url)
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_ready(pilot)
        prompt = app.workbench.query_one(PromptInput)
        for back in ("f5", "escape"):
            await pilot.press("f5")
            assert app.screen.maximized is not None
            await pilot.press(back)
            assert app.screen.maximized is None
            await type_text(pilot, "hi")
            assert prompt.text == "hi"
            prompt.clear()
        await type_text(pilot, "after the chat")
        await pilot.press("enter")
        await wait_reply_done(pilot)
        assert [u.text for u in app.screen.query(UserMessage)] == ["after the chat"]


async def test_typing_on_the_chat_goes_to_the_prompt(server: ServerThread, project: Path) -> None:
    app = make_app(project, server.base_url)
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_ready(pilot)
        await pilot.press("f3")
        assert isinstance(app.focused, ChatView)
        await type_text(pilot, "typed on the chat")
        assert app.workbench.query_one(PromptInput).text == "typed on the chat"
        await pilot.press("f3", "f5")
        assert app.screen.maximized is not None
        await pilot.press("x")  # the maximised chat steps back for the prompt
        assert app.screen.maximized is None
        assert app.workbench.query_one(PromptInput).text == "typed on the chatx"
        await pilot.press("f3", "enter")  # enter on the chat goes back to the prompt
        assert isinstance(app.focused, PromptInput)
        assert app.workbench.query_one(PromptInput).text == "typed on the chatx"


LONG_FIRST_REPLY = """
model = "m1"
rate = 0
[[turns]]
text = "{long}"
[[turns]]
text = "The second reply, at the bottom."
"""


async def test_sending_while_scrolled_up_brings_the_prompt_and_the_reply_into_view(
    project: Path,
) -> None:
    long = "\\n\\n".join(f"Paragraph {i} of a long answer." for i in range(60))
    with run_in_thread(script(LONG_FIRST_REPLY.format(long=long))) as server:
        app = make_app(project, server.base_url)
        async with app.run_test(size=(80, 24)) as pilot:
            await wait_ready(pilot)
            await send(pilot, "first")
            await wait_reply_done(pilot)
            chat = app.workbench.query_one(ChatView)
            await pilot.press("pageup", "pageup")
            await wait_for(pilot, lambda: chat.scroll_y < chat.max_scroll_y - 10, what="scrolled")
            await send(pilot, "second")
            reply = await wait_reply_done(pilot, count=2)
            await wait_for(
                pilot, lambda: chat.scroll_y == chat.max_scroll_y, what="the chat at the bottom"
            )
            await pilot.pause(0.1)
            assert chat.scroll_y == chat.max_scroll_y
            assert chat.is_anchored
            assert chat.scrollable_content_region.contains_region(reply.region)
            # The prompt that was sent is in view too (it sits just above its reply).
            sent = list(app.screen.query(UserMessage))[-1]
            assert sent.region.height > 0
            assert chat.scrollable_content_region.overlaps(sent.region)


async def test_the_no_model_notification_shows_the_config_section_it_names(
    project: Path,
) -> None:
    app = make_app(project, None, model=None)
    async with app.run_test(size=(120, 36), notifications=True) as pilot:
        await wait_ready(pilot)
        # The setup screen opens first (tests/tui/test_setup_screen.py); escape closes it.
        await wait_for(pilot, lambda: app.screen is not app.workbench, what="the setup screen")
        await pilot.press("escape")
        await send(pilot, "hello?")
        await wait_for(
            pilot, lambda: "no model is set" in screen_text(app), what="the notification"
        )
        shown = " ".join(screen_text(app).split())
        assert "[model] name = ..." in shown
