"""Rich styles taken from the current Textual theme: Markdown for finished messages, and the
colours of added and removed line counts, so both follow the theme."""

from __future__ import annotations

from dataclasses import dataclass

from rich.theme import Theme as RichTheme
from textual.color import Color, ColorParseError


def rich_colour(value: str | None, fallback: str = "default") -> str:
    """A colour Rich can parse: Textual's may carry alpha (``#rrggbbaa``), Rich's may not."""
    if not value:
        return fallback
    try:
        return Color.parse(value).hex6
    except ColorParseError:
        return fallback


def solid_colour(value: str | None, background: str | None, fallback: str = "default") -> str:
    """A colour Rich can parse, its alpha (``#rrggbbaa``) blended over ``background`` instead
    of dropped: the theme's muted text (60% of the foreground) stays muted."""
    if not value:
        return fallback
    try:
        colour = Color.parse(value)
        under = Color.parse(background) if background else None
    except ColorParseError:
        return fallback
    return (under + colour).hex6 if under is not None else colour.hex6


@dataclass(frozen=True)
class LineColours:
    """Rich colours for lines added (+N) and removed (−N), from the theme's success/error."""

    added: str
    removed: str


def line_colours(variables: dict[str, str]) -> LineColours:
    """The current theme's colours for added and removed lines."""
    return LineColours(
        added=rich_colour(variables.get("text-success"), "green"),
        removed=rich_colour(variables.get("text-error"), "red"),
    )


def markdown_theme(variables: dict[str, str]) -> RichTheme:
    """Rich's ``markdown.*`` style names mapped onto the Textual theme's colour variables."""
    primary = rich_colour(variables.get("primary"), "blue")
    secondary = rich_colour(variables.get("secondary"), primary)
    accent = rich_colour(variables.get("accent"), primary)
    muted = rich_colour(variables.get("foreground-muted") or variables.get("text-muted"))
    panel = rich_colour(variables.get("panel"))
    return RichTheme(
        {
            "markdown.h1": f"bold {primary}",
            "markdown.h2": f"bold {primary}",
            "markdown.h3": f"bold {secondary}",
            "markdown.h4": f"bold {secondary}",
            "markdown.h5": "bold",
            "markdown.h6": "italic",
            "markdown.code": f"bold {accent} on {panel}",
            "markdown.code_block": f"on {panel}",
            "markdown.block_quote": f"italic {muted}",
            "markdown.link": f"underline {primary}",
            "markdown.link_url": f"underline {secondary}",
            "markdown.item.bullet": f"bold {secondary}",
            "markdown.item.number": f"bold {secondary}",
            "markdown.hr": muted,
            "markdown.table.border": muted,
            "markdown.table.header": f"bold {primary}",
        },
        inherit=True,
    )
