"""Syntax highlighting for the diff view: a pygments lexer per language, found from the file
name without pygments' slow pattern search, and lines lexed together into Content."""

from __future__ import annotations

from collections.abc import Sequence

from pygments.lexer import Lexer  # type: ignore[import-untyped]
from textual.content import Content, Span
from textual.highlight import HighlightTheme

HIGHLIGHT_MAX_CHARS = 50_000  # a chunk longer than this is drawn without highlighting

_TOKEN_STYLES: dict[object, str] = {}


def _token_style(token_type: object) -> str:
    """The highlight theme's style for a pygments token, walking up to its parents."""
    if (cached := _TOKEN_STYLES.get(token_type)) is not None:
        return cached
    styles = HighlightTheme.STYLES
    current: object = token_type
    style = ""
    while current is not None:
        if found := styles.get(current):  # type: ignore[call-overload]
            style = found
            break
        current = getattr(current, "parent", None)
    _TOKEN_STYLES[token_type] = style
    return style


_LEXERS: dict[str, Lexer] = {}
_LEXER_NAMES: dict[str, str] = {}


def _lexer_names() -> dict[str, str]:
    """File name or ``*.ext`` pattern → pygments lexer name, from pygments' own table.

    ``get_lexer_for_filename`` compiles a regular expression for each of pygments' ~1,500
    patterns on first use (70 ms here); plain extensions and names cover what a diff shows.
    """
    if not _LEXER_NAMES:
        from pygments.lexers._mapping import LEXERS  # type: ignore[import-untyped]

        for _module, name, _aliases, patterns, _mimes in LEXERS.values():
            for pattern in patterns:
                known = _LEXER_NAMES.get(pattern)
                # Where several lexers claim a pattern, the plain one ("SQL", not "SQL+Jinja").
                if known is None or ("+" in known and "+" not in name):
                    _LEXER_NAMES[pattern] = name
        _LEXER_NAMES["*.tcss"] = "SCSS"
    return _LEXER_NAMES


def lexer_for(path: str) -> Lexer | None:
    """The pygments lexer for a file name, or None for plain text; one instance per language."""
    from pygments.lexers import find_lexer_class  # type: ignore[import-untyped]

    names = _lexer_names()
    base = path.rsplit("/", 1)[-1]
    dot = base.rfind(".")
    name = names.get(base) or (names.get("*" + base[dot:].lower()) if dot > 0 else None)
    if name is None or name == "Text only":
        return None
    if (lexer := _LEXERS.get(name)) is None:
        cls = find_lexer_class(name)
        if cls is None:
            return None
        lexer = _LEXERS[name] = cls(stripnl=False, ensurenl=False)
    return lexer


def highlight_lines(lexer: Lexer | None, texts: Sequence[str]) -> list[Content]:
    """One Content per line, lexed together so that multi-line tokens come out right.

    Very long text (minified code, data) is left plain: lexing it would stall the screen.
    """
    if lexer is None or not texts or sum(map(len, texts)) > HIGHLIGHT_MAX_CHARS:
        return [Content(text) for text in texts]
    lines: list[Content] = []
    spans: list[Span] = []
    parts: list[str] = []
    offset = 0
    for token_type, value in lexer.get_tokens("\n".join(texts) + "\n"):
        style = _token_style(token_type)
        pieces = value.split("\n")
        for number, piece in enumerate(pieces):
            if number:
                lines.append(Content("".join(parts), spans))
                parts, spans, offset = [], [], 0
            if piece:
                if style:
                    spans.append(Span(offset, offset + len(piece), style))
                parts.append(piece)
                offset += len(piece)
    if len(lines) != len(texts) or any(a.plain != b for a, b in zip(lines, texts, strict=True)):
        return [Content(text) for text in texts]  # the lexer changed the text: draw it plain
    return lines
