"""What operators look at: notice lists, one notice with its source, the dashboard.

Plain reads over a session; the pages and the API shape them differently.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import load_only
from sqlmodel import Session, col, select

from reminder.db.models import (
    Channel,
    Company,
    ConditionRow,
    Correction,
    DeadlineRow,
    Delivery,
    DocumentRow,
    MatchCount,
    MatchCountPending,
    NoticeChange,
    NoticeRow,
    Reminder,
)
from reminder.db.rows import notice_facts
from reminder.db.store import list_changes, list_conditions, list_deadlines, open_notice_filter
from reminder.model import ApplyStep, Attachment, Benefit, Contact

__all__ = [
    "MATCHED",
    "NoticeSummary",
    "NoticeDetail",
    "Segment",
    "list_notices",
    "notice_detail",
    "highlight",
    "upcoming_deadlines",
    "UpcomingDeadline",
    "UpcomingNotice",
    "companies_by_matches",
    "queued_notices",
    "failed_deliveries",
    "dead_reminders",
]

#: verdicts that count as a match (the notice concerns the company)
MATCHED: tuple[str, ...] = ("eligible", "possibly_eligible", "possible")


#: the facts of issue 13 marked in the source (mark names ``<kind>-<index in the notice's list>``)
FACT_MARKS: tuple[str, ...] = ("benefit", "how_to_apply", "contact", "attachment")


@dataclass(frozen=True)
class NoticeSummary:
    notice: NoticeRow
    #: still open for applications (see store.list_open_notices)
    open: bool
    #: the next active deadline ahead, else the last one
    next_deadline: DeadlineRow | None


@dataclass(frozen=True)
class Segment:
    """A piece of source text; ``marks`` names the deadlines/conditions quoting it (empty: plain text)."""

    text: str
    marks: tuple[str, ...] = ()

    @property
    def kind(self) -> str:
        """ "deadline" when a deadline quotes this piece, else "condition", else the fact quoting it
        ("benefit", "how_to_apply", "contact", "attachment"; marks ``benefit-0``…), "" for plain text."""
        if not self.marks:
            return ""
        kinds = {
            m.split("-")[0] if "-" in m else ("deadline" if m[0] == "d" else "condition") for m in self.marks
        }
        return next(k for k in ("deadline", "condition", *FACT_MARKS) if k in kinds)


@dataclass(frozen=True)
class NoticeDetail:
    notice: NoticeRow
    document: DocumentRow | None
    deadlines: Sequence[DeadlineRow]
    conditions: Sequence[ConditionRow]
    corrections: Sequence[Correction]
    changes: Sequence[NoticeChange]
    #: the notice's part of the document text, and where it starts in it
    source_text: str
    source_offset: int
    segments: list[Segment] = field(default_factory=list)
    #: what the notice offers, how to apply, whom to ask, its attachments (columns of the notice row)
    benefits: tuple[Benefit, ...] = ()
    how_to_apply: tuple[ApplyStep, ...] = ()
    contacts: tuple[Contact, ...] = ()
    attachments: tuple[Attachment, ...] = ()


def _next_deadline(deadlines: list[DeadlineRow], now: dt.datetime) -> DeadlineRow | None:
    ahead = [d for d in deadlines if d.at is not None and d.at > now]
    if ahead:
        return min(ahead, key=lambda d: d.at or now)
    dated = [d for d in deadlines if d.at is not None]
    return max(dated, key=lambda d: d.at or now) if dated else (deadlines[0] if deadlines else None)


def list_notices(
    *,
    session: Session,
    now: dt.datetime,
    status: str | None = None,
    when: str = "all",
    limit: int = 200,
    offset: int = 0,
) -> list[NoticeSummary]:
    """Notices newest first, filtered by status ("published"/"draft") and by open/past/all."""
    is_open = open_notice_filter(now=now, include_drafts=True)
    query = select(NoticeRow)
    if status:
        query = query.where(NoticeRow.status == status)
    if when == "open":
        query = query.where(is_open)
    elif when == "past":
        query = query.where(sa.not_(is_open))
    rows = session.exec(query.order_by(col(NoticeRow.id).desc()).offset(offset).limit(limit)).all()
    ids = [r.id for r in rows]
    if not ids:
        return []
    open_ids = set(session.exec(select(NoticeRow.id).where(col(NoticeRow.id).in_(ids), is_open)).all())
    by_notice: dict[int, list[DeadlineRow]] = {}
    active = select(DeadlineRow).where(col(DeadlineRow.notice_id).in_(ids), col(DeadlineRow.active))
    for d in session.exec(active.order_by(col(DeadlineRow.id))).all():
        by_notice.setdefault(d.notice_id, []).append(d)
    return [
        NoticeSummary(r, r.id in open_ids, _next_deadline(by_notice.get(r.id or 0, []), now)) for r in rows
    ]


def highlight(text: str, offset: int, spans: Sequence[tuple[int, int, str]]) -> list[Segment]:
    """Cut ``text`` (starting at document offset ``offset``) into plain and marked pieces.

    Args:
        text: the notice's source text.
        offset: where ``text`` starts in the document (spans are document offsets).
        spans: (start, end, name) of each quote; overlapping spans share the overlap.

    Returns:
        Segments in order; a marked segment lists every name covering it.

    >>> [(s.text, s.marks) for s in highlight("请于4月10日前提交", 0, [(2, 7, "d1")])]
    [('请于', ()), ('4月10日', ('d1',)), ('前提交', ())]
    """
    inside = [(max(a - offset, 0), min(b - offset, len(text)), n) for a, b, n in spans if b > a]
    inside = [(a, b, n) for a, b, n in inside if a < b]
    cuts = sorted({0, len(text), *(a for a, _, _ in inside), *(b for _, b, _ in inside)})
    segments: list[Segment] = []
    for start, end in zip(cuts, cuts[1:], strict=False):
        marks = tuple(n for a, b, n in inside if a <= start and end <= b)
        if segments and segments[-1].marks == marks:
            segments[-1] = Segment(segments[-1].text + text[start:end], marks)
        else:
            segments.append(Segment(text[start:end], marks))
    return segments


def notice_detail(*, session: Session, notice: NoticeRow) -> NoticeDetail:
    """One notice with its current deadlines, conditions, corrections, changes and marked source."""
    assert notice.id is not None
    document = session.get(DocumentRow, notice.document_id)
    deadlines = sorted(
        list_deadlines(session=session, notice_id=notice.id),
        key=lambda d: (d.date or dt.date.max, d.time or dt.time.max, d.id or 0),
    )
    conditions = list_conditions(session=session, notice_id=notice.id)
    corrections = session.exec(
        select(Correction).where(Correction.notice_key == notice.key).order_by(col(Correction.id))
    ).all()
    full = document.text if document else ""
    start, end = notice.span_start, (notice.span_end if notice.span_end > notice.span_start else len(full))
    text = full[start:end]
    spans = [(d.span_start, d.span_end, f"d{d.id}") for d in deadlines]
    spans += [(c.span_start, c.span_end, f"c{c.id}") for c in conditions]
    facts = notice_facts(notice)
    for kind, items in zip(FACT_MARKS, facts.values(), strict=True):
        spans += [(x.span[0], x.span[1], f"{kind}-{i}") for i, x in enumerate(items)]
    return NoticeDetail(
        notice=notice,
        document=document,
        deadlines=deadlines,
        conditions=conditions,
        corrections=corrections,
        changes=list_changes(session=session, notice_id=notice.id),
        source_text=text,
        source_offset=start,
        segments=highlight(text, start, spans),
        **facts,
    )


@dataclass(frozen=True)
class UpcomingDeadline:
    """What the dashboard shows of a deadline."""

    at: dt.datetime | None
    kind: str
    batch: str | None


@dataclass(frozen=True)
class UpcomingNotice:
    """What the dashboard shows of a deadline's notice."""

    id: int | None
    title: str
    status: str


