"""Time in this project: the Asia/Shanghai zone, and working days on China's official calendar (法定节假日 and 调休 make-up working days).

Notices count in working days (提前10个工作日, 5个工作日内). The calendar comes from the
operator's holiday table (:mod:`reminder.holidays`, for the years it lists) and otherwise from the
``chinese_calendar`` package, which knows the State Council's holiday arrangements for the years it
covers; outside both we fall back to Monday–Friday and log a warning once per year (the admin
dashboard and ``/metrics`` show such years too: :func:`reminder.holidays.missing_years`).
"""

from __future__ import annotations

import datetime as dt
import functools
import logging

import chinese_calendar

from reminder.holidays import schedule
from reminder.zone import TZ, TZ_NAME

__all__ = ["TZ", "TZ_NAME", "is_workday", "add_workdays"]

logger = logging.getLogger(__name__)


def is_workday(d: dt.date) -> bool:
    """Whether ``d`` is a working day in mainland China.

    Args:
        d: the day.

    Returns:
        True on ordinary weekdays and make-up working weekends (调休), False on weekends and
        public holidays. The operator's table decides the years it lists; outside it and the
        library's years: Monday to Friday.

    >>> is_workday(dt.date(2025, 9, 28))  # a Sunday worked for the National Day holiday
    True
    """
    table = schedule()
    if d in table.worked:
        return True
    if d in table.days_off:
        return False
    if d.year in table.years:
        return d.weekday() < 5
    try:
        return _library_workday(d)
    except NotImplementedError:
        _warn_uncovered(d.year)
        return d.weekday() < 5


@functools.lru_cache(maxsize=4096)
def _library_workday(d: dt.date) -> bool:
    """chinese_calendar's answer, kept: each of its calls scans its whole holiday table for the years
    it covers (raises NotImplementedError, not cached, outside them)."""
    return bool(chinese_calendar.is_workday(d))


@functools.cache
def _warn_uncovered(year: int) -> None:
    logger.warning(
        "节假日数据不含 %d 年,按周一至周五计算工作日 / no holiday data for %d: counting Monday–Friday; "
        "upgrade chinese-calendar or add the year to config/data/holidays.yaml",
        year,
        year,
    )


def add_workdays(d: dt.date, n: int) -> dt.date:
    """The working day ``n`` working days after ``d`` (before it when ``n`` is negative).

    ``d`` itself is not counted, and need not be a working day; ``n == 0`` returns ``d``.

    Args:
        d: the day to count from.
        n: how many working days to move.

    Returns:
        The day reached.

    >>> add_workdays(dt.date(2025, 10, 10), -10)  # Oct 1–8 off, Sun Sep 28 worked
    datetime.date(2025, 9, 19)
    """
    step = dt.timedelta(days=1 if n > 0 else -1)
    remaining = abs(n)
    while remaining:
        d += step
        if is_workday(d):
            remaining -= 1
    return d
