"""One notice against every company: SQL prefilter, verdicts by class of inputs, bulk writes.

compile_prefilter ── numeric, age, legal-person and region conditions: the candidates
a few classes ────── (inputs with a handful of values: flags, yes/no, applicant type) one GROUP BY
                     tells the classes; the engine judges one per class; one INSERT … SELECT
                     gives each company its class's verdict inside the database
many classes ─────── candidate rows read once, verdicts cached per distinct input, one
                     executemany upsert
rejected ─────────── a company failing a hard condition on its own (需具备高新技术企业, which SQL
                     cannot express) is not a candidate, like one the prefilter drops: no row
stale matches ────── deleted for companies no longer candidates (not eligible)
"""

from __future__ import annotations

import datetime as dt
import logging
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session, col

from reminder.db.models import Company, Match
from reminder.matching._bulk_judge import NoticeJudge, Stored, prefilter_columns
from reminder.matching._match_rows import (
    MatchRow,
    delete_matches_except,
    delete_matches_of,
    upsert_classes,
    upsert_matches,
)
from reminder.model import Condition
from reminder.rules import Region, compile_prefilter

__all__ = ["judge_notice"]

log = logging.getLogger(__name__)

#: the most classes of companies written by one INSERT … SELECT (beyond: row by row)
_MAX_CLASSES = 64


def _by_class(
    session: Session, judge: NoticeJudge, keep: sa.ColumnElement[bool]
) -> list[tuple[tuple[Any, ...], int, Stored]] | None:
    """(input values, companies, verdict) per class of candidates when they fall into a few classes
    (one grouping scan), rejected classes left out; else None."""
    conn = session.connection()
    if not judge.inputs:
        count = conn.execute(sa.select(sa.func.count()).select_from(Company).where(keep)).scalar_one()
        return [((), count, judge.verdict(()))] if count else []
    if not judge.few_classes:
        return None
    query = sa.select(*judge.inputs, sa.func.count()).select_from(Company).where(keep).group_by(*judge.inputs)
    rows = [tuple(row) for row in conn.execute(query.limit(_MAX_CLASSES + 1))]
    if len(rows) > _MAX_CLASSES:
        return None
    return [(row[:-1], row[-1], judge.verdict(row[:-1])) for row in rows if not judge.rejected(row[:-1])]


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


def _existing(session: Session, notice_id: int) -> set[int]:
    query = sa.select(col(Match.company_id)).where(col(Match.notice_id) == notice_id)
    return set(session.connection().execute(query).scalars())


def judge_notice(
    *,
    session: Session,
    notice_id: int,
    conditions: tuple[Condition, ...],
    on: dt.date,
    region: Region | None,
    now: dt.datetime,
) -> tuple[list[tuple[str, int]], int]:
    """Judge and store the verdicts of every candidate company for one notice; delete stale ones.

    Args:
        session: the session (flushed, not committed).
        notice_id: the notice.
        conditions: its conditions.
        on: the day to judge on.
        region: the notice's own region (for 本市), if needed.
        now: stamped on the matches.

    Returns:
        ([(status, companies)], stale matches deleted).
    """
    keep = compile_prefilter(conditions, prefilter_columns(), on=on, notice_region=region)
    judge = NoticeJudge(conditions, on=on, notice_region=region)
    session.flush()
    existing = _existing(session, notice_id)
    classes = _by_class(session, judge, keep)
    if classes is not None:
        written = upsert_classes(
            session=session,
            notice_id=notice_id,
            inputs=judge.inputs,
            classes=[(values, verdict) for values, _, verdict in classes],
            keep=keep,
            evaluated_at=now,
        )
        removed = delete_matches_except(session=session, notice_id=notice_id, keep=written) if existing else 0
        return [(verdict.status, count) for _, count, verdict in classes], removed
    rows = _judge_rows(session, judge, notice_id, keep)
    upsert_matches(session=session, rows=rows, evaluated_at=now)
    stale = existing - {r[0] for r in rows}
    delete_matches_of(session=session, notice_id=notice_id, company_ids=stale)
    return [(r[2], 1) for r in rows], len(stale)
