"""The one place the workbench's background work gets its worker options.

``@background("group")`` turns an async method of the app or of a controller into one that
starts it as an app worker and returns at once: a new start cancels the one still running in
its group (unless ``exclusive=False``), and a failure goes to the app's one handler
(``on_worker_state_changed``) instead of ending the app.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Coroutine
from typing import Any, Concatenate, ParamSpec, Protocol, TypeVar

from textual.app import App
from textual.worker import Worker

P = ParamSpec("P")


class HasApp(Protocol):
    """The app itself, a widget, or a controller: anything that knows its app."""

    @property
    def app(self) -> App[Any]: ...


Owner = TypeVar("Owner", bound=HasApp)
Job = Callable[Concatenate[Owner, P], Coroutine[Any, Any, None]]
Start = Callable[Concatenate[Owner, P], Worker[None]]


def background(group: str, *, exclusive: bool = True) -> Callable[[Job[Owner, P]], Start[Owner, P]]:
    """Run the decorated coroutine method as a worker of the app in ``group``."""

    def decorate(method: Job[Owner, P]) -> Start[Owner, P]:
        @functools.wraps(method)
        def start(owner: Owner, /, *args: P.args, **kwargs: P.kwargs) -> Worker[None]:
            return owner.app.run_worker(
                method(owner, *args, **kwargs),
                name=method.__name__,
                group=group,
                exclusive=exclusive,
                exit_on_error=False,
            )

        return start

    return decorate
