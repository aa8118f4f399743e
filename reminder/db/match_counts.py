"""Each company's eligible and possibly eligible matches, counted in ``match_counts`` as matching writes them.

    match_company(company) ── recount_company: one aggregate over that company's matches, stored
    match_notice(notice) ──── counting_notice: the notice's counted verdicts are set aside (a
                              temporary table) before the writes; afterwards the difference per
                              company is added to the counts in one INSERT … SELECT … ON CONFLICT,
                              touching only companies whose verdict on this notice changed. A new
                              notice (none counted before) adds its counted matches, or, from
                              QUEUED_FROM of them, only queues itself: match_counts_pending
    fold_pending_counts ───── the queued notices' counted matches added to the counts, each in one
                              statement (the worker's "counts" job, every minute)
    rebuild_counts ────────── every count again from the matches (repair; tests compare with it)

Everything runs in the caller's transaction, so the counts (or the queued notice) commit or roll back
with the verdicts. A queued notice's matches are in no count until it is folded, whatever is matched
meanwhile: recounting a company leaves them out, matching the notice again keeps it queued. The admin
dashboard and ``/api/admin/companies`` read the counts instead of aggregating every match (the
dashboard says how many notices wait to be added; /metrics counts those from their matches). The table
has no foreign key and no index but its key, and half of each page free on PostgreSQL (migration 0017):
adding to a count is then an update in place, touching no index. Still, a new notice reaching 1,000,000
companies adds to as many counts (≈ 2 s on PostgreSQL): queued, that time is no longer part of
matching's, and the counts follow within the worker's interval (a minute).
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import Session, col

from reminder.db.models import Company, Match, MatchCount, MatchCountPending, utcnow

__all__ = [
    "COUNTED",
    "QUEUED_FROM",
    "counting_notice",
    "fold_pending_counts",
    "recount_company",
    "recount_companies",
    "rebuild_counts",
]

#: verdicts counted: eligible, and possibly eligible ("possible" is its legacy name)
COUNTED: tuple[str, ...] = ("eligible", "possibly_eligible", "possible")

#: a new notice with this many counted verdicts (eligible, possibly eligible) is queued rather than added
#: at once: adding to 10,000 counts takes ~25 ms, to 1,000,000 ≈ 2 s (a third of matching's time)
QUEUED_FROM = 10_000

#: the notice's counted verdicts before matching wrote (per connection; emptied before and after use)
_BEFORE = "match_counts_before"
_CREATE_BEFORE = {
    "sqlite": f"CREATE TEMP TABLE IF NOT EXISTS {_BEFORE} "
    "(company_id INTEGER PRIMARY KEY, eligible INTEGER NOT NULL, possible INTEGER NOT NULL)",
    # no key: read whole into one aggregate (``_change``); its index was a third of filling the table
    # with a 全国 notice's 800,000 counted verdicts
    "postgresql": f"CREATE TEMP TABLE IF NOT EXISTS {_BEFORE} "
    "(company_id INTEGER NOT NULL, eligible INTEGER NOT NULL, possible INTEGER NOT NULL) "
    "ON COMMIT DELETE ROWS",
}
_before = sa.table(_BEFORE, sa.column("company_id"), sa.column("eligible"), sa.column("possible"))
_counts = MatchCount.__table__  # type: ignore[attr-defined]
_pending = MatchCountPending.__table__  # type: ignore[attr-defined]


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


def _counted_per_company(*where: sa.ColumnElement[bool]) -> sa.Select[Any, Any, Any, Any]:
    """(company_id, eligible, possible, total) of the counted matches meeting ``where``, per company."""
    return (
        sa.select(col(Match.company_id), sa.func.sum(_eligible()), sa.func.sum(_possible()), sa.func.count())
        .where(col(Match.status).in_(COUNTED), *where)
        .group_by(col(Match.company_id))
    )


def _insert(session: Session, table: sa.Table = _counts) -> Any:
    """The dialect's INSERT of ``table`` (its ON CONFLICT clauses are the dialect's own)."""
    name = session.get_bind().dialect.name
    if name not in _CREATE_BEFORE:
        raise NotImplementedError(f"match counts support SQLite and PostgreSQL, not {name}")
    return (postgresql.insert if name == "postgresql" else sqlite.insert)(table)


@contextmanager
def counting_notice(session: Session, notice_id: int) -> Iterator[None]:
    """Keep the counts in step with whatever the block writes to this notice's matches.

    Args:
        session: the session matching writes with (flushed here; nothing is committed).
        notice_id: the notice whose matches the block rewrites or deletes.
    """
    session.flush()
    conn = session.connection()
    if _queued(conn, notice_id):  # none of its matches is counted: the fold counts what the block leaves
        yield
        return
    conn.exec_driver_sql(_CREATE_BEFORE[conn.dialect.name])
    conn.execute(sa.delete(_before))
    conn.execute(
        sa.insert(_before).from_select(["company_id", "eligible", "possible"], _counted_of_notice(notice_id))
    )
    counted_before = conn.execute(sa.select(sa.exists().select_from(_before))).scalar()
    yield
    session.flush()
    if not counted_before:  # a new notice (or none counted): its counted matches are the change
        first = _counted_of_notice(notice_id).limit(QUEUED_FROM).subquery("first")
        counted = conn.execute(sa.select(sa.func.count()).select_from(first)).scalar_one()
        if counted >= QUEUED_FROM:  # added later, by the worker's counts job
            queue = _insert(session, _pending).values(notice_id=notice_id, queued_at=utcnow())
            conn.execute(queue.on_conflict_do_nothing(index_elements=["notice_id"]))
        elif counted:
            _add_notice(conn, _insert(session), notice_id)
        return
    after = _counted_of_notice(notice_id).subquery("after")
    insert = _insert(session).from_select(["company_id", "eligible", "possible", "total"], _change(after))
    added = {c: _counts.c[c] + insert.excluded[c] for c in ("eligible", "possible", "total")}
    conn.execute(insert.on_conflict_do_update(index_elements=["company_id"], set_=added))
    conn.execute(sa.delete(_before))


def _queued(conn: sa.Connection, notice_id: int) -> bool:
    """Whether the notice waits to be folded; on PostgreSQL its row is locked until the caller commits,
    so no fold adds the matches the caller is rewriting."""
    query = sa.select(_pending.c.notice_id).where(_pending.c.notice_id == notice_id)
    if conn.dialect.name == "postgresql":
        query = query.with_for_update()  # a fold in progress: wait, then find the row gone
    return conn.execute(query).first() is not None


def _add_notice(conn: sa.Connection, insert: Any, notice_id: int) -> None:
    """Add one notice's counted matches to the counts (one row per company: nothing to group)."""
    counted = _counted_of_notice(notice_id).subquery("counted")
    rows = sa.select(counted.c.company_id, counted.c.eligible, counted.c.possible, sa.literal(1, sa.Integer))
    _upsert_added(conn, insert, rows.where(sa.true()))


