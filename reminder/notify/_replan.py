"""Replanning after data changed: a notice's deadlines, a company's verdict or channels, or the clock.

replan_notice(notice) ──┐  for each company with a verdict on the notice or a pending reminder for it:
replan_company(company) ┴─   plan  (planning.plan_change, then plan_deadline per active deadline)
                             cancel pending rows whose reason went away (see ``_why_cancel``)
                             write (``_outbox_rows.apply_plans``)
sweep(now) ── cancel rows whose deadline passed or moved, replan every open notice, plan digests
"""

from __future__ import annotations

import datetime as dt
import logging
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlmodel import Session, col, select

from reminder.config import Settings
from reminder.db.models import Channel, Company, DeadlineRow, Match, NoticeChange, NoticeRow, Reminder
from reminder.db.store import list_open_notices
from reminder.notify._outbox_rows import PlanStats, apply_plans, cancel_rows
from reminder.notify.clock import planning_instant
from reminder.notify.payloads import notice_json, reminder_payload, verdict_json
from reminder.notify.planning import (
    CONCERNED,
    PLANNED_KINDS,
    DeadlineFacts,
    PlannedReminder,
    offset_times,
    plan_change,
    plan_deadline,
)

__all__ = [
    "CHANNEL_OFF",
    "replan_notice",
    "replan_company",
    "replan_companies",
    "cancel_stale",
    "channel_open",
    "deadline_reason",
    "facts",
    "sweep_notices",
]

log = logging.getLogger(__name__)

#: Reminder.cancelled_reason values
CHANNEL_OFF = "渠道已停用或退订 / channel disabled or unsubscribed"
NOT_CONCERNED = "企业不再符合条件 / company no longer eligible"
NOTICE_CLOSED = "通知已撤回或不再接受申报 / notice withdrawn or closed"
DEADLINE_MOVED = "截止日期已变更 / deadline changed"
DEADLINE_UNDATED = "截止日期已取消或待定 / deadline removed or to be announced"
DEADLINE_PASSED = "截止日期已过 / deadline passed"
OFFSET_DROPPED = "提醒时间已不在计划内 / reminder offset no longer planned"


def facts(row: DeadlineRow) -> DeadlineFacts:
    assert row.id is not None
    return DeadlineFacts(row.id, row.notice_id, row.kind, row.at, row.to_be_announced, row.active)


def channel_open(channel: Channel, company: Company) -> bool:
    """Whether a channel may receive messages: enabled, confirmed (double opt-in), not an unsubscribed email."""
    if not channel.enabled or channel.unconfirmed:
        return False
    return not (channel.kind == "email" and company.email_unsubscribed)


def _notice_open(notice: NoticeRow) -> bool:
    return notice.status == "published" and not notice.policy_only


@dataclass
class _NoticeContext:
    """Everything about one notice that planning for its companies reads."""

    notice: NoticeRow
    deadlines: dict[int, DeadlineRow]
    matches: dict[int, Match]
    rows: dict[int, list[Reminder]]
    companies: dict[int, Company]
    channels: dict[int, list[Channel]]
    #: new deadline id → the deadline id it replaced (NoticeChange "deadline_changed")
    previous: dict[int, int]


def _load(session: Session, notice: NoticeRow, company_ids: Sequence[int] | None) -> _NoticeContext:
    nid = notice.id
    deadlines = {
        d.id: d for d in session.exec(select(DeadlineRow).where(DeadlineRow.notice_id == nid)).all() if d.id
    }
    mq = select(Match).where(Match.notice_id == nid)
    rq = select(Reminder).where(Reminder.notice_id == nid)
    if company_ids is not None:
        mq = mq.where(col(Match.company_id).in_(company_ids))
        # ``+ 0`` keeps SQLite (no table statistics) off the notice index: it read every reminder of
        # the notice once per few hundred companies, quadratic in a bulk import
        rq = select(Reminder).where(
            col(Reminder.notice_id) + 0 == nid, col(Reminder.company_id).in_(company_ids)
        )
    matches = {m.company_id: m for m in session.exec(mq).all()}
    rows: dict[int, list[Reminder]] = defaultdict(list)
    for r in session.exec(rq.order_by(col(Reminder.id))).all():
        rows[r.company_id].append(r)
    ids = sorted(set(matches) | set(rows))
    companies = {c.id: c for c in session.exec(select(Company).where(col(Company.id).in_(ids))).all() if c.id}
    channels: dict[int, list[Channel]] = defaultdict(list)
    for ch in session.exec(
        select(Channel).where(col(Channel.company_id).in_(ids)).order_by(col(Channel.id))
    ).all():
        channels[ch.company_id].append(ch)
    cq = select(NoticeChange).where(NoticeChange.notice_id == nid, NoticeChange.what == "deadline_changed")
    previous = {
        int(c.new["deadline_id"]): int(c.old["deadline_id"])
        for c in session.exec(cq.order_by(col(NoticeChange.id))).all()
        if c.old and c.new and c.old.get("deadline_id") is not None and c.new.get("deadline_id") is not None
    }
    return _NoticeContext(notice, deadlines, matches, rows, companies, channels, previous)


