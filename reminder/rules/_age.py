"""Company age on a given day, by calendar months, shared by the engine and the SQL prefilter.

A company founded on 2024-03-01 is one year old on 2025-03-01 (the anniversary counts) and not yet
on 2025-02-28. When the anniversary does not exist (founded 29 Feb, or on the 31st), the month's last
day stands in for it, as 民法典 第二百零二条 counts periods. Both the engine and ``sql.py`` go
through ``founded_bounds`` so the two agree on every day.

>>> founded_bounds(">=", Decimal(1), dt.date(2025, 2, 28))
(None, datetime.date(2024, 2, 29))
"""

from __future__ import annotations

import calendar
import datetime as dt
import functools
from decimal import ROUND_HALF_UP, Decimal

__all__ = ["add_months", "anniversary", "full_months", "age_years", "founded_bounds", "within_bounds"]

_DAY = dt.timedelta(days=1)


def add_months(day: dt.date, months: int) -> dt.date:
    """``day`` moved by whole months, clamped to the month's last day (1-31 + 1 month → 2-28/29)."""
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    if day.day <= 28:  # every month has a 28th: nothing to clamp
        return dt.date(year, month + 1, day.day)
    last = calendar.monthrange(year, month + 1)[1]
    return dt.date(year, month + 1, min(day.day, last))


def _months(years: Decimal) -> int:
    return int((years * 12).quantize(Decimal(1), rounding=ROUND_HALF_UP))


def anniversary(founded: dt.date, years: Decimal) -> dt.date:
    """The day a company founded on ``founded`` turns ``years`` old (half years count as 6 months)."""
    return add_months(founded, _months(years))


def full_months(founded: dt.date, on: dt.date) -> int:
    """Whole months from ``founded`` to ``on`` (negative when founded later)."""
    months = (on.year - founded.year) * 12 + on.month - founded.month
    # ``add_months(founded, months)`` falls in ``on``'s month, on day min(founded.day, its last day): after
    # ``on`` exactly when founded.day > on.day and ``on`` is not its month's last day (then a month less);
    # ``months + 1`` falls in the next month, always after ``on``.
    if founded.day > on.day and (on + _DAY).month == on.month:
        months -= 1
    return months


def age_years(founded: dt.date, on: dt.date) -> Decimal:
    """Age in years, rounded down to a tenth: 11 months → 0.9, 12 months → 1."""
    tenths = (full_months(founded, on) * 10) // 12  # also in ``_evaluators.age_reads``
    return Decimal(tenths) / 10


def _latest(on: dt.date, years: Decimal) -> dt.date:
    """The latest founding day that is ``years`` old by ``on``."""
    day = add_months(on, -_months(years))
    while anniversary(day, years) > on:
        day -= _DAY
    while anniversary(day + _DAY, years) <= on:
        day += _DAY
    return day


@functools.lru_cache(maxsize=8192)  # the same for every company: each notice's day, a few thresholds
def founded_bounds(op: str, years: Decimal, on: dt.date) -> tuple[dt.date | None, dt.date | None]:
    """Founding days meeting "age ``op`` ``years``" on ``on``: after the first (exclusive), up to the second.

    Args:
        op: one of <=, <, >=, >, == (== means the same whole number of years).
        years: the age in the condition.
        on: the day the age is measured (the deadline).

    Returns:
        (after, until): a founding day ``f`` passes when ``after < f`` and ``f <= until``; None = no bound.

    Raises:
        ValueError: an operator ages cannot use.
    """
    if op == ">=":
        return None, _latest(on, years)
    if op == ">":
        return None, _latest(on - _DAY, years)
    if op == "<=":
        return _latest(on - _DAY, years), None
    if op == "<":
        return _latest(on, years), None
    if op == "==":
        return _latest(on, years + 1), _latest(on, years)
    raise ValueError(f"unsupported operator for ages: {op}")


def within_bounds(founded: dt.date, bounds: tuple[dt.date | None, dt.date | None]) -> bool:
    """Whether a founding day satisfies ``founded_bounds``."""
    after, until = bounds
    return (after is None or founded > after) and (until is None or founded <= until)
