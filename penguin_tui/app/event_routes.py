"""Engine events to the pane or controller that owns what each one changes.

An owner marks a method with ``@handles``; the events it takes are the classes its ``event``
parameter is annotated with (one class, or a union of them), so the dispatch and the
handler's type cannot disagree. ``EventRoutes.add(owner)`` reads those annotations when the
routes are built, after the first frame: the bus's pydantic models are not imported before it.
``deliver(event)`` calls every handler of the event's class, in the order the owners were
added, and awaits those that are coroutines.
"""

from __future__ import annotations

import inspect
import types
import typing
from collections.abc import Awaitable, Callable, Iterator
from typing import TYPE_CHECKING, Any, TypeVar

if TYPE_CHECKING:
    from penguin_tui.bus import Event

Method = TypeVar("Method", bound=Callable[..., Awaitable[None] | None])

_MARK = "_handles_events"


def handles(method: Method) -> Method:
    """Mark ``method`` as a handler of the events its ``event`` parameter is annotated with."""
    setattr(method, _MARK, True)
    return method


class RouteError(TypeError):
    """A method marked ``@handles`` does not say which events it takes."""


def _marked(owner: object) -> Iterator[tuple[str, Callable[..., object]]]:
    """The owner's marked methods, from its class and the classes it builds on."""
    seen: set[str] = set()
    for cls in type(owner).__mro__:
        for name, value in vars(cls).items():
            if name not in seen and getattr(value, _MARK, False):
                seen.add(name)
                yield name, value


def event_classes(method: Callable[..., object]) -> tuple[type[Event], ...]:
    """The event classes ``method``'s ``event`` parameter is annotated with."""
    import penguin_tui.bus.events as events

    names = {
        name: value
        for name, value in vars(events).items()
        if isinstance(value, type) and issubclass(value, events.Event)
    }
    try:
        annotation = typing.get_type_hints(method, localns=names).get("event")
    except NameError as error:
        raise RouteError(f"{method.__qualname__}: {error}") from None
    found = (
        typing.get_args(annotation) if isinstance(annotation, types.UnionType) else (annotation,)
    )
    if not found or not all(isinstance(c, type) and issubclass(c, events.Event) for c in found):
        raise RouteError(f"{method.__qualname__}: its `event` parameter names no event class")
    return found


class EventRoutes:
    """Which handlers each event class goes to; filled once, then read for every event."""

    def __init__(self) -> None:
        self._routes: dict[type[Event], list[Callable[[Any], object]]] = {}

    def add(self, owner: object) -> None:
        """Route to ``owner`` the events its ``@handles`` methods take."""
        for name, method in _marked(owner):
            for event_class in event_classes(method):
                self._routes.setdefault(event_class, []).append(getattr(owner, name))

    @property
    def event_classes(self) -> frozenset[type[Event]]:
        """Every event class some owner handles."""
        return frozenset(self._routes)

    def handlers(self, event_class: type[Event]) -> tuple[Callable[[Any], object], ...]:
        """The bound methods ``event_class`` goes to, in order."""
        return tuple(self._routes.get(event_class, ()))

    async def deliver(self, event: Event) -> None:
        """Give ``event`` to each of its handlers in turn (the order the owners were added)."""
        for handler in self._routes.get(type(event), ()):
            result = handler(event)
            if inspect.isawaitable(result):
                await result
