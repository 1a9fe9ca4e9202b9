"""The chat keeps following the newest text when a finished tool call opens on its diff."""

from __future__ import annotations

from textual.app import App, ComposeResult
from textual.widgets import Static

from penguin_tui.app.widgets.chat import ChatView
from penguin_tui.app.widgets.tool_call import ToolCallView

DIFF = """diff --git a/stats.py b/stats.py
--- a/stats.py
+++ b/stats.py
@@ -1,2 +1,3 @@
 def mean(values):
     return sum(values) / len(values)
+# more
"""


class ChatApp(App[None]):
    def compose(self) -> ComposeResult:
        yield ChatView()


async def test_a_tool_call_opening_on_its_diff_does_not_stop_the_chat_following() -> None:
    """The call's diff opens as the reply goes on below it: the reply stays in view.

    A collapsible scrolls itself into view when it opens; in the chat that scroll moved the
    view up to the call and let go of the bottom, so the rest of the reply came in unseen.
    """
    app = ChatApp()
    async with app.run_test(size=(80, 24)) as pilot:
        chat = app.query_one(ChatView)
        await chat.mount_all([Static(f"line {index}") for index in range(40)])
        call = ToolCallView("c1", "edit_file", '{"path": "stats.py"}')
        await chat.mount(call)
        await pilot.pause()
        call.finished("ok", "edit stats.py: +1 -0", 5.0, "", DIFF)
        await chat.mount_all([Static(f"after {index}") for index in range(30)])
        await pilot.pause()
        await pilot.pause()
        await chat.mount(Static("the last words"))
        await pilot.pause()
        await pilot.pause()
        assert chat.scroll_y == chat.max_scroll_y
        assert not call.collapsed
