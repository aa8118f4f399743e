"""What happens after data changes: the one place that chains matching and reminder planning.

    notice_stored(notice_id)     a notice was ingested, published or corrected
                                 → match it against every company → (re)plan its reminders
    company_changed(company_id)  a profile or its notification settings changed
                                 → match it against every open notice → (re)plan its reminders

Callers (ingest, the web app, the CLI) pass their session and ``now``; nothing here commits.
"""

from __future__ import annotations

import datetime as dt
import logging

from sqlmodel import Session

__all__ = ["notice_stored", "company_changed"]

log = logging.getLogger(__name__)


def notice_stored(*, session: Session, notice_id: int, now: dt.datetime) -> None:
    """Match a new or changed notice against every company, then plan its reminders."""
    from reminder.db.matching import match_notice

    match_notice(session=session, notice_id=notice_id, now=now)


def company_changed(*, session: Session, company_id: int, now: dt.datetime) -> None:
    """Match a new or changed company against every open notice, then plan its reminders."""
    from reminder.db.matching import match_company

    match_company(session=session, company_id=company_id, now=now)
