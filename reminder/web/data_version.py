"""The notices' data version: one statement that sums up everything the public lists and a company's
outputs read of the notices side, so a cached rendering is reused exactly while it would come out the same.

    notices_version(session)              → the version (strings; equal versions, equal notice data)
    notices_version(session, after=now)   → the version and the next active deadline after ``now``

It moves whenever a notice is added, deleted, published, withdrawn or edited (every edit stamps
``updated_at``: the sum of all stamps moves even when an edit is stamped earlier than the newest, as a
demo clock does), a deadline is added, deactivated or deleted, conditions are replaced, or a correction,
a document version or a notice change is recorded (append-only: their last id moves). It is read in
every process from the database, so a change made through any process shows at once in all of them.
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


@functools.cache
def _version_query(dialect: str, with_next: bool) -> sa.Select[Any]:
    """Built once per dialect. Each figure is its own subquery, so counts and last ids come from an index
    (or the table's own count) and only the stamps are read row by row: one aggregate over every
    notice, deadline and condition row took twice as long (0.6 ms a request at 1,000 notices)."""
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
    following = []
    if with_next:
        following.append(
            _scalar(
                # ``!= false``, not ``= true``: SQLite would walk every active deadline through the index
                # on ``active`` (3.5 M instructions a request at 2,000 deadlines) instead of the range of
                # the index on ``at`` (``active`` is NOT NULL, so the two agree)
                sa.select(sa.func.min(col(DeadlineRow.at))).where(
                    col(DeadlineRow.active) != sa.false(), col(DeadlineRow.at) > sa.bindparam("after")
                ),  # the column's type binds it
                "following",
            )
        )
    return sa.select(stamps.c.updated, stamps.c.updated_sum, *figures, *last, *following)


@overload
def notices_version(session: Session) -> tuple[str, ...]: ...
@overload
def notices_version(session: Session, after: dt.datetime) -> tuple[tuple[str, ...], dt.datetime | None]: ...
def notices_version(
    session: Session, after: dt.datetime | None = None
) -> tuple[str, ...] | tuple[tuple[str, ...], dt.datetime | None]:
    """The notices' data version; with ``after``, also the next active deadline after that instant."""
    conn = session.connection()
    if after is None:
        row = conn.execute(_version_query(conn.dialect.name, False)).one()
        return tuple(str(value) for value in row)
    row = conn.execute(_version_query(conn.dialect.name, True), {"after": after}).one()
    following = row[-1]
    if isinstance(following, str):  # SQLite hands the subquery's aggregate back as text
        following = dt.datetime.fromisoformat(following)
    if following is not None and following.tzinfo is None:
        following = following.replace(tzinfo=dt.UTC)
    return tuple(str(value) for value in row[:-1]), following
