"""Writing verdicts row by row in bulk: each distinct verdict stored once (``_verdicts``), then narrow
match rows (company, notice, status, verdict id) in one prepared upsert, no ORM objects; reading them
back; deleting stale ones. (Classes of companies are written by ``_class_rows``.)

The JSON columns (missing, unmet, trace) arrive already serialised: thousands of companies share the
same few verdicts, so each is serialised, hashed and stored once; a stored match is rewritten only
when its verdict id changes.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Iterable, Sequence

import sqlalchemy as sa
from sqlmodel import Session, col

from reminder.db.models import Company, Match, UTCDateTime, Verdict
from reminder.db.verdicts import digest, drop_unused, verdict_ids, verdicts_of

__all__ = [
    "MatchRow",
    "expire_matches",
    "upsert_matches",
    "stored_verdicts",
    "stored_digests",
    "has_matches",
    "delete_matches_of",
    "delete_matches_except",
    "notice_verdicts",
    "drop_unused_verdicts",
]

log = logging.getLogger(__name__)

#: (company_id, notice_id, status, missing JSON, unmet JSON, trace JSON)
MatchRow = tuple[int, int, str, str, str, str]

#: ids per IN (...) list
_CHUNK = 500
_COLUMNS = "company_id, notice_id, status, verdict_id, evaluated_at"
_UPDATE = ", ".join(f"{c} = excluded.{c}" for c in ("status", "verdict_id", "evaluated_at"))
# Only a changed verdict is rewritten: ``evaluated_at`` says since when the stored verdict holds.
_UPSERT = {
    "sqlite": f"INSERT INTO matches ({_COLUMNS}) VALUES (?, ?, ?, ?, ?) "
    f"ON CONFLICT (company_id, notice_id) DO UPDATE SET {_UPDATE} "
    "WHERE matches.verdict_id IS NOT excluded.verdict_id",
    "postgresql": f"INSERT INTO matches ({_COLUMNS}) VALUES (%s, %s, %s, %s, %s) "
    f"ON CONFLICT (company_id, notice_id) DO UPDATE SET {_UPDATE} "
    "WHERE matches.verdict_id IS DISTINCT FROM excluded.verdict_id",
}


def expire_matches(session: Session) -> None:
    """Loaded Match objects no longer show what the table holds: reload them when next read."""
    for obj in list(session.identity_map.values()):
        if isinstance(obj, Match | Verdict):  # a verdict may be gone (``drop_unused``)
            session.expire(obj)


def stored_verdicts(
    *, session: Session, company_id: int, notice_ids: Sequence[int] | None = None
) -> dict[int, tuple[str, str, str, str]]:
    """The company's stored verdicts by notice id: (status, missing, unmet, trace), the lists as JSON text.

    With ``notice_ids``, only those notices' (a page showing some notices reads no other row).
    """
    text = [sa.cast(col(c), sa.Text) for c in (Verdict.missing, Verdict.unmet, Verdict.trace)]
    query = (
        sa.select(col(Match.notice_id), col(Match.status), *text)
        .join_from(Match, Verdict, col(Verdict.id) == col(Match.verdict_id))
        .where(col(Match.company_id) == company_id)
    )
    chunks = (
        [None]
        if notice_ids is None
        else [notice_ids[i : i + _CHUNK] for i in range(0, len(notice_ids), _CHUNK)]
    )
    found: dict[int, tuple[str, str, str, str]] = {}
    for chunk in chunks:
        scoped = query if chunk is None else query.where(col(Match.notice_id).in_(chunk))
        found.update(
            (row[0], (row[1], row[2], row[3], row[4])) for row in session.connection().execute(scoped)
        )
    return found


def stored_digests(*, session: Session, company_id: int) -> dict[int, tuple[int, str]]:
    """The company's stored verdicts by notice id: (verdict id, digest), for telling a changed one."""
    query = (
        sa.select(col(Match.notice_id), col(Match.verdict_id), col(Verdict.digest))
        .join_from(Match, Verdict, col(Verdict.id) == col(Match.verdict_id))
        .where(col(Match.company_id) == company_id)
    )
    return {row[0]: (row[1], row[2]) for row in session.connection().execute(query)}


def notice_verdicts(*, session: Session, notice_id: int) -> list[int]:
    """The ids of the notice's stored verdicts (before a rewrite: those left unused are dropped after)."""
    return verdicts_of(session.connection(), notice_id)


def drop_unused_verdicts(*, session: Session, verdict_ids: Iterable[int]) -> None:
    """Delete those of these verdicts no match refers to any more."""
    session.flush()
    drop_unused(session.connection(), verdict_ids)
    expire_matches(session)


def upsert_matches(*, session: Session, rows: Sequence[MatchRow], evaluated_at: dt.datetime) -> int:
    """Insert or replace the verdict of each (company, notice) pair.

    Args:
        session: the session (its pending changes are flushed first).
        rows: the verdicts.
        evaluated_at: stamped on every row.

    Returns:
        How many rows were given.
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
    texts = {r[1:]: digest(r[2:]) for r in rows}
    ids = verdict_ids(conn, ((r[0], r[1:]) for r in texts))
    params = [(r[0], r[1], r[2], ids[r[1], texts[r[1:]]], stamp) for r in rows]
    conn.exec_driver_sql(_UPSERT[dialect.name], params)
    expire_matches(session)
    return len(rows)


def has_matches(*, session: Session, notice_id: int) -> bool:
    """Whether any company has a stored verdict on the notice."""
    query = sa.select(sa.exists().where(col(Match.notice_id) == notice_id))
    return bool(session.connection().execute(query).scalar())


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
        expire_matches(session)
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
        # NOT EXISTS, not NOT IN: PostgreSQL scans a NOT IN list larger than work_mem once per match
        kept = sa.select(col(Company.id)).where(keep, col(Company.id) == col(Match.company_id))
        stmt = stmt.where(~kept.exists())
    result = session.connection().execute(stmt.execution_options(synchronize_session=False))
    count = int(getattr(result, "rowcount", 0) or 0)
    expire_matches(session)
    if count:
        log.info("notice %d: removed %d matches of companies no longer candidates", notice_id, count)
    return count
