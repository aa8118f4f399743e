"""Demo instants: a server shown "as on" a past day (``serve --as-of``) never plans reminders on that day.

Pages and matching follow the demo day; reminders always follow the real clock. The demo clock
returns :class:`DemoInstant` values, and planning replaces one with the real time, so a notice
published during a demo never gets reminders "due" on days that are already past (which the
dispatcher would then send all at once: issue 16, item 19).
"""

from __future__ import annotations

import datetime as dt
import sqlite3

__all__ = ["DemoInstant", "planning_instant"]


class DemoInstant(dt.datetime):
    """A pretended "now" (a datetime like any other, marked as not the real time)."""


# sqlite3 adapts parameters by exact type: store a demo instant as it stores any datetime
sqlite3.register_adapter(DemoInstant, lambda value: dt.datetime.isoformat(value, " "))


def planning_instant(now: dt.datetime) -> dt.datetime:
    """``now``, or the real current time when ``now`` is a demo instant.

    >>> planning_instant(DemoInstant(2025, 3, 1, tzinfo=dt.UTC)) > dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
    True
    """
    return dt.datetime.now(dt.UTC) if isinstance(now, DemoInstant) else now
