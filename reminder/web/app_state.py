"""Objects an app makes once, on first use, and keeps on ``app.state`` (one per app: tests build many apps,
each over its own database).

    per_app(app, "throttle", make) → the app's object of that name, made by ``make(app)`` the first time
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any, TypeVar

__all__ = ["per_app"]

T = TypeVar("T")

# Sync routes run in worker threads: without the lock two first requests could each make their own
# object and one of them (with what it cached) would be lost.
_LOCK = threading.Lock()


def per_app(app: Any, name: str, make: Callable[[Any], T]) -> T:
    """The app's object called ``name``, made by ``make(app)`` on first use."""
    found: T | None = getattr(app.state, name, None)
    if found is None:
        with _LOCK:
            found = getattr(app.state, name, None)
            if found is None:
                found = make(app)
                setattr(app.state, name, found)
    return found
