"""Recurring cut-offs: 每季度末月10日, 每季度第一个月15日前, 每月20日前, 每月1日至15日 (its last day),
每季度结束后15日内 (the 15th after each quarter), 每季度结束后10个工作日内 (the 10th working day after it).

A recurring cut-off is given as its occurrences in the notice's year, from publication on, each
flagged ``recurring``. The periods (which months) are data: ``data/recurring.yaml``.
"""

from __future__ import annotations

import datetime as dt
import functools
import re
from dataclasses import dataclass

from reminder.calendar import add_workdays
from reminder.errors import DataFileError
from reminder.extract._data import alternation, load_table

__all__ = ["Occurrence", "Period", "find_recurring", "periods"]

_NUM = r"(?P<d>[0-9]{1,2}|[一二三四五六七八九十廿]{1,3})"
_TIME = r"(?:\s*(?P<h>[0-9]{1,2})\s*[:∶时点]\s*(?P<mi>[0-9]{2})?)?"
# 每月1日至15日: a range in each period, whose last day is the cut-off
_RANGE_END = re.compile(r"\s*(?:至|到|-|—|–|~)+\s*" + _NUM + r"\s*[日号]" + _TIME)
_CN = {"一": 1, "二": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}


@dataclass(frozen=True)
class Period:
    """One kind of recurrence: where it is written and which months it falls in."""

    name: str
    pattern: re.Pattern[str]
    months: tuple[int, ...]


@dataclass(frozen=True)
class _Table:
    periods: tuple[Period, ...]
    day: re.Pattern[str]
    after: re.Pattern[str]
    before: re.Pattern[str]
    acts: re.Pattern[str]
    not_acts: re.Pattern[str]


def _period(row: object) -> Period:
    if not isinstance(row, dict) or set(row) != {"name", "pattern", "months"}:
        raise DataFileError(f"recurring.yaml: 键 periods 有误 / bad key periods: {row!r}")
    if not str(row["pattern"]).startswith("每"):
        raise DataFileError(
            f"recurring.yaml: 键 pattern 须以“每”开头 / bad key pattern in {row['name']!r}: must start with 每"
        )
    months = row["months"]
    if not months or not all(isinstance(m, int) and 1 <= m <= 12 for m in months):
        raise DataFileError(f"recurring.yaml: 键 months 有误 / bad key months in {row['name']!r}")
    return Period(str(row["name"]), re.compile(str(row["pattern"])), tuple(months))


@functools.cache
def periods() -> _Table:
    """The validated table (read once).

    Raises:
        DataFileError: a key is unknown, missing or malformed.
    """
    keys: dict[str, type] = {
        "periods": list,
        "after_cues": list,
        "before_cues": list,
        "acts": list,
        "not_acts": list,
    }
    data = load_table("recurring", keys)
    table = tuple(_period(row) for row in data["periods"])
    day = re.compile(
        "(?:"
        + "|".join(f"(?P<p{i}>{p.pattern.pattern})" for i, p in enumerate(table))
        + r")\s*(?:的)?\s*"  # 每季度最后一个月的15日
        + _NUM
        + r"\s*(?:[日号]|(?P<wd>个?\s*工作日))"  # 每季度结束后10个工作日内: the 10th working day
        + _TIME
    )
    after = re.compile(r"\s*(?:" + alternation(data["after_cues"]) + ")")
    before = re.compile(alternation(data["before_cues"]))
    return _Table(
        table,
        day,
        after,
        before,
        re.compile(alternation(data["acts"])),
        re.compile(alternation(data["not_acts"])),
    )


def _day(token: str) -> int:
    if token.isdigit():
        return int(token)
    tens, _, units = token.rpartition("十")
    if "十" not in token:
        return 20 + _CN.get(token[1:], 0) if token.startswith("廿") else _CN.get(token, 0)
    return (_CN.get(tens, 1) if tens else 1) * 10 + _CN.get(units, 0)


@dataclass(frozen=True)
class Occurrence:
    """One occurrence of a recurring cut-off."""

    span: tuple[int, int]
    date: dt.date
    time: dt.time | None
    rule: str


def find_recurring(view: str, start: int, end: int, year: int, published: dt.date | None) -> list[Occurrence]:
    """The occurrences of the recurring cut-offs written in ``view[start:end]``.

    Args:
        view: the match view.
        start, end: the notice's span.
        year: the notice's year; occurrences are the period's days in that year.
        published: occurrences before it are dropped.

    >>> [o.date.isoformat() for o in find_recurring("受理截止时间为每季度末月15日24:00", 0, 30, 2024, None)]
    ['2024-03-15', '2024-06-15', '2024-09-15', '2024-12-15']
    """
    t = periods()
    out: list[Occurrence] = []
    at = view.find("每", start, end)
    while at >= 0:  # every period starts with 每: try the pattern only there (a scan is 10x slower)
        hit = t.day.match(view, at, end)
        at = view.find("每", at + 1, end)
        if hit is None:
            continue
        last = _RANGE_END.match(view, hit.end(), end) or hit
        clause = max(start, hit.start() - 40)
        clause = max(
            [clause]
            + [clause + i + 1 for i, ch in enumerate(view[clause : hit.start()]) if ch in "。;；，,\n"]
        )
        # a range of days is a window by itself (每季度末月1日—20日为申报受理期); acts are checked below
        ranged = last is not hit
        if not (ranged or t.after.match(view, last.end()) or t.before.search(view, clause, hit.start())):
            continue
        around = view[clause : min(end, last.end() + 30)]
        if not t.acts.search(around) or t.not_acts.search(around):
            continue
        which = next(p for i, p in enumerate(t.periods) if hit.group(f"p{i}") is not None)
        hour = int(last.group("h")) if last.group("h") else None
        time = dt.time(hour, int(last.group("mi") or 0)) if hour is not None and hour < 24 else None
        for month in which.months:
            try:
                if hit.group("wd"):  # the Nth working day of the month
                    date = add_workdays(dt.date(year, month, 1) - dt.timedelta(days=1), _day(last.group("d")))
                else:
                    date = dt.date(year, month, _day(last.group("d")))
            except ValueError:
                continue
            if published is None or date >= published:
                out.append(Occurrence((hit.start(), last.end()), date, time, f"recurring_{which.name}"))
    return out