def upcoming_deadlines(
    *, session: Session, now: dt.datetime, days: int = 30
) -> list[tuple[UpcomingDeadline, UpcomingNotice]]:
    """Active deadlines passing within ``days``, soonest first, with their notices.

    Only the columns the dashboard lists are read, as plain rows (when, kind, batch; the notice's id,
    title and status): loading hundreds of ORM objects was most of the dashboard's time (issue 15).
    """
    query = (
        sa.select(col(DeadlineRow.at), col(DeadlineRow.kind), col(DeadlineRow.batch))
        .add_columns(col(NoticeRow.id), col(NoticeRow.title), col(NoticeRow.status))
        .join_from(DeadlineRow, NoticeRow, col(NoticeRow.id) == col(DeadlineRow.notice_id))
        .where(
            col(DeadlineRow.active),
            col(DeadlineRow.at) > now,
            col(DeadlineRow.at) <= now + dt.timedelta(days=days),
        )
        .order_by(col(DeadlineRow.at))
    )
    return [
        (UpcomingDeadline(at, kind, batch), UpcomingNotice(notice_id, title, status))
        for at, kind, batch, notice_id, title, status in session.connection().execute(query)
    ]


def companies_by_matches(*, session: Session, limit: int = 50) -> list[tuple[Company, int, int]]:
    """Companies with (eligible, possibly eligible) counts, most matches first, then by id.

    Reads the counts matching keeps (``match_counts``), never the matches: aggregating a million match
    rows took 1.9 s per dashboard view. A new notice's verdicts are in them once the worker's counts job
    added them (within a minute: :func:`queued_notices` says how many wait). The counts have no index on total (its upkeep doubled matching's
    cost, migration 0017): the top ``limit`` are picked from the narrow count rows first (a bounded sort
    of one scan), then their companies are read by id. Only the companies' id, name and region are loaded
    (what the dashboard and the API show; profiles' JSON columns cost more to read).
    """
    shown = load_only(*(getattr(Company, name) for name in ("id", "name", "region_name")))
    # two statements: joined to companies, SQLite's plan walked the companies (3× the time of the scan)
    top = (
        session.connection()
        .execute(
            sa.select(col(MatchCount.company_id), col(MatchCount.eligible), col(MatchCount.possible))
            .where(col(MatchCount.total) > 0)
            .order_by(col(MatchCount.total).desc(), col(MatchCount.company_id))
            .limit(limit)
        )
        .all()
    )
    companies = {
        c.id: c
        for c in session.exec(select(Company).options(shown).where(col(Company.id).in_([t[0] for t in top])))
    }
    # a company deleted since its counts were read (its trigger deletes them) is left out
    found = [(companies[i], int(e), int(p)) for i, e, p in top if i in companies]
    if len(found) < limit:  # then companies without matches, as before: by id
        counted = select(MatchCount.company_id).where(col(MatchCount.total) > 0)
        rest = select(Company).options(shown).where(col(Company.id).not_in(counted)).order_by(col(Company.id))
        found += [(c, 0, 0) for c in session.exec(rest.limit(limit - len(found))).all()]
    return found


