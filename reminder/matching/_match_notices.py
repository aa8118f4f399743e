"""What matching needs to know about stored notices: conditions, the day to judge on, the notice's region.

    notice row ── conditions (ConditionRow → Condition, parsed once per distinct row)
               ├─ judge_day: the last active deadline's date; today without one
               └─ notice_region: from the issuer (湖州市经济和信息化局 → 湖州市) or the title, for 本市/本省

Everything is read in a few set-based queries, so matching one company against a thousand notices
does not issue a thousand queries.
"""

from __future__ import annotations

import datetime as dt
import functools
import json
import logging
from collections.abc import Iterable, Iterator, Sequence
from typing import Any, NamedTuple, cast

import sqlalchemy as sa
from sqlmodel import Session, col

from reminder.calendar import TZ
from reminder.db.models import ConditionRow, DeadlineRow, NoticeRow
from reminder.db.store import open_notice_filter
from reminder.model import Condition
from reminder.rules import Region, RegionError, region_by_code, resolve_region
from reminder.rules.regions import COUNTRY_CODE, relative_level

__all__ = [
    "NoticeHead",
    "local_day",
    "open_notices",
    "notice_conditions",
    "judge_day",
    "judge_days",
    "notice_region",
    "needs_notice_region",
]

log = logging.getLogger(__name__)

#: ids per IN (...) list: well under every backend's bound-parameter limit
_CHUNK = 500
#: the longest region name read from an issuer or title (浙江省杭州市萧山区 is 9)
_LONGEST_NAME = 12
_UNITS = "省市区县旗州盟"


def local_day(now: dt.datetime) -> dt.date:
    """The calendar day in Asia/Shanghai at instant ``now``."""
    return now.astimezone(TZ).date()


def _chunks(ids: Sequence[int]) -> Iterator[Sequence[int]]:
    for start in range(0, len(ids), _CHUNK):
        yield ids[start : start + _CHUNK]


_CONDITION_COLUMNS = (
    col(ConditionRow.notice_id),
    col(ConditionRow.field),
    col(ConditionRow.op),
    col(ConditionRow.unit),
    col(ConditionRow.quote),
    col(ConditionRow.hard),
    col(ConditionRow.group),
)


@functools.lru_cache(maxsize=65536, typed=True)
def _condition(
    field: str, op: str, unit: str | None, quote: str, hard: bool, group: str | None, value: Any
) -> Condition:
    """A stored condition as the extractor's object, without its span (cached: notices repeat conditions).

    ``value`` is the stored JSON text (see :func:`_value_column`), or a number: SQLite gives a column
    declared JSON numeric affinity, so a number's text comes back as the number.
    """
    decoded = json.loads(value) if isinstance(value, str) else value
    return Condition(field=field, op=op, value=decoded, unit=unit, quote=quote, hard=bool(hard), group=group)  # type: ignore[arg-type]


def notice_conditions(*, session: Session, notice_ids: Sequence[int]) -> dict[int, tuple[Condition, ...]]:
    """Each notice's conditions in the order the text states them (every id is a key).

    For judging only: the conditions carry no span (``to_notice`` gives the full objects).
    """
    value = _value_column(session)
    found: dict[int, list[Condition]] = {i: [] for i in notice_ids}
    for chunk in _chunks(notice_ids):
        query = (
            sa.select(*_CONDITION_COLUMNS, value)
            .where(col(ConditionRow.notice_id).in_(chunk))
            .order_by(col(ConditionRow.id))
        )
        for notice_id, *fields, stored in session.connection().execute(query).all():
            found[notice_id].append(_condition(*fields, stored))
    return {i: tuple(conds) for i, conds in found.items()}


class NoticeHead(NamedTuple):
    """What matching reads of a notice row, and the day it is judged on (a tuple: made by the thousand)."""

    id: int
    issuer: str | None
    title: str
    level: str | None
    #: the day it is judged on (see :func:`judge_day`)
    judge_day: dt.date


def judge_day(last: dt.date | None, rolling: bool, today: dt.date) -> dt.date:
    """The day a notice is judged on: its last active dated deadline (for batches the latest one);
    today when it has none. A 常态化 notice whose dates have passed is closed, not re-dated (see
    ``reminder.rules.notice_verdict``); ``rolling`` is kept for callers."""
    del rolling
    return last if last is not None else today


def _value_column(session: Session) -> sa.ColumnElement[Any]:
    """The condition value column as its JSON text, decoded once per distinct text by ``_condition``.
    PostgreSQL casts it: letting the driver decode every row (34,000 for a company judged against 1,000
    notices), only for a cache key to encode it again, was a third of judging one company there."""
    column = col(ConditionRow.value)
    if session.get_bind().dialect.name == "sqlite":  # stored as text already
        return cast(sa.ColumnElement[Any], sa.type_coerce(column, sa.Text))
    return sa.cast(column, sa.Text)


