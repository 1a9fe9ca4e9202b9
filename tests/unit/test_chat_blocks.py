"""Long replies are cut into finished blocks at paragraph ends outside code fences."""

from __future__ import annotations

from penguin_tui.app.widgets.chat import block_boundary


def test_boundary_is_found_even_when_the_text_runs_on() -> None:
    text = "para one\n\npara two\n\nhalf of para three"
    assert text[: block_boundary(text)] == "para one\n\npara two\n\n"


def test_no_boundary_inside_an_open_code_fence() -> None:
    text = "intro\n\n```python\nx = 1\n\ny = 2\n"
    assert text[: block_boundary(text)] == "intro\n\n"
    assert block_boundary("no blank line at all") == -1
