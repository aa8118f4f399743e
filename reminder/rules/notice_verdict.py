"""Judging a whole notice for a company: its scope, its conditions, on the right day.

    judge_notice(notice, profile)   scope (hard) + conditions, judged on the notice's last deadline
    judging_day(notice)             the last dated deadline: for batches the latest batch, so an age or
                                    a threshold is checked when the last open batch closes
    notice_state(notice, today)     open | rolling | closed: a notice whose last deadline has passed is
                                    closed (history) whatever its wording; only a call that says
                                    常年/常态化 and gives no date is rolling

The same rules are what matching stores, so pages, API, reminders and iCal show one verdict.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Literal

from reminder.calendar import TZ
from reminder.model import Deadline, Notice

from ._results import Verdict
from .engine import judge
from .profile import Profile
from .regions import Region
from .scope import judged_conditions, scope_of, scope_region

__all__ = ["NoticeState", "judging_day", "last_deadline_day", "notice_state", "judge_notice"]

NoticeState = Literal["open", "rolling", "closed"]


def last_deadline_day(deadlines: Iterable[Deadline]) -> dt.date | None:
    """The latest dated deadline (any kind: a window's end, the last batch), None without dates."""
    days = [d.date for d in deadlines if d.date is not None]
    return max(days) if days else None


def notice_state(notice: Notice, today: dt.date) -> NoticeState:
    """Whether a company can still apply on ``today``.

    Args:
        notice: the notice.
        today: the day in Asia/Shanghai.

    Returns:
        "closed" when its last dated deadline is before ``today``; "rolling" for a 常年/常态化 call
        without dates; else "open" (a dated deadline ahead, or one to be announced).
    """
    last = last_deadline_day(notice.deadlines)
    if last is not None:
        return "closed" if last < today else "open"
    return "rolling" if notice.rolling else "open"


def judging_day(notice: Notice, today: dt.date | None = None) -> dt.date:
    """The day a notice's conditions are checked: its last deadline; ``today`` when it has no date."""
    last = last_deadline_day(notice.deadlines)
    if last is not None:
        return last
    return today if today is not None else dt.datetime.now(TZ).date()


def judge_notice(
    notice: Notice,
    profile: Profile,
    *,
    on: dt.date | None = None,
    today: dt.date | None = None,
    notice_region: Region | None = None,
) -> Verdict:
    """The verdict of one company on one notice, with the notice's scope as a hard condition.

    Args:
        notice: from the extractor; ``notice.scope`` (name, path) when known.
        profile: the company.
        on: the day to judge on; default :func:`judging_day`.
        today: used only when the notice has no dated deadline (default: today in Asia/Shanghai).
        notice_region: the notice's own region, for 本市/本省 written in its conditions; default the
            scope's region.

    Returns:
        The verdict; a company outside the scope is not eligible, an unknown scope gives at best
        possibly eligible (请确认适用地区).
    """
    day = on if on is not None else judging_day(notice, today)
    scope = scope_of(notice)
    conditions = judged_conditions(notice)
    region = notice_region if notice_region is not None else scope_region(scope)
    return judge(conditions, profile, on=day, notice_region=region)
