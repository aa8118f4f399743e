"""The notices' data version (``reminder.web.data_version``) moves with every change a cached page or
output could show, and only then: each kind of write is made in a transaction, the version read in it,
and the write rolled back (the PostgreSQL sample database is shared by the session)."""

from __future__ import annotations

import datetime as dt

import pytest
import sqlalchemy as sa
from pg_utils import BACKENDS
from sqlalchemy.engine import Engine
from sqlmodel import Session

from reminder.web.data_version import notices_version

AFTER = dt.datetime(2025, 3, 1, tzinfo=dt.UTC)

#: each a write a page shows, as SQL run in the test's transaction
CHANGES: dict[str, str] = {
    "a deadline deactivated (no stamp)": (  # the latest one: the next deadline stays the same
        "UPDATE deadlines SET active = false WHERE id = "
        "(SELECT id FROM deadlines WHERE active AND at IS NOT NULL ORDER BY at DESC LIMIT 1)"
    ),
    "a notice stamped earlier than the newest (a demo clock)": (
        "UPDATE notices SET updated_at = '2001-01-01 00:00:00' WHERE id = (SELECT max(id) FROM notices)"
    ),
    "a notice withdrawn": "UPDATE notices SET status = 'draft' WHERE id = (SELECT min(id) FROM notices)",
    "a condition deleted": "DELETE FROM conditions WHERE id = (SELECT min(id) FROM conditions)",
    "a deadline deleted": "DELETE FROM deadlines WHERE id = (SELECT max(id) FROM deadlines)",
}


def _read(session: Session) -> tuple[object, ...]:
    return notices_version(session, after=AFTER)


@pytest.mark.parametrize("backend", BACKENDS)
@pytest.mark.parametrize("change", list(CHANGES))
def test_each_change_a_page_shows_moves_the_version(engine: Engine, change: str) -> None:
    with Session(engine) as session:
        before = _read(session)
        assert _read(session) == before, "unchanged data, unchanged version"
        session.execute(sa.text(CHANGES[change]))
        assert _read(session) != before, change
        session.rollback()
        assert _read(session) == before
