"""How the workbench looks, at 80x24 and 160x48, and the approval question over it at 80x24 and
60x20, in the dark and the light theme."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from pathlib import Path

import pytest
from textual.pilot import Pilot

from penguin_tui.app.screens.approval import ApprovalScreen
from penguin_tui.app.widgets.prompt import PromptInput
from penguin_tui.store import MessageStatus, Role, Store, UsageRecord
from tests.tui.helpers import make_app, wait_ready

REPLY = """## Retry policy

Calls that fail **before the first token** are retried:

1. `429` waits for the server's `Retry-After`;
2. `5xx` and dropped connections back off with jitter;
3. then the next model in `fallback_models` is tried.

```python
delay = base * 2 ** (attempt - 1) * uniform(0.5, 1.0)
```

After the first token, the partial reply is kept and marked *interrupted*.
"""

PROJECT_CONFIG = """
[model.prices.m1]
input_per_mtok = 3.0
output_per_mtok = 15.0

[model.context_windows]
m1 = 200000
"""


def seed_session(project: Path, home: Path) -> None:
    """A finished exchange with known usage figures, written straight to the store."""

    async def seed() -> None:
        store = await Store.open(home / "penguin.db")
        proj = await store.ensure_project(project)
        session = await store.create_session(proj.id, "m1")
        user = await store.add_message(
            session.id,
            None,
            Role.USER,
            "How does penguin-tui retry a failed call?",
            MessageStatus.COMPLETE,
        )
        reply = await store.add_message(
            session.id, user.id, Role.ASSISTANT, "", MessageStatus.STREAMING, "m1"
        )
        await store.update_message(
            reply.id,
            REPLY,
            "The user asks about retries; list the three cases.",
            MessageStatus.COMPLETE,
        )
        await store.record_usage(
            UsageRecord(
                session_id=session.id,
                message_id=reply.id,
                model="m1",
                input_tokens=1234,
                output_tokens=456,
                cache_read_tokens=0,
                cache_write_tokens=0,
                reasoning_tokens=12,
                cost_usd=1234 * 3e-6 + 456 * 15e-6,
                cost_source="config",
                ttft_ms=420.0,
                duration_ms=2420.0,
            )
        )
        await store.close()

    (project / ".penguin").mkdir()
    (project / ".penguin" / "config.toml").write_text(PROJECT_CONFIG, encoding="utf-8")
    asyncio.run(seed())


async def settle(pilot: Pilot[int]) -> None:
    await wait_ready(pilot)
    prompt = pilot.app.screen.query_one(PromptInput)
    prompt.cursor_blink = False
    # Lines drawn while the cursor blinked off are cached under the same key as a cursor that
    # does not blink: drop them, or the focused prompt's cursor shows or not by the clock.
    prompt.notify_style_update()
    prompt.refresh()
    await pilot.pause(0.2)


@pytest.mark.parametrize("theme", ["penguin-dark", "penguin-light"])
@pytest.mark.parametrize("size", [(80, 24), (160, 48)])
def test_workbench_with_a_finished_reply(
    snap_compare: Callable[..., bool],
    project: Path,
    penguin_home: Path,
    theme: str,
    size: tuple[int, int],
) -> None:
    """The chat shows the prompt and the Markdown reply (reasoning collapsed above it, theme
    colours for headings and inline code), the prompt is empty and focused, the usage pane
    shows model m1, context 1,690 / 200.0k · 1% with its bar, reply and session 1,234 in,
    456 out, $0.0105, speed 228 tok/s, TTFT 420 ms, 1 call; the footer lists every key hint
    in full, at 80 columns too: f6 Checkpoints, esc Cancel, ^q Quit, ^n New, ^r Resume,
    f1 Keys and ^p palette."""
    seed_session(project, penguin_home)
    app = make_app(project, "http://127.0.0.1:9/v1", theme=theme)
    assert snap_compare(app, terminal_size=size, run_before=settle)


@pytest.mark.parametrize("theme", ["penguin-dark", "penguin-light"])
@pytest.mark.parametrize("size", [(80, 24), (60, 20)])
def test_approval_question_over_the_workbench(
    snap_compare: Callable[..., bool],
    project: Path,
    penguin_home: Path,
    theme: str,
    size: tuple[int, int],
) -> None:
    """The approval question at the top: title "Allow run_shell?", the reason, the exact
    command and directory, then every key hint in full (y Allow once, s Always in this
    session, p Always in this project, n/esc Deny, r Deny with a reason), wrapped between
    hints. Behind it the workbench shows through, dimmed: the end of the reply ("After the
    first token, the partial reply is kept…") stays readable below the question. At 60
    columns the side pane has given way to the chat."""

    async def ask(pilot: Pilot[int]) -> None:
        await settle(pilot)
        detail = "$ python3 -m unittest -v test_stats\n(in /home/you/demo)"
        await pilot.app.push_screen(
            ApprovalScreen("run_shell", detail, "mode ask: shell commands are asked")
        )
        await pilot.pause(0.2)

    seed_session(project, penguin_home)
    app = make_app(project, "http://127.0.0.1:9/v1", theme=theme)
    assert snap_compare(app, terminal_size=size, run_before=ask)