def queued_notices(*, session: Session) -> int:
    """How many matched notices' verdicts the worker has not added to the companies' counts yet."""
    return int(session.exec(select(sa.func.count()).select_from(MatchCountPending)).one())


def failed_deliveries(
    *, session: Session, since: dt.datetime, failed_only: bool = True, limit: int = 200
) -> list[tuple[Delivery, Reminder | None, Channel | None, Company | None]]:
    """Delivery attempts since an instant (failed ones by default), newest first, with context."""
    query: Any = (
        select(Delivery, Reminder, Channel, Company)
        .join(Reminder, col(Reminder.id) == col(Delivery.reminder_id), isouter=True)
        .join(Channel, col(Channel.id) == col(Delivery.channel_id), isouter=True)
        .join(Company, col(Company.id) == col(Reminder.company_id), isouter=True)
        .where(col(Delivery.at) >= since)
        .where(sa.or_(col(Reminder.id).is_(None), sa.not_(col(Reminder.test_send))))  # not test sends
    )
    if failed_only:
        query = query.where(sa.not_(col(Delivery.ok)))
    rows = session.exec(query.order_by(col(Delivery.at).desc(), col(Delivery.id).desc()).limit(limit)).all()
    return [(d, r, ch, co) for d, r, ch, co in rows]


def dead_reminders(*, session: Session, limit: int = 100) -> list[tuple[Reminder, Company | None]]:
    """Reminders that gave up after every attempt, newest first."""
    query = (
        select(Reminder, Company)
        .join(Company, col(Company.id) == col(Reminder.company_id), isouter=True)
        .where(Reminder.status == "dead")
        .order_by(col(Reminder.updated_at).desc())
        .limit(limit)
    )
    return [(r, c) for r, c in session.exec(query).all()]
