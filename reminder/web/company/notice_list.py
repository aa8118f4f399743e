"""The public list of open notices (home page and ``GET /api/notices``): titles and deadlines only,
nothing about any company.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from sqlmodel import Session

from reminder.db.models import DeadlineRow, NoticeRow
from reminder.db.store import list_deadlines, list_open_notices
from reminder.web.company.common import TZ

__all__ = ["OpenNotice", "open_notices", "notice_line", "next_deadline", "days_until"]


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


def notice_line(*, session: Session, notice: NoticeRow, now: dt.datetime) -> OpenNotice:
    """The notice with its active deadlines and the next one."""
    assert notice.id is not None
    deadlines = tuple(list_deadlines(session=session, notice_id=notice.id))
    upcoming = next_deadline(deadlines, now)
    days = days_until(upcoming.at, now) if upcoming is not None and upcoming.at is not None else None
    return OpenNotice(notice, deadlines, upcoming, days)


def _order(item: OpenNotice) -> tuple[int, dt.datetime, int]:
    at = item.next_deadline.at if item.next_deadline is not None else None
    return (0 if at else 1, at or dt.datetime.max.replace(tzinfo=dt.UTC), item.notice.id or 0)


def open_notices(*, session: Session, now: dt.datetime) -> list[OpenNotice]:
    """Published notices one can still apply to, soonest deadline first (rolling ones last)."""
    rows = list_open_notices(session=session, now=now)
    return sorted((notice_line(session=session, notice=row, now=now) for row in rows), key=_order)
