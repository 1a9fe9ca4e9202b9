"""A dialog's keys, wrapped between hints and never inside one, so none is lost when narrow."""

from __future__ import annotations

from rich.style import Style
from rich.text import Text
from textual.binding import Binding
from textual.geometry import Size
from textual.widget import Widget

SEPARATOR = " · "


class KeyHints(Widget):
    """The keys of the screen it sits on, as `key what` hints packed into as many lines as
    the width needs. Read from the screen's bindings, so a remapped key shows as remapped;
    the keys of one action share a hint (`n/esc Deny`)."""

    DEFAULT_CSS = """
    KeyHints { height: auto; color: $text-muted; }
    KeyHints > .key-hints--key { color: $accent; text-style: bold; }
    """

    COMPONENT_CLASSES = {"key-hints--key"}

    def hints(self) -> list[tuple[str, str]]:
        """(keys, what they do) for each action the screen itself binds, in the order the
        screen declares them (a remapped key keeps its place); keys shown in a footer first.

        Only bindings with an id: those are the screen's own answers (Textual's focus and
        copy keys, which every screen has, have none)."""
        screen = self.screen
        declared = [b.action for b in screen.BINDINGS if isinstance(b, Binding)]
        found: dict[str, list[Binding]] = {}
        for active in screen.active_bindings.values():
            binding = active.binding
            if active.node is screen and binding.id is not None and binding.description:
                found.setdefault(binding.action, []).append(binding)
        actions = sorted(found, key=lambda a: declared.index(a) if a in declared else len(declared))
        hints = []
        for action in actions:
            bindings = sorted(found[action], key=lambda b: not b.show)
            keys = "/".join(self.app.get_key_display(b) for b in bindings)
            hints.append((keys, bindings[0].description))
        return hints

    def lines(self, width: int) -> list[Text]:
        """The hints packed greedily into lines of at most ``width`` cells."""
        key_style = self.get_component_rich_style("key-hints--key", partial=True)
        lines: list[Text] = []
        line = Text()
        for keys, description in self.hints():
            hint = Text.assemble((keys, key_style), " ", description)
            if line.cell_len and line.cell_len + len(SEPARATOR) + hint.cell_len > width:
                lines.append(line)
                line = Text()
            if line.cell_len:
                line.append(SEPARATOR, Style(dim=True))
            line.append_text(hint)
        if line.cell_len:
            lines.append(line)
        return lines

    def render(self) -> Text:
        return Text("\n").join(self.lines(self.content_size.width))

    def get_content_height(self, container: Size, viewport: Size, width: int) -> int:
        return len(self.lines(width))
