"""The data version's cheaper figures (``reminder.web.data_version``) say what the plain ones said: the next
active deadline is the earliest active one after the instant, whichever index the database walks, and
the rows not published / not active move exactly when the published / active counts do."""

from __future__ import annotations

import datetime as dt

import pytest
import sqlalchemy as sa
from pg_utils import BACKENDS
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from reminder.db.models import DeadlineRow
from reminder.web.data_version import notices_version

AFTER = dt.datetime(2025, 3, 1, tzinfo=dt.UTC)


def _utc(at: dt.datetime) -> dt.datetime:
    return at if at.tzinfo is not None else at.replace(tzinfo=dt.UTC)


def _plain_next(session: Session) -> dt.datetime | None:
    """The next active deadline, found in Python from every row."""
    rows = session.exec(select(DeadlineRow)).all()
    return min(
        (_utc(d.at) for d in rows if d.active and d.at is not None and _utc(d.at) > AFTER), default=None
    )


@pytest.mark.parametrize("backend", BACKENDS)
def test_the_next_deadline_skips_inactive_ones(engine: Engine) -> None:
    with Session(engine) as session:
        first = notices_version(session, after=AFTER)[1]
        assert first is not None and first == _plain_next(session)
        # the earliest one deactivated: the next is the one after it, not the inactive one
        for row in session.exec(select(DeadlineRow)).all():
            if row.at is not None and _utc(row.at) == first:
                row.active = False
                session.add(row)
        session.flush()
        second = notices_version(session, after=AFTER)[1]
        assert second == _plain_next(session)
        assert second is None or second > first
        session.rollback()


@pytest.mark.parametrize("backend", BACKENDS)
@pytest.mark.parametrize(
    "change",
    [
        "UPDATE notices SET status = 'draft' WHERE id = (SELECT min(id) FROM notices)",
        # a status sorting after 'published' (none does today): the other range of the index
        "UPDATE notices SET status = 'zz' WHERE id = (SELECT min(id) FROM notices)",
        "UPDATE deadlines SET active = false WHERE id = (SELECT min(id) FROM deadlines)",
    ],
)
def test_unpublishing_or_deactivating_one_row_moves_the_version(engine: Engine, change: str) -> None:
    with Session(engine) as session:
        session.execute(sa.text("UPDATE notices SET updated_at = '2030-01-01 00:00:00'"))  # no stamp moves
        before = notices_version(session)
        session.execute(sa.text(change))
        assert notices_version(session) != before
        session.rollback()
