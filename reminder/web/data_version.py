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


@functools.cache
def _version_query(dialect: str, with_next: bool) -> sa.Select[Any]:
    """Built once per dialect: one pass over each table."""
    notices = sa.select(
        sa.func.count().label("notices"),
        sa.func.max(col(NoticeRow.id)).label("last_notice"),
        sa.func.max(col(NoticeRow.updated_at)).label("updated"),
        _instants_sum(col(NoticeRow.updated_at), dialect).label("updated_sum"),
        sa.func.sum(sa.case((col(NoticeRow.status) == "published", 1), else_=0)).label("published"),
    ).subquery("n")
    deadlines = sa.select(
        sa.func.count().label("deadlines"),
        sa.func.max(col(DeadlineRow.id)).label("last_deadline"),
        sa.func.sum(sa.case((col(DeadlineRow.active), 1), else_=0)).label("active"),
    ).subquery("d")
    counted = [
        sa.select(sa.func.count(col(ConditionRow.id))).scalar_subquery().label("conditions"),
    ]
    # append-only tables (and conditions, replaced as a whole): their last id moves on every write
    last = [
        sa.select(sa.func.max(column)).scalar_subquery().label(name)
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
            sa.select(sa.func.min(col(DeadlineRow.at)))
            .where(
                col(DeadlineRow.active), col(DeadlineRow.at) > sa.bindparam("after")
            )  # the column's type binds it
            .scalar_subquery()
            .label("following")
        )
    return sa.select(notices, deadlines, *counted, *last, *following).join_from(notices, deadlines, sa.true())


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
