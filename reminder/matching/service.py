"""Incremental matching: verdicts of companies against notices, kept up to date as either side changes.

    match_notice(notice)     a notice was stored or changed
                             → SQL prefilter over the companies table → the engine judges only the
                               candidates (once per distinct input) → one bulk upsert of verdicts
                             → matches of companies no longer candidates are deleted (not eligible)
    match_company(company)   a profile changed → judged against every open notice, every verdict saved
    (company_matches, what ``reminder match`` and the company page show: company_verdicts.py)
    match_new_companies(ids) thousands of companies just imported → per open notice, the bulk judging
                             of match_notice limited to them → their counts recounted at once

Statuses are the engine's: eligible / possibly_eligible / not_eligible. Each notice is judged on its
last active deadline's date (company age and qualification expiry are measured then), or on today's
date when it has none. Drafts and policy texts are not matched. Nothing here commits.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from sqlmodel import Session, col

from reminder.companies.profiles import profile_from_company
from reminder.db.match_counts import counting_notice, recount_companies, recount_company
from reminder.db.models import Company, DeadlineRow, NoticeRow
from reminder.db.verdicts import digest
from reminder.errors import NotFoundError
from reminder.matching._match_notices import (
    judge_days,
    needs_notice_region,
    notice_conditions,
    notice_region,
)
from reminder.matching._match_rows import (
    delete_matches_except,
    drop_unused_verdicts,
    notice_verdicts,
    stored_digests,
    upsert_matches,
)
from reminder.matching._notice_match import judge_notice
from reminder.matching._profile_judge import ProfileJudge, open_judgings
from reminder.rules import ConditionResult, Verdict, VerdictStatus

__all__ = [
    "MatchStats",
    "MatchView",
    "VERDICT_ORDER",
    "match_notice",
    "match_company",
    "match_new_companies",
]

log = logging.getLogger(__name__)

#: verdicts from best to worst: the order ``company_matches`` lists them in
VERDICT_ORDER: tuple[VerdictStatus, ...] = ("eligible", "possibly_eligible", "not_eligible")


@dataclass(frozen=True)
class MatchStats:
    """What one matching run did."""

    #: verdicts computed and saved (candidate companies, or open notices)
    evaluated: int = 0
    eligible: int = 0
    possibly_eligible: int = 0
    not_eligible: int = 0
    #: stale matches deleted (companies no longer candidates, or a notice no longer matchable)
    removed: int = 0
    #: why nothing was judged (a draft, a policy text), else None
    skipped: str | None = None


def _stats(statuses: Sequence[tuple[str, int]], removed: int = 0) -> MatchStats:
    counts: Counter[str] = Counter()
    for status, count in statuses:
        counts[status] += count
    return MatchStats(
        evaluated=counts.total(),
        eligible=counts["eligible"],
        possibly_eligible=counts["possibly_eligible"],
        not_eligible=counts["not_eligible"],
        removed=removed,
    )


def _skip_reason(notice: NoticeRow) -> str | None:
    if notice.status != "published":
        return f"通知未发布（{notice.status}）/ notice not published"
    if notice.policy_only:
        return "政策文件，无申报事项 / policy text without a call to apply"
    return None


def _company(session: Session, company_id: int) -> Company:
    company = session.get(Company, company_id)
    if company is None:
        raise NotFoundError(f"没有编号为 {company_id} 的企业 / no company with id {company_id}")
    return company


def match_notice(*, session: Session, notice_id: int, now: dt.datetime) -> MatchStats:
    """Judge every candidate company for one notice and save the verdicts.

    Args:
        session: the session (flushed, not committed).
        notice_id: the notice stored or changed.
        now: the reference instant; its day is the judging day of a notice without dated deadlines.

    Returns:
        Counts of verdicts; drafts and policy texts are skipped and lose their matches.

    Raises:
        NotFoundError: no notice with this id.
    """
    notice = session.get(NoticeRow, notice_id)
    if notice is None:
        raise NotFoundError(f"没有编号为 {notice_id} 的通知 / no notice with id {notice_id}")
    reason = _skip_reason(notice)
    if reason is not None:
        with counting_notice(session, notice_id):
            removed = delete_matches_except(session=session, notice_id=notice_id, keep=None)
        drop_unused_verdicts(
            session=session, verdict_ids=notice_verdicts(session=session, notice_id=notice_id)
        )
        return MatchStats(removed=removed, skipped=reason)
    conditions = notice_conditions(session=session, notice_ids=[notice_id])[notice_id]
    on = judge_days(session=session, notice_ids=[notice_id], now=now)[notice_id]
    region = (
        notice_region(notice.issuer, notice.title, notice.level) if needs_notice_region(conditions) else None
    )
    with counting_notice(session, notice_id):
        statuses, removed = judge_notice(
            session=session, notice_id=notice_id, conditions=conditions, on=on, region=region, now=now
        )
    stats = _stats(statuses, removed)
    log.info("notice %d matched on %s: %s", notice_id, on, stats)
    return stats


def match_company(*, session: Session, company_id: int, now: dt.datetime) -> MatchStats:
    """Judge one company against every open notice and save every verdict (not eligible included).

    Args:
        session: the session (flushed, not committed).
        company_id: the company registered or changed.
        now: the reference instant: notices whose last deadline has passed are left alone.

    Returns:
        Counts of verdicts.

    Raises:
        NotFoundError: no company with this id.
        ProfileError: the stored profile is invalid.
    """
    judge = ProfileJudge(profile_from_company(_company(session, company_id)))
    rows = [(company_id, j.notice_id, *judge.stored(j)) for j in open_judgings(session=session, now=now)]
    stored = stored_digests(session=session, company_id=company_id)
    changed = [r for r in rows if r[1] not in stored or stored[r[1]][1] != digest(r[2:])]
    if upsert_matches(session=session, rows=changed, evaluated_at=now):
        drop_unused_verdicts(
            session=session, verdict_ids=[stored[r[1]][0] for r in changed if r[1] in stored]
        )
        recount_company(session, company_id)
    stats = _stats([(r[2], 1) for r in rows])
    log.info("company %d matched against %d open notices: %s", company_id, len(rows), stats)
    return stats


def match_new_companies(
    *,
    session: Session,
    company_ids: Sequence[int],
    now: dt.datetime,
    done: Callable[[int, int], None] | None = None,
) -> MatchStats:
    """Judge companies registered in bulk (a CSV import) against every open notice.

    Each open notice judges them as ``match_notice`` judges every company (SQL prefilter, one engine
    run per class of equal inputs, one INSERT … SELECT), limited to the id range of the new
    companies; then their match counts are recounted at once. Verdicts are saved for the candidates of
    each notice (as when a notice is matched after the companies were registered).

    Args:
        session: the session (flushed, not committed).
        company_ids: the companies just registered.
        now: the reference instant: notices whose last deadline has passed are left alone.
        done: called with (notices judged, open notices) after each notice (a progress bar).

    Returns:
        Counts of verdicts over every notice.
    """
    if not company_ids:
        return MatchStats()
    scope = col(Company.id).between(min(company_ids), max(company_ids))
    statuses: list[tuple[str, int]] = []
    removed = 0
    notices = open_judgings(session=session, now=now)
    for number, j in enumerate(notices, 1):
        found, stale = judge_notice(
            session=session,
            notice_id=j.notice_id,
            conditions=j.conditions,
            on=j.on,
            region=j.region,
            now=now,
            scope=scope,
        )
        statuses += found
        removed += stale
        if done is not None:
            done(number, len(notices))
    recount_companies(session, scope)
    stats = _stats(statuses, removed)
    log.info("%d new companies matched against %d open notices: %s", len(company_ids), len(notices), stats)
    return stats


# ── what a company sees ────────────────────────────────────────────────────────────────────


@dataclass(frozen=True)
class MatchView:
    """One notice as a company sees it: the verdict, what is missing or unmet, and the next deadline."""

    notice: NoticeRow
    verdict: Verdict
    #: eligible / possibly_eligible / not_eligible
    status: VerdictStatus
    #: the next active deadline still ahead, None when all passed or none is dated
    next_deadline: DeadlineRow | None
    #: calendar days (Asia/Shanghai) from now to ``next_deadline``: 0 on the day itself
    days_left: int | None
    #: every active deadline of the notice, dated ones in date order, then undated (另行通知)
    deadlines: tuple[DeadlineRow, ...]
    #: every condition's result, each with ``reason_zh`` and ``quote``
    results: tuple[ConditionResult, ...]
    #: profile fields to fill in (Chinese labels)
    missing: tuple[str, ...]
    #: failing hard conditions
    unmet: tuple[ConditionResult, ...]
    #: conditions to check by hand (请人工确认), with their quotes
    manual: tuple[ConditionResult, ...]
    #: the day the verdict was judged on
    judged_on: dt.date
    #: whether the notice is still open
    open: bool