def open_notices(*, session: Session, now: dt.datetime) -> list[tuple[NoticeHead, tuple[Condition, ...]]]:
    """Every open published notice (see ``store.list_open_notices``) with its judging day and its
    conditions, read in one query (notices joined to their conditions) and one for the days."""
    value = _value_column(session)
    notice = (
        col(NoticeRow.id),
        col(NoticeRow.issuer),
        col(NoticeRow.title),
        col(NoticeRow.level),
        col(NoticeRow.rolling),
    )
    query = (
        sa.select(*notice, *_CONDITION_COLUMNS[1:], value)
        .select_from(NoticeRow)
        .outerjoin(ConditionRow, col(ConditionRow.notice_id) == col(NoticeRow.id))
        .where(open_notice_filter(now=now))
        .order_by(col(NoticeRow.id), col(ConditionRow.id))
    )
    days, today = _last_days(session, None), local_day(now)
    found: dict[int, tuple[NoticeHead, list[Condition]]] = {}
    for row in session.connection().execute(query).all():
        entry = found.get(row[0])
        if entry is None:
            head = NoticeHead(row[0], row[1], row[2], row[3], judge_day(days.get(row[0]), row[4], today))
            entry = found[row[0]] = (head, [])
        if row[5] is not None:  # a notice without conditions comes as one row of NULLs
            entry[1].append(_condition(row[5], row[6], row[7], row[8], row[9], row[10], row[11]))
    return [(head, tuple(conds)) for head, conds in found.values()]


def _last_days(session: Session, notice_ids: Sequence[int] | None) -> dict[int, dt.date]:
    """The last active deadline date of each notice that has one (of every notice when ``notice_ids`` is None)."""
    query = (
        sa.select(col(DeadlineRow.notice_id), sa.func.max(col(DeadlineRow.date)))
        .where(col(DeadlineRow.active), col(DeadlineRow.date).is_not(None))
        .group_by(col(DeadlineRow.notice_id))
    )
    chunks = [None] if notice_ids is None else list(_chunks(notice_ids))
    days: dict[int, dt.date] = {}
    for chunk in chunks:
        scoped = query if chunk is None else query.where(col(DeadlineRow.notice_id).in_(chunk))
        for notice_id, last in session.connection().execute(scoped):
            if last is not None:
                days[notice_id] = last if isinstance(last, dt.date) else dt.date.fromisoformat(str(last))
    return days


def judge_days(*, session: Session, notice_ids: Sequence[int], now: dt.datetime) -> dict[int, dt.date]:
    """The day each notice is judged on (see :func:`judge_day`).

    Company age and qualification expiry are measured on this day, as the notice will check them.
    """
    today = local_day(now)
    days = _last_days(session, notice_ids)
    rolling: dict[int, bool] = {}
    for chunk in _chunks(notice_ids):
        query = sa.select(col(NoticeRow.id), col(NoticeRow.rolling)).where(col(NoticeRow.id).in_(chunk))
        rolling.update((int(i or 0), bool(r)) for i, r in session.connection().execute(query))
    return {i: judge_day(days.get(i), rolling.get(i, False), today) for i in notice_ids}


def needs_notice_region(conditions: Iterable[Condition]) -> bool:
    """Whether any condition names a region relative to the notice (本市, 本省…)."""
    for cond in conditions:
        if cond.field != "registered_region":
            continue
        values = cond.value if isinstance(cond.value, list | tuple) else [cond.value]
        if any(isinstance(v, str) and relative_level(v) is not None for v in values):
            return True
    return False


def _region_at(text: str, start: int, *, units_only: bool) -> Region | None:
    """The longest region name starting at ``start`` (ending in 省/市/区/县… when ``units_only``)."""
    for end in range(min(len(text), start + _LONGEST_NAME), start + 1, -1):
        if units_only and text[end - 1] not in _UNITS:
            continue
        try:
            return resolve_region(text[start:end])
        except RegionError:
            continue
    return None


@functools.lru_cache(maxsize=4096)
def notice_region(issuer: str | None, title: str, level: str | None) -> Region | None:
    """The region a notice belongs to, for 本市/本省 in its conditions; None when it cannot be told.

    A national notice belongs to 中国. Otherwise the issuer's leading name decides (湖州市经济和信息化局
    → 湖州市, 浙江监管局 → 浙江省), else the first full region name in the title (关于开展杭州市… → 杭州市).

    >>> notice_region("杭州市余杭区人民政府", "关于印发若干政策的通知", "district").name
    '余杭区'
    """
    if level == "national":
        return region_by_code(COUNTRY_CODE)
    if issuer:
        found = _region_at(issuer.strip(), 0, units_only=False)
        if found is not None:
            return found
    for start in range(len(title)):
        found = _region_at(title, start, units_only=True)
        if found is not None:
            return found
    log.debug("no region for notice %r (issuer %r)", title, issuer)
    return None