def _reminded(rows: Sequence[Reminder], deadline_id: int) -> set[int]:
    """Channels that were sent a reminder about this deadline."""
    return {
        r.channel_id
        for r in rows
        if r.deadline_id == deadline_id and r.status == "sent" and r.purpose != "digest"
    }


def _covered(rows: Sequence[Reminder], deadline_id: int) -> set[int]:
    """Channels with a live (not cancelled) reminder about this deadline: no "new call" for them."""
    return {r.channel_id for r in rows if r.deadline_id == deadline_id and r.status != "cancelled"}


def _ancestors(ctx: _NoticeContext, deadline_id: int) -> list[int]:
    """The deadlines this one replaced, nearest first (a deadline may move more than once)."""
    chain: list[int] = []
    current = ctx.previous.get(deadline_id)
    while current is not None and current not in chain:
        chain.append(current)
        current = ctx.previous.get(current)
    return chain


def _changes_for(
    ctx: _NoticeContext,
    company_id: int,
    open_ids: list[int],
    deadline: DeadlineRow,
    verdict: str | None,
    now: dt.datetime,
) -> list[PlannedReminder]:
    """One "changed" message per channel reminded of a deadline this one replaced (the nearest such)."""
    plans: list[PlannedReminder] = []
    told: set[int] = set()
    for old_id in _ancestors(ctx, facts(deadline).id):
        channels = [c for c in open_ids if c in _reminded(ctx.rows[company_id], old_id) and c not in told]
        told.update(channels)
        plans += plan_change(
            company_id=company_id, channel_ids=channels, old_deadline_id=old_id,
            new=facts(deadline), verdict=verdict, now=now,
        )  # fmt: skip
    return plans


def _plans_for(
    ctx: _NoticeContext, company: Company, now: dt.datetime, settings: Settings
) -> list[PlannedReminder]:
    assert company.id is not None
    if not _notice_open(ctx.notice):
        return []
    verdict = ctx.matches[company.id].status if company.id in ctx.matches else None
    open_ids = [ch.id for ch in ctx.channels[company.id] if ch.id is not None and channel_open(ch, company)]
    plans: list[PlannedReminder] = []
    for deadline in ctx.deadlines.values():
        if not deadline.active:
            continue
        changed = _changes_for(ctx, company.id, open_ids, deadline, verdict, now)
        covered = _covered(ctx.rows[company.id], facts(deadline).id) | {p.channel_id for p in changed}
        plans += changed
        plans += plan_deadline(
            company_id=company.id, channel_ids=open_ids, offsets=company.reminder_offsets, deadline=facts(deadline),
            verdict=verdict, now=now, hour=settings.reminder_hour, covered=frozenset(covered),
        )  # fmt: skip
    return plans


def deadline_reason(deadline: DeadlineRow | None, now: dt.datetime) -> str | None:
    """Why reminders about this deadline must not go out (moved, undated, passed), or None."""
    if deadline is None or not deadline.active:
        return DEADLINE_MOVED
    if deadline.to_be_announced or deadline.at is None or deadline.kind not in PLANNED_KINDS:
        return DEADLINE_UNDATED
    if deadline.at <= now:
        return DEADLINE_PASSED
    return None


def _why_cancel(
    row: Reminder, ctx: _NoticeContext, company: Company | None, settings: Settings, now: dt.datetime
) -> str | None:
    """Why a pending reminder about this notice should not go out any more, or None to keep it."""
    channel = next((c for c in ctx.channels[row.company_id] if c.id == row.channel_id), None)
    if company is None or channel is None or not channel_open(channel, company):
        return CHANNEL_OFF
    match = ctx.matches.get(row.company_id)
    if match is None or match.status not in CONCERNED:
        return NOT_CONCERNED
    if not _notice_open(ctx.notice):
        return NOTICE_CLOSED
    deadline = ctx.deadlines.get(row.deadline_id) if row.deadline_id is not None else None
    reason = deadline_reason(deadline, now)
    if reason or row.purpose != "before" or deadline is None or deadline.at is None:
        return reason
    offsets = {o for o, _ in offset_times(deadline.at, company.reminder_offsets, hour=settings.reminder_hour)}
    return None if row.offset_days in offsets else OFFSET_DROPPED


