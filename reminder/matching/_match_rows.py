"""Writing verdicts in bulk: one prepared upsert run over all rows (``executemany``), no ORM objects.

The JSON columns (missing, unmet, trace) arrive already serialised: thousands of companies share the
same few verdicts, and serialising each verdict once instead of per company is most of the saving.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
from collections.abc import Iterable, Sequence
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import Session, SQLModel, col

from reminder.db.models import Company, Match, UTCDateTime
from reminder.matching._bulk_judge import Stored

__all__ = [
    "MatchRow",
    "to_json",
    "upsert_matches",
    "stored_verdicts",
    "upsert_classes",
    "delete_matches_of",
    "delete_matches_except",
]

log = logging.getLogger(__name__)

#: (company_id, notice_id, status, missing JSON, unmet JSON, trace JSON)
MatchRow = tuple[int, int, str, str, str, str]

_COLUMNS = "company_id, notice_id, status, missing, unmet, trace, evaluated_at"
_UPDATE = ", ".join(f"{c} = excluded.{c}" for c in ("status", "missing", "unmet", "trace", "evaluated_at"))
# Only a changed verdict is rewritten: ``evaluated_at`` says since when the stored verdict holds.
_CHANGED = {
    "sqlite": " OR ".join(
        f"matches.{c} IS NOT excluded.{c}" for c in ("status", "missing", "unmet", "trace")
    ),
    "postgresql": " OR ".join(
        f"matches.{c}::text IS DISTINCT FROM excluded.{c}::text"
        for c in ("status", "missing", "unmet", "trace")
    ),
}
_UPSERT = {
    "sqlite": f"INSERT INTO matches ({_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?) "
    f"ON CONFLICT (company_id, notice_id) DO UPDATE SET {_UPDATE} WHERE {_CHANGED['sqlite']}",
    "postgresql": f"INSERT INTO matches ({_COLUMNS}) VALUES (%s, %s, %s, %s::json, %s::json, %s::json, %s) "
    f"ON CONFLICT (company_id, notice_id) DO UPDATE SET {_UPDATE} WHERE {_CHANGED['postgresql']}",
}


def to_json(value: Any) -> str:
    """Serialised the way the JSON columns hold it (UTF-8 text, Chinese unescaped)."""
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def _expire_matches(session: Session) -> None:
    """Loaded Match objects no longer show what the table holds: reload them when next read."""
    for obj in list(session.identity_map.values()):
        if isinstance(obj, Match):
            session.expire(obj)


def stored_verdicts(*, session: Session, company_id: int) -> dict[int, tuple[str, str, str, str]]:
    """The company's stored verdicts by notice id: (status, missing, unmet, trace), the lists as JSON text."""
    text = [sa.cast(col(c), sa.Text) for c in (Match.missing, Match.unmet, Match.trace)]
    query = sa.select(col(Match.notice_id), col(Match.status), *text).where(
        col(Match.company_id) == company_id
    )
    return {row[0]: (row[1], row[2], row[3], row[4]) for row in session.connection().execute(query)}


def upsert_matches(*, session: Session, rows: Sequence[MatchRow], evaluated_at: dt.datetime) -> int:
    """Insert or replace the verdict of each (company, notice) pair.

    Args:
        session: the session (its pending changes are flushed first).
        rows: the verdicts.
        evaluated_at: stamped on every row.

    Returns:
        How many rows were written.
    """
    if not rows:
        return 0
    session.flush()
    conn = session.connection()
    dialect = conn.dialect
    if dialect.name not in _UPSERT:
        raise NotImplementedError(f"bulk matching supports SQLite and PostgreSQL, not {dialect.name}")
    process = UTCDateTime().bind_processor(dialect)
    stamp = process(evaluated_at) if process is not None else evaluated_at
    conn.exec_driver_sql(_UPSERT[dialect.name], [(*r, stamp) for r in rows])
    _expire_matches(session)
    return len(rows)


_VERDICT_COLUMNS = ("status", "missing", "unmet", "trace")
#: ids per IN (...) list
_CHUNK = 500


def _table(name: str) -> sa.Table:
    return SQLModel.metadata.tables[name]


