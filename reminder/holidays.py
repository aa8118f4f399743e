"""The holiday schedule an operator can extend: 放假 and 调休 days per year, read from a data table.

    holidays.yaml (packaged, or the operator's config/data/holidays.yaml) ─ schedule() ─ Schedule
    reload_schedule() ─ re-read the table; True when the days changed (callers then re-plan)
    covered(year) / missing_years(years) ─ whether a year has official data (table or package)

The ``chinese_calendar`` package knows each year the State Council has published when it was
released; a year published later (each year's schedule comes out late in the year before) is added
to the table by the operator, and the table wins over the package for every year it lists.
"""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from chinese_calendar.constants import holidays as _package_days_off

from reminder.tables import check_keys, parse_table, read_table_text, table_error

__all__ = [
    "Schedule",
    "schedule",
    "reload_schedule",
    "parse_schedule",
    "covered",
    "missing_years",
    "package_years",
]

PACKAGE = "reminder"
NAME = "holidays.yaml"
#: per-year keys: days off, make-up working days
OFF, WORKED = "放假", "调休"
_RANGE = re.compile(r"(\d{4}-\d{2}-\d{2})\s*(?:~|至|–|—)\s*(\d{4}-\d{2}-\d{2})")


@dataclass(frozen=True)
class Schedule:
    """The operator's holiday table, parsed and checked."""

    #: years the table lists (authoritative for them)
    years: frozenset[int] = frozenset()
    #: 放假 days of every listed year
    days_off: frozenset[dt.date] = frozenset()
    #: 调休 days of every listed year (weekend days worked)
    worked: frozenset[dt.date] = frozenset()
    #: the file it was read from (packaged path or override)
    source: str = ""
    #: a digest of the days, to tell whether a reload changed anything
    fingerprint: str = field(default="", compare=False)


def _day(file: str, where: str, value: Any) -> dt.date:
    if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
        return value
    try:
        return dt.date.fromisoformat(str(value).strip())
    except ValueError:
        raise table_error(
            file, where, f"不是日期：{value!r}（应为 YYYY-MM-DD）", f"not a date: {value!r} (YYYY-MM-DD)"
        ) from None


def _days(file: str, where: str, items: Any) -> set[dt.date]:
    """Dates and ``first~last`` ranges as a set of days."""
    if items is None:
        return set()
    if not isinstance(items, list):
        raise table_error(file, where, "应为日期列表", "must be a list of dates")
    out: set[dt.date] = set()
    for item in items:
        match = _RANGE.fullmatch(item.strip()) if isinstance(item, str) else None
        if match is None:
            out.add(_day(file, where, item))
            continue
        first, last = (_day(file, where, g) for g in match.groups())
        if last < first or (last - first).days > 31:
            raise table_error(file, where, f"日期范围不正确：{item!r}", f"bad range: {item!r}")
        out.update(first + dt.timedelta(days=i) for i in range((last - first).days + 1))
    return out


def _year(file: str, key: Any, entry: Any) -> tuple[int, set[dt.date], set[dt.date]]:
    where = f"years.{key}"
    if not isinstance(key, int) or not 1949 <= key <= 2200:
        raise table_error(file, where, "年份应为四位整数", "a year must be a four-digit integer")
    check_keys(file, where, entry, (OFF, WORKED), required=(OFF,))
    off, worked = (
        _days(file, f"{where}.{OFF}", entry.get(OFF)),
        _days(file, f"{where}.{WORKED}", entry.get(WORKED)),
    )
    for day in sorted(off | worked):
        if abs(day.year - key) > 1:
            raise table_error(file, where, f"{day} 不属于 {key} 年前后", f"{day} is not near {key}")
    for day in sorted(worked):
        if day.weekday() < 5:
            raise table_error(
                file, f"{where}.{WORKED}", f"{day} 不是周末，无需调休", f"{day} is not a weekend day"
            )
    if off & worked:
        both = "、".join(str(d) for d in sorted(off & worked))
        raise table_error(file, where, f"{both} 既是放假又是调休", f"{both} both off and worked")
    return key, off, worked


def parse_schedule(text: str, file: str) -> Schedule:
    """Parse and check a holiday table.

    Raises:
        DataFileError: invalid YAML, an unknown key, a bad date or range, a 调休 day on a weekday,
            a day both off and worked, or a day far from its year; names the file and the key.
    """
    data = parse_table(text, file, {"years": (dict, type(None))})
    years: set[int] = set()
    off: set[dt.date] = set()
    worked: set[dt.date] = set()
    for key, entry in (data["years"] or {}).items():
        year, year_off, year_worked = _year(file, key, entry)
        years.add(year)
        off |= year_off
        worked |= year_worked
    if off & worked:
        raise table_error(
            file, "years", "同一天在不同年份中既放假又调休", "a day is off in one year and worked in another"
        )
    digest = hashlib.sha256(repr((sorted(years), sorted(off), sorted(worked))).encode()).hexdigest()[:16]
    return Schedule(frozenset(years), frozenset(off), frozenset(worked), file, digest)


def _read() -> Schedule:
    text, file = read_table_text(PACKAGE, NAME)
    return parse_schedule(text, file)


@functools.cache
def schedule() -> Schedule:
    """The holiday table, read once per process (:func:`reload_schedule` reads it again)."""
    return _read()


def reload_schedule() -> bool:
    """Read the table again; True when its days changed since the last read (re-plan reminders then).

    Raises:
        DataFileError: the new table is invalid; the schedule in use is kept.
    """
    fresh = _read()
    changed = fresh.fingerprint != schedule().fingerprint
    schedule.cache_clear()
    return changed


@functools.cache
def package_years() -> frozenset[int]:
    """The years the ``chinese_calendar`` package has the State Council's schedule for."""
    return frozenset(range(min(_package_days_off).year, max(_package_days_off).year + 1))


def covered(year: int) -> bool:
    """Whether ``year`` has official holiday data (the table or the package)."""
    return year in schedule().years or year in package_years()


def missing_years(years: Iterable[int]) -> tuple[int, ...]:
    """The years among ``years`` without official holiday data, ascending."""
    return tuple(sorted({y for y in years if not covered(y)}))
