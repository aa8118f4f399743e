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
    "classed",
    "has_matches",
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
#: the verdict of each class of companies, by the class's key (per connection; emptied before use)
_CLASSES = "match_class_verdicts"
_CREATE_CLASSES = {
    "sqlite": f"CREATE TEMP TABLE IF NOT EXISTS {_CLASSES} (key TEXT PRIMARY KEY, status TEXT NOT NULL, "
    "missing TEXT NOT NULL, unmet TEXT NOT NULL, trace TEXT NOT NULL)",
    "postgresql": f"CREATE TEMP TABLE IF NOT EXISTS {_CLASSES} (key TEXT PRIMARY KEY, status TEXT NOT NULL, "
    "missing TEXT NOT NULL, unmet TEXT NOT NULL, trace TEXT NOT NULL) ON COMMIT DELETE ROWS",
}
_classes = sa.table(_CLASSES, *(sa.column(c) for c in ("key", *_VERDICT_COLUMNS)))
#: separates the values in a class key, and stands for NULL (neither occurs in stored text: profile
#: values refuse control characters, JSON text escapes them)
_SEPARATOR, _NULL = "\x1f", "\x1e"


def _table(name: str) -> sa.Table:
    return SQLModel.metadata.tables[name]


def classed(
    inputs: Sequence[sa.ColumnElement[Any]], keep: sa.ColumnElement[bool]
) -> tuple[sa.Subquery, sa.ColumnElement[str]]:
    """The companies passing ``keep`` with their inputs (``k0``, ``k1``…), and the key naming a class.

    The key is the inputs' text joined, computed by the database: the same expression over the same
    subquery when the classes are read and when their verdicts are written, so it always agrees.
    """
    companies = _table("companies")
    columns = [companies.c.id, *(c.label(f"k{i}") for i, c in enumerate(inputs))]
    source = sa.select(*columns).where(keep).subquery("classed")
    parts = [sa.func.coalesce(sa.cast(source.c[f"k{i}"], sa.Text), _NULL) for i in range(len(inputs))]
    key: sa.ColumnElement[str] = parts[0] if parts else sa.literal("")
    for part in parts[1:]:
        key = key + _SEPARATOR + part
    return source, key


def has_matches(*, session: Session, notice_id: int) -> bool:
    """Whether any company has a stored verdict on the notice."""
    query = sa.select(sa.exists().where(col(Match.notice_id) == notice_id))
    return bool(session.connection().execute(query).scalar())


def upsert_classes(
    *,
    session: Session,
    notice_id: int,
    inputs: Sequence[sa.ColumnElement[Any]],
    classes: Sequence[tuple[str, Stored]],
    keep: sa.ColumnElement[bool],
    evaluated_at: dt.datetime,
) -> sa.ColumnElement[bool]:
    """Give every company of the listed classes its class's verdict, in one INSERT … SELECT upsert.

    The class verdicts go to a temporary table; the database joins each company to its class by the
    key (see :func:`classed`), so no company row travels to Python. A verdict already stored unchanged
    is not rewritten.

    Args:
        session: the session (its pending changes are flushed first).
        notice_id: the notice judged.
        inputs: the columns classes are told apart by (empty: one class, key "").
        classes: (key, verdict) for every class to write.
        keep: the notice's prefilter (and scope).
        evaluated_at: stamped on every row written.

    Returns:
        The condition on the companies table selecting the companies written (companies of classes
        not listed, e.g. rejected ones, are not).
    """
    if not classes:
        return sa.false()
    session.flush()
    conn = session.connection()
    dialect = conn.dialect.name
    if dialect not in _CREATE_CLASSES:
        raise NotImplementedError(f"bulk matching supports SQLite and PostgreSQL, not {dialect}")
    pg = dialect == "postgresql"

    def json(value: sa.ColumnElement[Any]) -> sa.ColumnElement[Any]:
        return sa.cast(value, postgresql.JSON) if pg else value

    head = (sa.literal(notice_id, sa.Integer),)
    tail = (sa.literal(evaluated_at, UTCDateTime),)
    if not inputs:
        companies = _table("companies")
        [(_, verdict)] = classes
        fixed: list[sa.ColumnElement[Any]] = [sa.literal(getattr(verdict, c)) for c in _VERDICT_COLUMNS]
        rows = sa.select(companies.c.id, *head, fixed[0], *map(json, fixed[1:]), *tail).where(keep)
        written = keep
    else:
        conn.exec_driver_sql(_CREATE_CLASSES[dialect])
        conn.execute(sa.delete(_classes))
        conn.execute(
            sa.insert(_classes),
            [{"key": key, **{c: getattr(v, c) for c in _VERDICT_COLUMNS}} for key, v in classes],
        )
        if pg:
            conn.exec_driver_sql(f"ANALYZE {_CLASSES}")  # a temporary table has no statistics otherwise
        source, key = classed(inputs, keep)
        joined = source.join(_classes, _classes.c.key == key)
        found: list[sa.ColumnElement[Any]] = [_classes.c[c] for c in _VERDICT_COLUMNS]
        rows = sa.select(source.c.id, *head, found[0], *map(json, found[1:]), *tail).select_from(joined)
        rows = rows.where(sa.true())  # SQLite needs a WHERE to read ON CONFLICT as the upsert clause
        written = col(Company.id).in_(sa.select(source.c.id).select_from(joined))
    matches = _table("matches")
    insert = (postgresql.insert if pg else sqlite.insert)(matches)
    upsert = insert.from_select(["company_id", "notice_id", *_VERDICT_COLUMNS, "evaluated_at"], rows)
    updates = {c: upsert.excluded[c] for c in (*_VERDICT_COLUMNS, "evaluated_at")}
    changed = sa.or_(
        *(
            sa.cast(matches.c[c], sa.Text).is_distinct_from(sa.cast(upsert.excluded[c], sa.Text))
            for c in _VERDICT_COLUMNS
        )
    )
    conn.execute(
        upsert.on_conflict_do_update(index_elements=["company_id", "notice_id"], set_=updates, where=changed)
    )
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