def _class_number(inputs: Sequence[sa.ColumnElement[Any]], classes: Sequence[Sequence[Any]]) -> Any:
    """CASE: the index of the class a company's inputs equal (NULL-safe comparison)."""
    whens = [
        (sa.and_(sa.true(), *(c.is_not_distinct_from(v) for c, v in zip(inputs, values, strict=True))), i)
        for i, values in enumerate(classes)
    ]
    return sa.case(*whens, else_=sa.null())


def upsert_classes(
    *,
    session: Session,
    notice_id: int,
    inputs: Sequence[sa.ColumnElement[Any]],
    classes: Sequence[tuple[Sequence[Any], Stored]],
    keep: sa.ColumnElement[bool],
    evaluated_at: dt.datetime,
) -> sa.ColumnElement[bool]:
    """Give every company of the listed classes its class's verdict, in one INSERT … SELECT upsert.

    The database picks each company's class by comparing its inputs (a CASE), so no company row
    travels to Python; with no inputs every company passing ``keep`` is in the single class.

    Args:
        session: the session (its pending changes are flushed first).
        notice_id: the notice judged.
        inputs: the columns classes are told apart by (empty: one class).
        classes: (values of ``inputs``, verdict) for every class to write.
        keep: the notice's prefilter.
        evaluated_at: stamped on every row.

    Returns:
        The condition on the companies table selecting the companies written (companies of classes
        not listed, e.g. rejected ones, are not).
    """
    if not classes:
        return sa.false()
    session.flush()
    conn = session.connection()
    pg = conn.dialect.name == "postgresql"
    companies = _table("companies")
    number = _class_number(inputs, [values for values, _ in classes]) if inputs else sa.literal(0)
    written = sa.and_(keep, number.is_not(None)) if inputs else keep
    source = sa.select(companies.c.id, number.label("class_number")).where(written).subquery("classed")

    def pick(name: str) -> sa.ColumnElement[Any]:
        whens = [(source.c.class_number == i, getattr(v, name)) for i, (_, v) in enumerate(classes)]
        value = (
            sa.case(*whens, else_=sa.null()) if len(whens) > 1 else sa.literal(getattr(classes[0][1], name))
        )
        return sa.cast(value, postgresql.JSON) if pg and name != "status" else value

    rows = sa.select(
        source.c.id,
        sa.literal(notice_id, sa.Integer),
        *(pick(c) for c in _VERDICT_COLUMNS),
        sa.literal(evaluated_at, UTCDateTime),
    ).where(sa.true())  # SQLite needs a WHERE to read ON CONFLICT as the upsert clause
    insert = (postgresql.insert if pg else sqlite.insert)(_table("matches"))
    upsert = insert.from_select(["company_id", "notice_id", *_VERDICT_COLUMNS, "evaluated_at"], rows)
    updates = {c: upsert.excluded[c] for c in (*_VERDICT_COLUMNS, "evaluated_at")}
    conn.execute(upsert.on_conflict_do_update(index_elements=["company_id", "notice_id"], set_=updates))
    _expire_matches(session)
    return written


def delete_matches_of(*, session: Session, notice_id: int, company_ids: Iterable[int]) -> int:
    """Delete the notice's matches of these companies.

    Returns:
        How many ids were given.
    """
    ids = sorted(company_ids)
    conn = session.connection()
    for start in range(0, len(ids), _CHUNK):
        chunk = ids[start : start + _CHUNK]
        conn.execute(
            sa.delete(Match).where(col(Match.notice_id) == notice_id, col(Match.company_id).in_(chunk))
        )
    if ids:
        _expire_matches(session)
        log.info("notice %d: removed %d matches of companies no longer candidates", notice_id, len(ids))
    return len(ids)


def delete_matches_except(*, session: Session, notice_id: int, keep: sa.ColumnElement[bool] | None) -> int:
    """Delete the notice's matches of companies outside ``keep`` (every match when ``keep`` is None).

    Args:
        session: the session.
        notice_id: the notice.
        keep: a condition on the companies table (the notice's prefilter).

    Returns:
        How many matches were deleted.
    """
    stmt = sa.delete(Match).where(col(Match.notice_id) == notice_id)
    if keep is not None:
        stmt = stmt.where(col(Match.company_id).not_in(sa.select(col(Company.id)).where(keep)))
    result = session.connection().execute(stmt.execution_options(synchronize_session=False))
    count = int(getattr(result, "rowcount", 0) or 0)
    _expire_matches(session)
    if count:
        log.info("notice %d: removed %d matches of companies no longer candidates", notice_id, count)
    return count
