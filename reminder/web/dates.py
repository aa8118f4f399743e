"""Dates and times as every page shows them: ``2025年3月11日 周二 17:00``, Beijing time.

Rendered on the server, so a page reads the same whatever the browser's locale.

    >>> import datetime as dt
    >>> zh_date(dt.date(2025, 3, 11))
    '2025年3月11日 周二'
    >>> zh_datetime(dt.datetime(2025, 3, 11, 9, 0, tzinfo=dt.UTC))
    '2025年3月11日 周二 17:00'
"""

from __future__ import annotations

import datetime as dt

from reminder.calendar import TZ

__all__ = ["zh_date", "zh_datetime", "zh_local"]

_WEEKDAYS = "一二三四五六日"


def zh_date(day: dt.date) -> str:
    """``2025年3月11日 周二``."""
    return f"{day.year}年{day.month}月{day.day}日 周{_WEEKDAYS[day.weekday()]}"


def zh_datetime(instant: dt.datetime) -> str:
    """``2025年3月11日 周二 17:00`` in Asia/Shanghai (a naive value is taken as already local)."""
    local = instant.astimezone(TZ) if instant.tzinfo is not None else instant
    return f"{zh_date(local.date())} {local:%H:%M}"


def zh_local(value: dt.datetime | dt.date | None) -> str:
    """The template filter ``local``: an instant or a day in Chinese form; None as empty."""
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        return zh_datetime(value)
    return zh_date(value)