def _replan(
    session: Session,
    notice: NoticeRow,
    company_ids: Sequence[int] | None,
    now: dt.datetime,
    settings: Settings,
) -> PlanStats:
    ctx = _load(session, notice, company_ids)
    stats = PlanStats()
    for company_id in sorted(set(ctx.matches) | set(ctx.rows)):
        company = ctx.companies.get(company_id)
        pending = [r for r in ctx.rows[company_id] if r.status == "pending"]
        reasons = [(r, _why_cancel(r, ctx, company, settings, now)) for r in pending]
        stats += cancel_rows(session, [(r, why) for r, why in reasons if why], now)
        if company is None:
            continue
        plans = _plans_for(ctx, company, now, settings)
        stats += apply_plans(session, [(p, _payload(ctx, company, p, settings)) for p in plans], now)
    return stats


class _SharedParts:
    """The payload parts that reminders about one notice share, built once: the notice, and each
    verdict (a bulk import plans tens of thousands of reminders for a handful of notices and verdicts)."""

    def __init__(self, notice: NoticeRow) -> None:
        self.notice = notice_json(notice)
        self._verdicts: dict[tuple[str, int], dict[str, Any]] = {}

    def verdict(self, match: Match | None) -> dict[str, Any]:
        if match is None:
            return verdict_json(None)
        key = (match.status, match.verdict_id)  # equal verdicts share one Verdict row
        if key not in self._verdicts:
            self._verdicts[key] = verdict_json(match)
        return self._verdicts[key]


def _payload(
    ctx: _NoticeContext,
    company: Company,
    plan: PlannedReminder,
    settings: Settings,
    shared: _SharedParts | None = None,
) -> dict[str, Any]:
    assert company.id is not None and plan.deadline_id is not None
    deadline = ctx.deadlines[plan.deadline_id]
    previous = ctx.deadlines.get(plan.previous_deadline_id) if plan.previous_deadline_id is not None else None
    match = ctx.matches.get(company.id)
    return reminder_payload(
        company=company, notice=ctx.notice, deadline=deadline, match=match,
        now=plan.due_at, settings=settings, change=(previous, deadline) if previous is not None else None,
        notice_part=shared.notice if shared else None, verdict_part=shared.verdict(match) if shared else None,
    )  # fmt: skip


def replan_notice(*, session: Session, notice_id: int, now: dt.datetime, settings: Settings) -> PlanStats:
    """Bring a notice's reminders up to date for every company (after ingest, correction or matching).

    Args:
        session: the session (flushed, not committed).
        notice_id: the notice.
        now: the planning instant (timezone-aware).
        settings: reminder_hour and the link base.

    Returns:
        What changed in the outbox.
    """
    now = planning_instant(now)  # a demo day never plans reminders: the real clock does
    notice = session.get(NoticeRow, notice_id)
    if notice is None:
        return PlanStats()
    stats = _replan(session, notice, None, now, settings)
    log.info("notice %d: %s", notice_id, stats)
    return stats


def replan_company(*, session: Session, company_id: int, now: dt.datetime, settings: Settings) -> PlanStats:
    """Bring a company's reminders up to date (after its profile, offsets, digest or channels changed).

    Args:
        session: the session (flushed, not committed).
        company_id: the company.
        now: the planning instant (timezone-aware).
        settings: reminder_hour and the link base.

    Returns:
        What changed in the outbox (pending digests to closed channels are cancelled too).
    """
    now = planning_instant(now)  # a demo day never plans reminders: the real clock does
    company = session.get(Company, company_id)
    matched = session.exec(select(Match.notice_id).where(Match.company_id == company_id)).all()
    queued = session.exec(
        select(Reminder.notice_id).where(Reminder.company_id == company_id, Reminder.status == "pending")
    ).all()
    stats = PlanStats()
    for notice_id in sorted({n for n in [*matched, *queued] if n is not None}):
        notice = session.get(NoticeRow, notice_id)
        if notice is not None:
            stats += _replan(session, notice, [company_id], now, settings)
    stats += _cancel_digests(session, company_id, company, now)
    log.info("company %d: %s", company_id, stats)
    return stats


#: companies per load in ``replan_companies``
_MANY = 200


def _pending() -> Any:
    """``status = 'pending'`` that SQLite does not answer from the status index (every pending
    reminder) when a few hundred companies' reminders are wanted (their index is the short way)."""
    return col(Reminder.status).concat("") == "pending"


