"""One notice against every company: SQL prefilter, verdicts by class of inputs, bulk writes.

compile_prefilter ── numeric, age, legal-person and region conditions: the candidates
classes ──────────── candidates with equal inputs (the column values the notice's conditions read)
                     form a class: one GROUP BY in the database tells the classes, the engine judges
                     one company per class, the class verdicts go to a temporary table and one
                     INSERT … SELECT joins every candidate to its class's verdict inside the database
                     (a 全国 notice meets 100,000 companies but a few thousand classes)
too many classes ─── (inputs nearly unique per company) candidate rows read once, verdicts cached
                     per distinct input, one executemany upsert
rejected ─────────── a company failing a hard condition on its own (需具备高新技术企业, which SQL
                     cannot express) is not a candidate, like one the prefilter drops: no row
unchanged ────────── a stored verdict that did not change is not rewritten (its verdict id is the same)
stale matches ────── deleted for companies no longer candidates (not eligible); verdicts of the
                     notice no match refers to any more are dropped
scope ────────────── an extra condition on the companies judged (an import judges only its own)
"""

from __future__ import annotations

import datetime as dt
import functools
import logging
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session, col

from reminder.db.models import Company, Match
from reminder.matching._bulk_judge import NoticeJudge, Stored, prefilter_columns
from reminder.matching._class_rows import ClassKey, candidate_classes, write_classes
from reminder.matching._match_rows import (
    MatchRow,
    delete_matches_of,
    drop_unused_verdicts,
    has_matches,
    notice_verdicts,
    upsert_matches,
)
from reminder.model import Condition
from reminder.rules import Region, compile_prefilter

__all__ = ["judge_notice"]

log = logging.getLogger(__name__)

#: the most classes written through the class table (beyond: row by row)
_MAX_CLASSES = 20_000


def _by_class(
    session: Session, judge: NoticeJudge, keep: sa.ColumnElement[bool]
) -> list[tuple[ClassKey, int, Stored]] | None:
    """(class key, companies, verdict) per class of candidates, rejected classes left out; None when
    there are too many classes to be worth it (one grouping scan either way)."""
    conn = session.connection()
    if not judge.inputs:
        count = conn.execute(sa.select(sa.func.count()).select_from(Company).where(keep)).scalar_one()
        return [("", count, judge.verdict(()))] if count else []
    tokens = {at: functools.partial(judge.token, at) for at in judge.coarse}
    rows = candidate_classes(
        session=session, inputs=judge.inputs, keep=keep, most=_MAX_CLASSES, tokens=tokens
    )
    if rows is None:
        return None
    classes = []
    for name, count, inputs in rows:
        if not judge.rejected(inputs):
            classes.append((name, count, judge.verdict(inputs)))
    return classes


def _judge_rows(
    session: Session, judge: NoticeJudge, notice_id: int, keep: sa.ColumnElement[bool]
) -> list[MatchRow]:
    """A verdict row for every candidate not rejected, judged once per distinct combination of inputs."""
    seen: dict[tuple[Any, ...], Stored | None] = {}
    rows: list[MatchRow] = []
    query = sa.select(col(Company.id), *judge.inputs).where(keep)
    for company_id, *values in session.connection().execute(query):
        key = tuple(values)
        if key in seen:
            v = seen[key]
        else:
            v = seen[key] = None if judge.rejected(key) else judge.verdict(key)
        if v is not None:
            rows.append((company_id, notice_id, v.status, v.missing, v.unmet, v.trace))
    return rows


def _existing(session: Session, notice_id: int, scope: sa.ColumnElement[bool] | None) -> set[int]:
    query = sa.select(col(Match.company_id)).where(col(Match.notice_id) == notice_id)
    if scope is not None:
        query = query.where(col(Match.company_id).in_(sa.select(col(Company.id)).where(scope)))
    return set(session.connection().execute(query).scalars())


def judge_notice(
    *,
    session: Session,
    notice_id: int,
    conditions: tuple[Condition, ...],
    on: dt.date,
    region: Region | None,
    now: dt.datetime,
    scope: sa.ColumnElement[bool] | None = None,
) -> tuple[list[tuple[str, int]], int]:
    """Judge and store the verdicts of every candidate company for one notice; delete stale ones.

    Args:
        session: the session (flushed, not committed).
        notice_id: the notice.
        conditions: its conditions.
        on: the day to judge on.
        region: the notice's own region (for 本市), if needed.
        now: stamped on the matches written.
        scope: judge only the companies meeting this condition (default: every company).

    Returns:
        ([(status, companies)], stale matches deleted).
    """
    keep = compile_prefilter(conditions, prefilter_columns(), on=on, notice_region=region)
    judge = NoticeJudge(conditions, on=on, notice_region=region)
    session.flush()
    within = sa.and_(keep, scope) if scope is not None else keep
    stored = has_matches(session=session, notice_id=notice_id)
    before = notice_verdicts(session=session, notice_id=notice_id) if stored else []
    statuses, removed = _write(session, judge, notice_id, within, scope, now, stored=stored)
    drop_unused_verdicts(session=session, verdict_ids=before)
    return statuses, removed


def _write(
    session: Session,
    judge: NoticeJudge,
    notice_id: int,
    within: sa.ColumnElement[bool],
    scope: sa.ColumnElement[bool] | None,
    now: dt.datetime,
    *,
    stored: bool,
) -> tuple[list[tuple[str, int]], int]:
    """Judge the candidates within ``within`` and write their verdicts; delete the stale matches."""
    classes = _by_class(session, judge, within)
    if classes is not None:
        removed = write_classes(
            session=session,
            notice_id=notice_id,
            inputs=judge.inputs,
            classes=[(key, verdict) for key, _, verdict in classes],
            keep=within,
            scope=scope,
            stored=stored,
            evaluated_at=now,
        )
        return [(verdict.status, count) for _, count, verdict in classes], removed
    rows = _judge_rows(session, judge, notice_id, within)
    existing = _existing(session, notice_id, scope) if stored else set()
    upsert_matches(session=session, rows=rows, evaluated_at=now)
    stale = existing - {r[0] for r in rows}
    delete_matches_of(session=session, notice_id=notice_id, company_ids=stale)
    return [(r[2], 1) for r in rows], len(stale)
