"""What happens after data changes: the one place that chains matching and reminder planning.

    notice_stored(notice_id)     a notice was ingested, published or corrected
                                 → match it against every company → (re)plan its reminders
    company_changed(company_id)  a profile or its notification settings changed
                                 → match it against every open notice → (re)plan its reminders

Callers (ingest, the web app, the CLI, the scheduler's jobs) pass their session and ``now``; nothing
here commits. This module sits on top of matching and reminder planning and is imported by nothing
below it.
"""

from __future__ import annotations

import datetime as dt
import logging

from sqlmodel import Session

from reminder.config import Settings, get_settings
from reminder.matching import match_company, match_notice
from reminder.notify.outbox import replan_company, replan_notice

__all__ = ["notice_stored", "company_changed"]

log = logging.getLogger(__name__)


def notice_stored(
    *, session: Session, notice_id: int, now: dt.datetime, settings: Settings | None = None
) -> None:
    """Match a new or changed notice against every company, then plan its reminders.

    Args:
        session: the caller's session (flushed, not committed).
        notice_id: the notice stored.
        now: the instant (planning decides what is late or passed from it).
        settings: reminder hour and links; default ``get_settings()``.
    """
    match_notice(session=session, notice_id=notice_id, now=now)
    replan_notice(session=session, notice_id=notice_id, now=now, settings=settings or get_settings())


def company_changed(
    *, session: Session, company_id: int, now: dt.datetime, settings: Settings | None = None
) -> None:
    """Match a new or changed company against every open notice, then plan its reminders.

    Also the call to make after a company's channels, offsets or digest choice changed: pending
    reminders to a disabled or unsubscribed channel are cancelled, new channels get theirs.

    Args:
        session: the caller's session (flushed, not committed).
        company_id: the company changed.
        now: the instant.
        settings: reminder hour and links; default ``get_settings()``.
    """
    match_company(session=session, company_id=company_id, now=now)
    replan_company(session=session, company_id=company_id, now=now, settings=settings or get_settings())
