"""Storing extracted documents and reading notices back: plain functions over a session.

    save_document ── same content hash ─────────────────────────── no-op (duplicate)
                  └─ per notice, by key (normalised source + title), ``revise`` applied first
                     (ingest passes the operators' corrections: ``reminder.corrections``)
                       ├─ new key ──── insert notice, deadlines, conditions
                       └─ known key ── update in place: unchanged deadlines kept, moved or dropped
                                       ones made inactive, new ones added, each change recorded
                                       as a NoticeChange (old → new)

Functions flush but never commit: the caller owns the transaction (``session_scope`` or ingest).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import sqlalchemy as sa
from sqlmodel import Session, col, select

from reminder.db.keys import document_keys, normalize_source, notice_key
from reminder.db.models import (
    NOTICE_STATUSES,
    ConditionRow,
    DeadlineRow,
    DocumentRow,
    NoticeChange,
    NoticeRow,
    UTCDateTime,
    utcnow,
)
from reminder.db.rows import (
    condition_from_row,
    condition_row,
    deadline_from_row,
    deadline_json,
    deadline_row,
    notice_facts,
    set_notice_fields,
)
from reminder.db.versions import sync_deadlines
from reminder.model import Document, Notice, Scope
from reminder.rules.existence import EXISTS_RULE
from reminder.rules.scope import SCOPE_RULE, judged_conditions, split_scope

__all__ = [
    "IngestResult",
    "Revise",
    "normalize_source",
    "notice_key",
    "deadline_json",
    "find_document",
    "save_document",
    "get_notice",
    "get_notice_by_key",
    "list_open_notices",
    "rank_open_notices",
    "open_notice_filter",
    "list_deadlines",
    "list_deadlines_for",
    "list_open_deadlines",
    "list_conditions",
    "list_changes",
    "to_notice",
]

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class IngestResult:
    """What storing one document did."""

    document_id: int
    #: the same bytes were stored before: nothing was written
    duplicate: bool
    #: notices in the document
    notices: int = 0
    #: notices seen for the first time
    created: int = 0
    #: notices already known (same key) updated to this version
    updated: int = 0
    #: deadlines in the document
    deadlines: int = 0
    #: NoticeChange rows recorded
    changes: int = 0
    #: ids of the notices created or updated (what matching and reminder planning must look at)
    notice_ids: tuple[int, ...] = ()


# ── saving ─────────────────────────────────────────────────────────────────────────────────


def find_document(*, session: Session, content_hash: str) -> DocumentRow | None:
    """The stored document with these bytes, if any."""
    return session.exec(select(DocumentRow).where(DocumentRow.content_hash == content_hash)).first()


def _insert_notice(
    session: Session, notice: Notice, key: str, document_id: int, status: str, now: dt.datetime
) -> int:
    row = NoticeRow(
        key=key, document_id=document_id, title=notice.title, status=status, created_at=now, updated_at=now
    )
    set_notice_fields(row, notice, document_id)
    session.add(row)
    session.flush()
    assert row.id is not None
    session.add_all([deadline_row(d, row.id) for d in notice.deadlines])
    session.add_all([condition_row(c, row.id) for c in judged_conditions(notice)])  # scope first
    return row.id


def _update_notice(
    session: Session, row: NoticeRow, notice: Notice, document_id: int, now: dt.datetime
) -> int:
    assert row.id is not None
    set_notice_fields(row, notice, document_id)
    row.updated_at = now
    changes = sync_deadlines(session, row.id, notice.deadlines, now)
    session.exec(sa.delete(ConditionRow).where(col(ConditionRow.notice_id) == row.id))
    session.add_all([condition_row(c, row.id) for c in judged_conditions(notice)])  # scope first
    if changes:
        log.info("notice %d (%s): %d deadline changes", row.id, row.title, changes)
    return changes


def _document_row(doc: Document, content_hash: str, now: dt.datetime) -> DocumentRow:
    return DocumentRow(
        source=doc.source,
        content_hash=content_hash,
        format=doc.format,
        kind=doc.kind,
        published=doc.published,
        text=doc.text,
        ingested_at=now,
    )


#: ``revise(key, notice)`` → the notice to store instead (e.g. with the operators' corrections)
Revise = Callable[[str, Notice], Notice]


def save_document(
    *,
    session: Session,
    doc: Document,
    status: str = "published",
    now: dt.datetime | None = None,
    revise: Revise | None = None,
) -> IngestResult:
    """Store an extracted document and its notices; a new version of a known notice updates it.

    Args:
        session: the session to write with (flushed, not committed).
        doc: the extracted document.
        status: status of notices seen for the first time ("published" or "draft").
        now: the ingest instant (default: now), stamped on rows and changes.
        revise: applied to each extracted notice with its key before storing (storage knows no
            corrections: ``reminder.corrections.save_corrected`` passes them here).

    Returns:
        What was written; ``duplicate`` when the same bytes were stored before (nothing written).
    """
    if status not in NOTICE_STATUSES:
        raise ValueError(f"status must be one of {NOTICE_STATUSES}, got {status!r}")
    now = now or utcnow()
    content_hash = doc.content_hash or hashlib.sha256(doc.text.encode("utf-8")).hexdigest()
    existing = find_document(session=session, content_hash=content_hash)
    if existing is not None:
        assert existing.id is not None
        log.info("%s: already stored as document %d", doc.source, existing.id)
        return IngestResult(document_id=existing.id, duplicate=True)
    document = _document_row(doc, content_hash, now)
    session.add(document)
    session.flush()
    assert document.id is not None
    created = updated = changes = 0
    notice_ids: list[int] = []
    for extracted, key in zip(doc.notices, document_keys(doc), strict=True):
        notice = extracted if revise is None else revise(key, extracted)
        known = get_notice_by_key(session=session, key=key)
        if known is None:
            notice_ids.append(_insert_notice(session, notice, key, document.id, status, now))
            created += 1
        else:
            changes += _update_notice(session, known, notice, document.id, now)
            updated += 1
            assert known.id is not None
            notice_ids.append(known.id)
    session.flush()
    return IngestResult(
        document_id=document.id,
        duplicate=False,
        notices=len(doc.notices),
        created=created,
        updated=updated,
        deadlines=sum(len(n.deadlines) for n in doc.notices),
        changes=changes,
        notice_ids=tuple(dict.fromkeys(notice_ids)),
    )


# ── reading ────────────────────────────────────────────────────────────────────────────────


def get_notice(*, session: Session, notice_id: int) -> NoticeRow | None:
    """The notice with this id, or None."""
    return session.get(NoticeRow, notice_id)


def get_notice_by_key(*, session: Session, key: str) -> NoticeRow | None:
    """The notice with this identity (see :func:`notice_key`), or None."""
    return session.exec(select(NoticeRow).where(NoticeRow.key == key)).first()


def open_notice_filter(*, now: dt.datetime, include_drafts: bool = False) -> sa.ColumnElement[bool]:
    """The WHERE clause of :func:`list_open_notices`, for queries that need only some columns."""
    if now.tzinfo is None:
        raise ValueError(f"now must be timezone-aware, got {now!r}")
    # An uncorrelated IN: SQLite ran the correlated EXISTS through ix_deadlines_active, once per notice.
    ahead = col(NoticeRow.id).in_(
        select(DeadlineRow.notice_id)
        .where(col(DeadlineRow.active))
        .where(sa.or_(col(DeadlineRow.at) > now, col(DeadlineRow.to_be_announced)))
    )
    # 常态化 counts only without a dated deadline: once its last date has passed a notice is history
    dated = col(NoticeRow.id).in_(
        select(DeadlineRow.notice_id).where(col(DeadlineRow.active)).where(col(DeadlineRow.date).is_not(None))
    )
    rolling = sa.and_(col(NoticeRow.rolling), sa.not_(dated))
    clause = sa.and_(sa.not_(col(NoticeRow.policy_only)), sa.or_(rolling, ahead))
    return clause if include_drafts else sa.and_(clause, col(NoticeRow.status) == "published")


def list_open_notices(
    *, session: Session, now: dt.datetime, include_drafts: bool = False
) -> Sequence[NoticeRow]:
    """Notices one can still apply to, oldest first.

    Open means: not a policy/news text, and with an active deadline that is still ahead of ``now`` or
    to be announced, or rolling (常态化受理) without any dated deadline.

    Args:
        session: the session.
        now: the reference instant (timezone-aware).
        include_drafts: also list notices an operator has not published.
    """
    query = select(NoticeRow).where(open_notice_filter(now=now, include_drafts=include_drafts))
    return session.exec(query.order_by(col(NoticeRow.id))).all()


def rank_open_notices(*, session: Session, now: dt.datetime) -> list[tuple[int, dt.datetime | None]]:
    """The published open notices' ids with their next deadline ahead, soonest first, those without one
    (rolling, to be announced) last, ties by id: the order of the public list, in one light query.

    Args:
        session: the session.
        now: the reference instant (timezone-aware).
    """
    # Grouped first, then joined: joined per notice, SQLite walked ix_deadlines_active for every notice.
    following = (
        sa.select(col(DeadlineRow.notice_id).label("notice_id"), sa.func.min(col(DeadlineRow.at)).label("at"))
        .where(col(DeadlineRow.active), col(DeadlineRow.at) > now)
        .group_by(col(DeadlineRow.notice_id))
        .subquery("following")
    )
    query = (
        sa.select(col(NoticeRow.id), sa.type_coerce(following.c.at, UTCDateTime()))
        .outerjoin(following, following.c.notice_id == col(NoticeRow.id))
        .where(open_notice_filter(now=now))
    )
    rows = [(int(i or 0), at) for i, at in session.connection().execute(query)]
    latest = dt.datetime.max.replace(tzinfo=dt.UTC)
    return sorted(rows, key=lambda r: (r[1] is None, r[1] or latest, r[0]))


def list_deadlines(*, session: Session, notice_id: int, active_only: bool = True) -> Sequence[DeadlineRow]:
    """A notice's deadlines in insertion order; by default only the current version's."""
    query = select(DeadlineRow).where(DeadlineRow.notice_id == notice_id)
    if active_only:
        query = query.where(col(DeadlineRow.active))
    return session.exec(query.order_by(col(DeadlineRow.id))).all()


#: ids per IN (...) list: well under every backend's bound-parameter limit
_CHUNK = 500


def list_deadlines_for(*, session: Session, notice_ids: Sequence[int]) -> dict[int, tuple[DeadlineRow, ...]]:
    """The active deadlines of many notices at once, each notice's in insertion order (every id is a key).

    One query per 500 notices, instead of :func:`list_deadlines` once per notice.
    """
    found: dict[int, list[DeadlineRow]] = {i: [] for i in notice_ids}
    ids = list(found)
    for start in range(0, len(ids), _CHUNK):
        query = select(DeadlineRow).where(
            col(DeadlineRow.notice_id).in_(ids[start : start + _CHUNK]), col(DeadlineRow.active)
        )
        for row in session.exec(query.order_by(col(DeadlineRow.id))).all():
            found[row.notice_id].append(row)
    return {i: tuple(rows) for i, rows in found.items()}


def list_open_deadlines(*, session: Session, now: dt.datetime) -> dict[int, tuple[DeadlineRow, ...]]:
    """The active deadlines of every published open notice (see :func:`list_open_notices`), each notice's
    in insertion order, in one query whatever their number."""
    open_ids = select(NoticeRow.id).where(open_notice_filter(now=now))
    query = select(DeadlineRow).where(col(DeadlineRow.notice_id).in_(open_ids), col(DeadlineRow.active))
    found: dict[int, list[DeadlineRow]] = {}
    for row in session.exec(query.order_by(col(DeadlineRow.id))).all():
        found.setdefault(row.notice_id, []).append(row)
    return {i: tuple(rows) for i, rows in found.items()}


def list_conditions(*, session: Session, notice_id: int, with_scope: bool = False) -> Sequence[ConditionRow]:
    """A notice's eligibility conditions, in the order the text states them; ``with_scope`` adds the
    stored scope row first (``reminder.rules.scope``: matching judges it as a hard condition)."""
    query = select(ConditionRow).where(ConditionRow.notice_id == notice_id).order_by(col(ConditionRow.id))
    query = query.where(col(ConditionRow.rule) != EXISTS_RULE)  # judged on every notice, not the text's
    if not with_scope:
        query = query.where(col(ConditionRow.rule) != SCOPE_RULE)
    return session.exec(query).all()


def list_changes(
    *, session: Session, notice_id: int | None = None, since: dt.datetime | None = None
) -> Sequence[NoticeChange]:
    """Recorded deadline changes, oldest first, optionally of one notice or after an instant."""
    query = select(NoticeChange)
    if notice_id is not None:
        query = query.where(NoticeChange.notice_id == notice_id)
    if since is not None:
        query = query.where(col(NoticeChange.changed_at) > since)
    return session.exec(query.order_by(col(NoticeChange.id))).all()


def to_notice(*, session: Session, row: NoticeRow) -> Notice:
    """The stored notice as the extractor's :class:`Notice` (current deadlines only), for the rules."""
    assert row.id is not None
    stored = list_conditions(session=session, notice_id=row.id, with_scope=True)
    scope, conditions = split_scope([condition_from_row(c) for c in stored])
    return Notice(
        title=row.title,
        level=row.level,  # type: ignore[arg-type]
        published=row.published,
        issuer=row.issuer,
        deadlines=tuple(deadline_from_row(d) for d in list_deadlines(session=session, notice_id=row.id)),
        conditions=conditions,
        span=(row.span_start, row.span_end),
        policy_only=row.policy_only,
        rolling=row.rolling,
        scope=Scope.from_json(row.scope) if row.scope else scope,  # the stored scope keeps code and source
        **notice_facts(row),
    )
