"""The notices' data version: one statement that sums up everything the public lists and a company's
outputs read of the notices side, so a cached rendering is reused exactly while it would come out the same.

    notices_version(session)              → the version (strings; equal versions, equal notice data)
    notices_version(session, after=now)   → the version and the next active deadline after ``now``

It moves whenever a notice is added, deleted, published, withdrawn or edited (every edit stamps
``updated_at``: the sum of all stamps moves even when an edit is stamped earlier than the newest, as a
demo clock does), a deadline is added, deactivated or deleted, conditions are replaced, or a correction,
a document version or a notice change is recorded (append-only: their last id moves). It is read in
every process from the database, so a change made through any process shows at once in all of them.
A connection reads it in full again only when its mark moved (SQLite: ``PRAGMA data_version``, another
connection of any process committed, or ``total_changes()``, this one wrote; PostgreSQL: the snapshot),
and keeps nothing read inside a write transaction.
"""

from __future__ import annotations

import datetime as dt
import functools
from typing import Any, overload

import sqlalchemy as sa
from sqlmodel import Session, col

from reminder.db.models import ConditionRow, Correction, DeadlineRow, DocumentRow, NoticeChange, NoticeRow

__all__ = ["notices_version"]


def _instants_sum(column: Any, dialect: str) -> sa.ColumnElement[Any]:
    """A number that moves when any row's instant does (max alone misses an older ``now``, e.g. a demo clock)."""
    if dialect == "postgresql":
        return sa.func.sum(sa.func.extract("epoch", column))
    return sa.func.total(sa.func.julianday(column))  # SQLite keeps UTC text; milliseconds count


def _scalar(query: sa.Select[Any], name: str) -> sa.Label[Any]:
    return query.scalar_subquery().label(name)


def _following() -> sa.Label[Any]:
    """The next active deadline after the ``after`` parameter."""
    return _scalar(
        # ``!= false``, not ``= true``: SQLite would walk every active deadline through the index on
        # ``active`` (3.5 M instructions a request at 2,000 deadlines) instead of the range of the index
        # on ``at`` (``active`` is NOT NULL, so the two agree)
        sa.select(sa.func.min(col(DeadlineRow.at))).where(
            col(DeadlineRow.active) != sa.false(), col(DeadlineRow.at) > sa.bindparam("after")
        ),  # the column's type binds it
        "following",
    )


#: per dialect, what moves whenever the data a connection reads may have changed. SQLite:
#: ``data_version`` when another connection (of any process) committed, ``total_changes()`` when this
#: one wrote a row. PostgreSQL: the statement's snapshot (the same snapshot sees the same rows: a commit
#: anywhere changes the next one) and whether this transaction has written (its own rows are not in it)
_MARKS: dict[str, tuple[sa.Label[Any], sa.Label[Any]]] = {
    "sqlite": (
        sa.literal_column("(SELECT data_version FROM pragma_data_version())").label("data_version"),
        sa.func.total_changes().label("total_changes"),
    ),
    "postgresql": (
        sa.literal_column("pg_current_snapshot()::text").label("snapshot"),
        sa.literal_column("pg_current_xact_id_if_assigned() IS NOT NULL").label("writing"),
    ),
}


