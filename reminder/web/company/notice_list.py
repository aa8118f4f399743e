"""The public list of open notices (home page and ``GET /api/notices``): titles and deadlines only,
nothing about any company.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from sqlmodel import Session, col, select

from reminder.db.models import DeadlineRow, NoticeRow
from reminder.db.store import (
    list_deadlines,
    list_deadlines_for,
    list_open_deadlines,
    list_open_notices,
    rank_open_notices,
)
from reminder.web.company.common import TZ

__all__ = [
    "OpenNotice",
    "open_notices",
    "open_notices_page",
    "notice_line",
    "line_of",
    "next_deadline",
    "days_until",
]


@dataclass(frozen=True)
class OpenNotice:
    """One notice with its current deadlines."""

    notice: NoticeRow
    #: active deadlines, in the order the notice states them
    deadlines: tuple[DeadlineRow, ...]
    #: the earliest deadline still ahead (None: rolling, or all to be announced)
    next_deadline: DeadlineRow | None
    #: calendar days (Asia/Shanghai) until next_deadline
    days_left: int | None


def days_until(at: dt.datetime, now: dt.datetime) -> int:
    """Calendar days from today to the deadline's day, both in Asia/Shanghai (0 = today)."""
    return (at.astimezone(TZ).date() - now.astimezone(TZ).date()).days


def next_deadline(deadlines: Sequence[DeadlineRow], now: dt.datetime) -> DeadlineRow | None:
    """The earliest deadline still ahead of ``now``, or None."""
    ahead = [d for d in deadlines if d.at is not None and d.at > now]
    return min(ahead, key=lambda d: (d.at, d.id or 0)) if ahead else None


def line_of(notice: NoticeRow, deadlines: Sequence[DeadlineRow], now: dt.datetime) -> OpenNotice:
    """The notice with these (active) deadlines and the next one."""
    upcoming = next_deadline(deadlines, now)
    days = days_until(upcoming.at, now) if upcoming is not None and upcoming.at is not None else None
    return OpenNotice(notice, tuple(deadlines), upcoming, days)


def notice_line(*, session: Session, notice: NoticeRow, now: dt.datetime) -> OpenNotice:
    """The notice with its active deadlines and the next one."""
    assert notice.id is not None
    return line_of(notice, list_deadlines(session=session, notice_id=notice.id), now)


def _order(item: OpenNotice) -> tuple[int, dt.datetime, int]:
    at = item.next_deadline.at if item.next_deadline is not None else None
    return (0 if at else 1, at or dt.datetime.max.replace(tzinfo=dt.UTC), item.notice.id or 0)


def open_notices(*, session: Session, now: dt.datetime) -> list[OpenNotice]:
    """Published notices one can still apply to, soonest deadline first (rolling ones last)."""
    rows = list_open_notices(session=session, now=now)
    deadlines = list_open_deadlines(session=session, now=now)
    return sorted((line_of(row, deadlines.get(row.id or 0, ()), now) for row in rows), key=_order)


def open_notices_page(
    *, session: Session, now: dt.datetime, offset: int, limit: int
) -> tuple[int, list[OpenNotice]]:
    """One page of :func:`open_notices` (the same order) and how many there are in all.

    Only the page's notices and deadlines are loaded: ranking every open notice takes one light query
    (ids and next deadline instants), not an object per notice and deadline.
    """
    ranked = rank_open_notices(session=session, now=now)
    ids = [notice_id for notice_id, _ in ranked[offset : offset + limit]]
    if not ids:
        return len(ranked), []
    rows = {row.id: row for row in session.exec(select(NoticeRow).where(col(NoticeRow.id).in_(ids))).all()}
    deadlines = list_deadlines_for(session=session, notice_ids=ids)
    return len(ranked), [line_of(rows[i], deadlines[i], now) for i in ids if i in rows]