def _replan_many(
    session: Session, notice: NoticeRow, company_ids: Sequence[int], now: dt.datetime, settings: Settings
) -> PlanStats:
    """``_replan`` for a few hundred companies, their plans written in one ``apply_plans``."""
    ctx = _load(session, notice, company_ids)
    shared = _SharedParts(notice)
    stats = PlanStats()
    planned: list[tuple[PlannedReminder, dict[str, Any]]] = []
    for company_id in sorted(set(ctx.matches) | set(ctx.rows)):
        company = ctx.companies.get(company_id)
        pending = [r for r in ctx.rows[company_id] if r.status == "pending"]
        reasons = [(r, _why_cancel(r, ctx, company, settings, now)) for r in pending]
        stats += cancel_rows(session, [(r, why) for r, why in reasons if why], now)
        if company is not None:
            planned += [
                (p, _payload(ctx, company, p, settings, shared))
                for p in _plans_for(ctx, company, now, settings)
            ]
    return stats + apply_plans(session, planned, now)


def replan_companies(
    *, session: Session, company_ids: Sequence[int], now: dt.datetime, settings: Settings
) -> PlanStats:
    """``replan_company`` for many companies at once (a bulk import): per notice with a verdict or a
    pending reminder of theirs, one load and one write per few hundred companies.

    Args:
        session: the session (flushed, not committed).
        company_ids: the companies.
        now: the planning instant (timezone-aware).
        settings: reminder_hour and the link base.

    Returns:
        What changed in the outbox.
    """
    now = planning_instant(now)
    ids = sorted(set(company_ids))
    stats = PlanStats()
    for start in range(0, len(ids), _MANY):
        chunk = ids[start : start + _MANY]
        matched = select(Match.notice_id).where(col(Match.company_id).in_(chunk))
        queued = select(Reminder.notice_id).where(col(Reminder.company_id).in_(chunk), _pending())
        notice_ids = {*session.exec(matched.distinct()).all(), *session.exec(queued.distinct()).all()}
        for notice_id in sorted(n for n in notice_ids if n is not None):
            notice = session.get(NoticeRow, notice_id)
            if notice is not None:
                stats += _replan_many(session, notice, chunk, now, settings)
        digests = select(Reminder.company_id).where(
            col(Reminder.company_id).in_(chunk), Reminder.purpose == "digest", _pending()
        )
        for company_id in sorted(set(session.exec(digests.distinct()).all())):
            stats += _cancel_digests(session, company_id, session.get(Company, company_id), now)
    log.info("%d companies replanned: %s", len(ids), stats)
    return stats


def _cancel_digests(
    session: Session, company_id: int, company: Company | None, now: dt.datetime
) -> PlanStats:
    query = select(Reminder).where(
        Reminder.company_id == company_id, Reminder.purpose == "digest", Reminder.status == "pending"
    )
    channels = {c.id: c for c in session.exec(select(Channel).where(Channel.company_id == company_id)).all()}
    doomed = []
    for row in session.exec(query).all():
        channel = channels.get(row.channel_id)
        if (
            company is None
            or company.digest == "off"
            or channel is None
            or not channel_open(channel, company)
        ):
            doomed.append(
                (
                    row,
                    CHANNEL_OFF if company and company.digest != "off" else "摘要已关闭 / digest turned off",
                )
            )
    return cancel_rows(session, doomed, now)


def cancel_stale(*, session: Session, now: dt.datetime) -> PlanStats:
    """Cancel every pending reminder whose deadline has passed, moved or lost its date."""
    query = (
        select(Reminder, DeadlineRow)
        .join(DeadlineRow, col(DeadlineRow.id) == col(Reminder.deadline_id))
        .where(Reminder.status == "pending")
        .where((col(DeadlineRow.at) <= now) | col(DeadlineRow.at).is_(None) | ~col(DeadlineRow.active))
    )
    doomed = []
    for row, deadline in session.exec(query).all():
        reason = deadline_reason(deadline, now)
        if reason:
            doomed.append((row, reason))
    return cancel_rows(session, doomed, now)


def sweep_notices(*, session: Session, now: dt.datetime, settings: Settings) -> PlanStats:
    """The periodic safety net: cancel stale reminders, then replan every open notice with verdicts."""
    stats = cancel_stale(session=session, now=now)
    with_matches = set(session.exec(select(Match.notice_id).distinct()).all())
    for notice in list_open_notices(session=session, now=now):
        if notice.id in with_matches:
            stats += _replan(session, notice, None, now, settings)
    return stats