@functools.cache
def _version_query(dialect: str, with_next: bool, marked: bool = False) -> sa.Select[Any]:
    """Built once per dialect (``marked``: with the connection's mark, ``_MARKS``). Each figure
    is its own subquery, so counts and last ids come from an index (or the table's own count) and only the
    stamps are read row by row: one aggregate over every notice, deadline and condition row took twice as
    long (0.6 ms a request at 1,000 notices)."""
    stamps = sa.select(
        sa.func.max(col(NoticeRow.updated_at)).label("updated"),
        _instants_sum(col(NoticeRow.updated_at), dialect).label("updated_sum"),
    ).subquery("n")
    figures = [
        _scalar(sa.select(sa.func.count()).select_from(NoticeRow), "notices"),
        _scalar(sa.select(sa.func.max(col(NoticeRow.id))), "last_notice"),
        # with the counts of all rows, the rows *not* published / active tell the same and are few: two
        # ranges of the status index instead of every published notice, the inactive deadlines instead of
        # every active one (0.4 + 0.7 M instructions a request on SQLite at 1,000 notices)
        _scalar(
            sa.select(sa.func.count())
            .select_from(NoticeRow)
            .where(sa.or_(col(NoticeRow.status) < "published", col(NoticeRow.status) > "published")),
            "unpublished",
        ),
        _scalar(sa.select(sa.func.count()).select_from(DeadlineRow), "deadlines"),
        _scalar(sa.select(sa.func.max(col(DeadlineRow.id))), "last_deadline"),
        _scalar(
            sa.select(sa.func.count()).select_from(DeadlineRow).where(sa.not_(col(DeadlineRow.active))),
            "inactive",
        ),
        _scalar(sa.select(sa.func.count()).select_from(ConditionRow), "conditions"),
    ]
    # append-only tables (and conditions, replaced as a whole): their last id moves on every write
    last = [
        _scalar(sa.select(sa.func.max(column)), name)
        for name, column in (
            ("last_condition", col(ConditionRow.id)),
            ("last_correction", col(Correction.id)),
            ("last_document", col(DocumentRow.id)),
            ("last_change", col(NoticeChange.id)),
        )
    ]
    following = [_following()] if with_next else []
    mark = _MARKS[dialect] if marked else ()
    return sa.select(stamps.c.updated, stamps.c.updated_sum, *figures, *last, *mark, *following)


@functools.cache
def _mark_query(dialect: str, with_next: bool) -> sa.Select[Any]:
    """The connection's mark (and the next active deadline), without the figures."""
    return sa.select(*_MARKS[dialect], *([_following()] if with_next else []))


#: ``Connection.info`` key (one per DBAPI connection): its mark when the version was last read in full,
#: and that version
_KEPT = "reminder_notices_version"


def _writing(conn: sa.Connection, mark: tuple[Any, ...]) -> bool:
    """Whether the connection's transaction has written (SQLite: it is inside one, which the driver begins
    before a write only; PostgreSQL: the mark says so)."""
    if conn.dialect.name == "sqlite":
        return bool(getattr(conn.connection.dbapi_connection, "in_transaction", True))
    return bool(mark[1])


def _read(conn: sa.Connection, after: dt.datetime | None) -> tuple[tuple[str, ...], Any]:
    """The version, and the next active deadline after ``after`` as the database gives it (None without
    ``after``). The figures are read again only when the connection's mark moved: reading the stamps of
    every notice cost ~2 M instructions a request, a tenth of a company's first page or API answer
    (issue 15). Nothing is kept from inside a write transaction: a rollback undoes rows without moving
    the mark."""
    with_next = after is not None
    params = {"after": after} if with_next else {}
    dialect = conn.dialect.name
    marked = dialect in _MARKS
    if marked and (kept := conn.info.get(_KEPT)) is not None:
        mark = conn.execute(_mark_query(dialect, with_next), params).one()
        if tuple(mark[:2]) == kept[0]:
            return kept[1], mark[-1] if with_next else None
    row = tuple(conn.execute(_version_query(dialect, with_next, marked), params).one())
    following = row[-1] if with_next else None
    figures = row[:-1] if with_next else row
    if not marked:
        return tuple(str(value) for value in figures), following
    version = tuple(str(value) for value in figures[:-2])
    if _writing(conn, figures[-2:]):
        conn.info.pop(_KEPT, None)
    else:
        conn.info[_KEPT] = (figures[-2:], version)
    return version, following


@overload
def notices_version(session: Session) -> tuple[str, ...]: ...
@overload
def notices_version(session: Session, after: dt.datetime) -> tuple[tuple[str, ...], dt.datetime | None]: ...
def notices_version(
    session: Session, after: dt.datetime | None = None
) -> tuple[str, ...] | tuple[tuple[str, ...], dt.datetime | None]:
    """The notices' data version; with ``after``, also the next active deadline after that instant."""
    version, following = _read(session.connection(), after)
    if after is None:
        return version
    if isinstance(following, str):  # SQLite hands the subquery's aggregate back as text
        following = dt.datetime.fromisoformat(following)
    if following is not None and following.tzinfo is None:
        following = following.replace(tzinfo=dt.UTC)
    return version, following
