"""Digests: for each company that wants one, the open notices that concern it, soonest deadline first.

    company (digest daily | weekly) ─ slot due? (planning.digest_slot) ─ already planned? ─ items ─ none → nothing
                                                                                              └─ one row per open channel

The items are the notices the company's page lists as open (``reminder.matching.company_matches``:
one rule, so a notice the page shows as history is never counted as 进行中 in a digest) with a
stored eligible or possibly eligible verdict (the one reminders follow).
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Sequence
from typing import Any

from sqlmodel import Session, col, select

from reminder.config import Settings
from reminder.db.models import Channel, Company, DeadlineRow, Match, Reminder
from reminder.errors import ProfileError
from reminder.matching import company_matches
from reminder.notify._outbox_rows import PlanStats, apply_plans
from reminder.notify._replan import channel_open
from reminder.notify.links import view_url
from reminder.notify.payloads import digest_item, digest_payload
from reminder.notify.planning import CONCERNED, PLANNED_KINDS, digest_slot, plan_digest

__all__ = ["plan_digests"]

log = logging.getLogger(__name__)


def _next_deadline(deadlines: Sequence[DeadlineRow], now: dt.datetime) -> DeadlineRow | None:
    """The soonest active deadline still ahead, reminded kinds first; else one to be announced."""
    ahead = [d for d in deadlines if d.active and d.at is not None and d.at > now]
    for pool in ([d for d in ahead if d.kind in PLANNED_KINDS], ahead):
        if pool:
            return min(pool, key=lambda d: (d.at, d.id))
    return next((d for d in deadlines if d.active and d.to_be_announced), None)


def _items(session: Session, company: Company, now: dt.datetime, settings: Settings) -> list[dict[str, Any]]:
    """The notices the company's page lists as open, with a stored eligible or possibly eligible verdict."""
    assert company.id is not None
    try:
        views = company_matches(session=session, company_id=company.id, now=now)
    except ProfileError as exc:  # a profile stored before a rule change: no digest until it is fixed
        log.warning("company %d: no digest: %s", company.id, exc)
        return []
    query = select(Match).where(Match.company_id == company.id, col(Match.status).in_(CONCERNED))
    matches = {m.notice_id: m for m in session.exec(query).all()}
    link = view_url(company.id, company.view_salt, settings)
    items = []
    for view in views:
        match = matches.get(view.notice.id or 0)
        if view.open and match is not None:
            deadline = _next_deadline(list(view.deadlines), now)
            items.append(digest_item(notice=view.notice, deadline=deadline, match=match, now=now, link=link))
    return items


def _planned_keys(session: Session, keys: list[str]) -> set[str]:
    return set(session.exec(select(Reminder.key).where(col(Reminder.key).in_(keys))).all())


def plan_digests(*, session: Session, now: dt.datetime, settings: Settings) -> PlanStats:
    """Plan the current digest of every company that wants one (daily or weekly), once per slot.

    A digest lists the company's open notices with an eligible or possibly-eligible verdict, soonest
    deadline first, with the profile data still missing; an empty one is not planned.

    Args:
        session: the session (flushed, not committed).
        now: the planning instant (timezone-aware).
        settings: reminder_hour, digest_weekday and the link base.

    Returns:
        What changed in the outbox.
    """
    stats = PlanStats()
    wanted = col(Company.digest).in_(("daily", "weekly"))
    for company in session.exec(select(Company).where(wanted).order_by(col(Company.id))).all():
        assert company.id is not None
        slot = digest_slot(
            digest=company.digest, now=now, hour=settings.reminder_hour, weekday=settings.digest_weekday
        )
        channels = session.exec(
            select(Channel).where(Channel.company_id == company.id).order_by(col(Channel.id))
        ).all()
        open_ids = [c.id for c in channels if c.id is not None and channel_open(c, company)]
        if slot is None or not open_ids:
            continue
        probe = plan_digest(
            company_id=company.id, channel_ids=open_ids, digest=company.digest, now=now,
            hour=settings.reminder_hour, weekday=settings.digest_weekday, items=1,
        )  # fmt: skip
        if _planned_keys(session, [p.key for p in probe]) == {p.key for p in probe}:
            continue
        items = _items(session, company, now, settings)
        plans = [p for p in probe if items]
        payload = digest_payload(company=company, items=items, settings=settings)
        stats += apply_plans(session, [(p, payload) for p in plans], now)
    if stats.inserted:
        log.info("digests planned: %s", stats)
    return stats
