"""Each company's eligible and possibly eligible matches, counted in ``match_counts`` as matching writes them.

    match_company(company) ── recount_company: one aggregate over that company's matches, stored
    match_notice(notice) ──── counting_notice: the notice's counted verdicts are set aside (a
                              temporary table) before the writes; afterwards the difference per
                              company is added to the counts in one INSERT … SELECT … ON CONFLICT,
                              touching only companies whose verdict on this notice changed (a new
                              notice: its counted matches are the difference, nothing is grouped)
    rebuild_counts ────────── every count again from the matches (repair; tests compare with it)

Everything runs in the caller's transaction, so the counts commit or roll back with the verdicts. The
admin dashboard and ``/api/admin/companies`` read the counts instead of aggregating every match. The
table has no foreign key and no index but its key, and half of each page free on PostgreSQL (migration
0017): adding to a count is then an update in place, touching no index (a new notice adds to 100,000).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import Session, col

from reminder.db.models import Company, Match, MatchCount

__all__ = ["COUNTED", "counting_notice", "recount_company", "recount_companies", "rebuild_counts"]

#: verdicts counted: eligible, and possibly eligible ("possible" is its legacy name)
COUNTED: tuple[str, ...] = ("eligible", "possibly_eligible", "possible")

#: the notice's counted verdicts before matching wrote (per connection; emptied before and after use)
_BEFORE = "match_counts_before"
_CREATE_BEFORE = {
    "sqlite": f"CREATE TEMP TABLE IF NOT EXISTS {_BEFORE} "
    "(company_id INTEGER PRIMARY KEY, eligible INTEGER NOT NULL, possible INTEGER NOT NULL)",
    "postgresql": f"CREATE TEMP TABLE IF NOT EXISTS {_BEFORE} "
    "(company_id INTEGER PRIMARY KEY, eligible INTEGER NOT NULL, possible INTEGER NOT NULL) "
    "ON COMMIT DELETE ROWS",
}
_before = sa.table(_BEFORE, sa.column("company_id"), sa.column("eligible"), sa.column("possible"))
_counts = MatchCount.__table__  # type: ignore[attr-defined]


def _eligible() -> sa.ColumnElement[int]:
    return sa.case((col(Match.status) == "eligible", 1), else_=0)


def _possible() -> sa.ColumnElement[int]:
    return sa.case((col(Match.status) == "eligible", 0), else_=1)  # only counted rows are read


def _counted_of_notice(notice_id: int) -> sa.Select[Any, int, int]:
    return sa.select(
        col(Match.company_id).label("company_id"),
        _eligible().label("eligible"),
        _possible().label("possible"),
    ).where(col(Match.notice_id) == notice_id, col(Match.status).in_(COUNTED))


def _insert(session: Session) -> Any:
    name = session.get_bind().dialect.name
    if name not in _CREATE_BEFORE:
        raise NotImplementedError(f"match counts support SQLite and PostgreSQL, not {name}")
    return (postgresql.insert if name == "postgresql" else sqlite.insert)(_counts)


@contextmanager
def counting_notice(session: Session, notice_id: int) -> Iterator[None]:
    """Keep the counts in step with whatever the block writes to this notice's matches.

    Args:
        session: the session matching writes with (flushed here; nothing is committed).
        notice_id: the notice whose matches the block rewrites or deletes.
    """
    session.flush()
    conn = session.connection()
    conn.exec_driver_sql(_CREATE_BEFORE[conn.dialect.name])
    conn.execute(sa.delete(_before))
    conn.execute(
        sa.insert(_before).from_select(["company_id", "eligible", "possible"], _counted_of_notice(notice_id))
    )
    counted_before = conn.execute(sa.select(sa.exists().select_from(_before))).scalar()
    yield
    session.flush()
    after = _counted_of_notice(notice_id).subquery("after")
    if not counted_before:  # a new notice (or none counted): its counted matches are the change
        delta = sa.select(after.c.company_id, after.c.eligible, after.c.possible, sa.literal(1, sa.Integer))
        delta = delta.order_by(after.c.company_id)  # rows locked in one order: no deadlock between runs
    else:
        delta = _change(after)
    insert = _insert(session).from_select(["company_id", "eligible", "possible", "total"], delta)
    added = {c: _counts.c[c] + insert.excluded[c] for c in ("eligible", "possible", "total")}
    conn.execute(insert.on_conflict_do_update(index_elements=["company_id"], set_=added))
    conn.execute(sa.delete(_before))


def _change(after: sa.Subquery) -> sa.Select[Any, int, int, int]:
    """Each company's counted matches after the block less those before it, where they differ."""
    taken = sa.select(_before.c.company_id, -_before.c.eligible, -_before.c.possible)
    change = sa.union_all(sa.select(after), taken).subquery("change")
    eligible, possible = sa.func.sum(change.c.eligible), sa.func.sum(change.c.possible)
    return (
        sa.select(change.c.company_id, eligible, possible, eligible + possible)
        .group_by(change.c.company_id)
        .having(sa.or_(eligible != 0, possible != 0))
        .order_by(change.c.company_id)  # rows locked in one order: concurrent runs cannot deadlock
    )


def recount_company(session: Session, company_id: int) -> None:
    """Count one company's matches again and store the counts (after its verdicts were written)."""
    session.flush()
    eligible = sa.func.coalesce(sa.func.sum(_eligible()), 0)
    possible = sa.func.coalesce(sa.func.sum(_possible()), 0)
    counted = sa.select(sa.literal(company_id, sa.Integer), eligible, possible, sa.func.count()).where(
        col(Match.company_id) == company_id, col(Match.status).in_(COUNTED)
    )
    insert = _insert(session).from_select(["company_id", "eligible", "possible", "total"], counted)
    stored = {c: insert.excluded[c] for c in ("eligible", "possible", "total")}
    session.connection().execute(insert.on_conflict_do_update(index_elements=["company_id"], set_=stored))


def rebuild_counts(session: Session) -> int:
    """Every company's counts again from its matches (a repair; matching keeps them in step).

    Returns:
        How many companies have counted matches.
    """
    session.flush()
    conn = session.connection()
    conn.execute(sa.delete(_counts))
    counted = (
        sa.select(col(Match.company_id), sa.func.sum(_eligible()), sa.func.sum(_possible()), sa.func.count())
        .where(col(Match.status).in_(COUNTED))
        .group_by(col(Match.company_id))
    )
    result = conn.execute(
        sa.insert(_counts).from_select(["company_id", "eligible", "possible", "total"], counted)
    )
    return int(getattr(result, "rowcount", 0) or 0)


def recount_companies(session: Session, scope: sa.ColumnElement[bool]) -> None:
    """Count the matches of every company meeting ``scope`` (a condition on the companies table) again,
    in two set-based statements: ``recount_company`` for a bulk import's thousands of companies."""
    session.flush()
    conn = session.connection()
    ids = sa.select(col(Company.id)).where(scope)
    conn.execute(sa.delete(_counts).where(_counts.c.company_id.in_(ids)))
    counted = (
        sa.select(col(Match.company_id), sa.func.sum(_eligible()), sa.func.sum(_possible()), sa.func.count())
        .where(col(Match.status).in_(COUNTED), col(Match.company_id).in_(ids))
        .group_by(col(Match.company_id))
    )
    conn.execute(sa.insert(_counts).from_select(["company_id", "eligible", "possible", "total"], counted))
