"""The keys of each binding as the user has them: the defaults in the classes' ``BINDINGS``,
moved by ``[ui.keys]`` (``App.set_keymap``), shown the way the footer and F1 show them.

Texts that name a key (the palette's help) name its binding id instead, ``{checkpoints.mark}``,
and ``with_keys`` puts the live key in: a remapped key is never shown at its old place.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import replace
from typing import Any

from textual.app import App
from textual.binding import Binding

KEY_NAME = re.compile(r"\{([a-z_]+(?:\.[a-z_]+)*)\}")


def bindings_by_id(owners: Iterable[type[object]]) -> dict[str, Binding]:
    """Every binding with an id declared by ``owners`` (the app, screens and widgets)."""
    found: dict[str, Binding] = {}
    for owner in owners:
        for binding in getattr(owner, "BINDINGS", ()):
            if isinstance(binding, Binding) and binding.id:
                found.setdefault(binding.id, binding)
    return found


def keys_shown(app: App[Any], binding: Binding, remapped: Mapping[str, str]) -> str:
    """The keys of ``binding`` as the footer shows them (``^n``, ``⏎``), after any remap;
    several keys are joined by ``/``."""
    keys = remapped.get(binding.id, "") if binding.id else ""
    if not keys:
        return app.get_key_display(binding)
    return "/".join(
        app.get_key_display(replace(binding, key=key.strip(), key_display=None))
        for key in keys.split(",")
        if key.strip()
    )


def with_keys(
    text: str, app: App[Any], bindings: Mapping[str, Binding], remapped: Mapping[str, str]
) -> str:
    """``text`` with each ``{binding.id}`` replaced by that binding's live keys."""

    def key(match: re.Match[str]) -> str:
        binding = bindings.get(match[1])
        if binding is None:
            raise LookupError(f"no binding has the id {match[1]!r}")
        return keys_shown(app, binding, remapped)

    return KEY_NAME.sub(key, text)
