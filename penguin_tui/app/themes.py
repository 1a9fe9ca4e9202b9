"""Themes as data files: validated, registered with Textual, with a fallback on error."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

from textual.theme import Theme

FALLBACK_THEME = "textual-dark"
_REQUIRED = ("name", "primary")
_COLOURS = (
    "primary",
    "secondary",
    "accent",
    "foreground",
    "background",
    "surface",
    "panel",
    "success",
    "warning",
    "error",
)


@dataclass(frozen=True)
class ThemeProblem:
    """A theme file that could not be used, and why (shown as a notification)."""

    path: str
    reason: str


def builtin_theme_dir() -> Path:
    """The ``themes/`` folder shipped in the wheel (or the checkout, in development)."""
    try:
        packaged = resources.files("penguin_tui.themes")
        return Path(str(packaged))
    except ModuleNotFoundError:
        return Path(__file__).resolve().parents[2] / "themes"


def parse_theme(text: str, path: str) -> Theme:
    """A Textual ``Theme`` from TOML text; raises ``ValueError`` with a one-line reason."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        raise ValueError(f"not valid TOML: {error}") from error
    missing = [key for key in _REQUIRED if key not in data]
    if missing:
        raise ValueError(f"missing {', '.join(missing)}")
    unknown = set(data) - {*_COLOURS, "name", "dark", "variables"}
    if unknown:
        raise ValueError(f"unknown field(s) {', '.join(sorted(unknown))}")
    variables = data.get("variables", {})
    if not isinstance(variables, dict) or not all(isinstance(v, str) for v in variables.values()):
        raise ValueError("[variables] must map names to colour strings")
    colours = {key: str(data[key]) for key in _COLOURS if key in data}
    try:
        theme = Theme(
            name=str(data["name"]),
            dark=bool(data.get("dark", True)),
            variables=dict(variables),
            primary=colours["primary"],
            secondary=colours.get("secondary"),
            accent=colours.get("accent"),
            foreground=colours.get("foreground"),
            background=colours.get("background"),
            surface=colours.get("surface"),
            panel=colours.get("panel"),
            success=colours.get("success"),
            warning=colours.get("warning"),
            error=colours.get("error"),
        )
        theme.to_color_system()  # validates every colour
    except Exception as error:
        raise ValueError(f"bad colour: {error}") from error
    return theme


def load_themes(directories: list[Path]) -> tuple[list[Theme], list[ThemeProblem]]:
    """Every ``*.toml`` theme in ``directories``; unusable files are reported, not fatal."""
    themes: list[Theme] = []
    problems: list[ThemeProblem] = []
    for directory in directories:
        if not directory.is_dir():
            continue
        for path in sorted(directory.glob("*.toml")):
            try:
                themes.append(parse_theme(path.read_text(encoding="utf-8"), str(path)))
            except (OSError, ValueError) as error:
                problems.append(ThemeProblem(str(path), str(error)))
    return themes, problems
