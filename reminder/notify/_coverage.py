"""Which years reminders are planned in without official holiday data (dashboard and /metrics)."""

from __future__ import annotations

import datetime as dt

from sqlmodel import Session, col, func, select

from reminder.calendar import TZ
from reminder.db.models import DeadlineRow
from reminder.holidays import covered

__all__ = ["planning_years", "years_without_holidays"]


def planning_years(*, session: Session, now: dt.datetime) -> tuple[int, ...]:
    """This year and every year holding an active deadline still ahead, ascending."""
    latest = session.exec(
        select(func.max(DeadlineRow.at)).where(col(DeadlineRow.active), col(DeadlineRow.at) > now)
    ).one()
    first = now.astimezone(TZ).year
    last = max(first, latest.astimezone(TZ).year if latest is not None else first)
    return tuple(range(first, last + 1))


def years_without_holidays(*, session: Session, now: dt.datetime) -> tuple[int, ...]:
    """The planning years whose working days fall back to Monday–Friday (no table, no package data)."""
    return tuple(y for y in planning_years(session=session, now=now) if not covered(y))
