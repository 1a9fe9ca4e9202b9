"""Arrow keys that move an option list's highlight while the focus stays elsewhere (a search
or text field above the list), for the screens that pair the two."""

from __future__ import annotations

from textual.widgets import OptionList


def move_highlight(options: OptionList, steps: int) -> None:
    """Move ``options``' highlight ``steps`` rows down (up when negative), skipping the
    disabled ones as the list's own keys do."""
    for _ in range(abs(steps)):
        if steps > 0:
            options.action_cursor_down()
        else:
            options.action_cursor_up()