def _add_notices(conn: sa.Connection, insert: Any, notice_ids: Sequence[int]) -> None:
    """Add several notices' counted matches to the counts, summed per company first: each company's
    count is updated once, not once per notice (8 全国 notices: 2.9 M updates became 1 M)."""
    if len(notice_ids) == 1:
        _add_notice(conn, insert, notice_ids[0])
        return
    _upsert_added(conn, insert, _counted_per_company(col(Match.notice_id).in_(notice_ids)))


def _upsert_added(conn: sa.Connection, insert: Any, rows: sa.Select[Any, Any, Any, Any]) -> None:
    """Add (company_id, eligible, possible, total) rows to the counts, a missing count starting at them."""
    rows = rows.order_by(rows.selected_columns[0])  # rows locked in one order: no deadlock
    upsert = insert.from_select(["company_id", "eligible", "possible", "total"], rows)
    added = {c: _counts.c[c] + upsert.excluded[c] for c in ("eligible", "possible", "total")}
    conn.execute(upsert.on_conflict_do_update(index_elements=["company_id"], set_=added))


def fold_pending_counts(session: Session) -> int:
    """Add every queued notice's counted matches to the counts and unqueue it, in the session's
    transaction (the caller commits). On PostgreSQL a notice another transaction holds (being folded
    or matched again) is skipped: it is folded by whoever holds it, or next time.

    Returns:
        How many notices were folded.
    """
    session.flush()
    conn = session.connection()
    query = sa.select(_pending.c.notice_id).order_by(_pending.c.notice_id)
    if conn.dialect.name == "postgresql":
        query = query.with_for_update(skip_locked=True)
    queued = list(conn.execute(query).scalars())
    if queued:
        _add_notices(conn, _insert(session), queued)
        conn.execute(sa.delete(_pending).where(_pending.c.notice_id.in_(queued)))
    return len(queued)


def _not_queued(conn: sa.Connection) -> sa.ColumnElement[bool]:
    """Matches of no queued notice: those the counts hold. On PostgreSQL the queued notices are locked
    (shared) until the caller commits: a fold in progress is waited for, and none starts meanwhile, so
    no fold adds to a count recounted without it."""
    if conn.dialect.name == "postgresql":
        conn.execute(sa.select(_pending.c.notice_id).with_for_update(read=True)).all()
    return col(Match.notice_id).not_in(sa.select(_pending.c.notice_id))


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
    conn = session.connection()
    eligible = sa.func.coalesce(sa.func.sum(_eligible()), 0)
    possible = sa.func.coalesce(sa.func.sum(_possible()), 0)
    counted = sa.select(sa.literal(company_id, sa.Integer), eligible, possible, sa.func.count()).where(
        col(Match.company_id) == company_id, col(Match.status).in_(COUNTED), _not_queued(conn)
    )
    insert = _insert(session).from_select(["company_id", "eligible", "possible", "total"], counted)
    stored = {c: insert.excluded[c] for c in ("eligible", "possible", "total")}
    conn.execute(insert.on_conflict_do_update(index_elements=["company_id"], set_=stored))


def rebuild_counts(session: Session) -> int:
    """Every company's counts again from its matches (a repair; matching keeps them in step).

    Returns:
        How many companies have counted matches.
    """
    session.flush()
    conn = session.connection()
    conn.execute(sa.delete(_pending))  # every match is counted below
    conn.execute(sa.delete(_counts))
    counted = _counted_per_company()
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
    counted_now = _not_queued(conn)
    conn.execute(sa.delete(_counts).where(_counts.c.company_id.in_(ids)))
    counted = _counted_per_company(col(Match.company_id).in_(ids), counted_now)
    conn.execute(sa.insert(_counts).from_select(["company_id", "eligible", "possible", "total"], counted))
