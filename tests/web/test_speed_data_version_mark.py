"""On SQLite the notices' data version (``reminder.web.data_version``) is read in full only when the
connection's mark moved (``data_version``: another connection committed; ``total_changes()``: this one
wrote): what it gives is always what the full read gives, and a change committed through this
connection, another connection of the process or another process moves it."""

from __future__ import annotations

import datetime as dt
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Engine
from sqlmodel import Session

from reminder.db.engine import make_engine
from reminder.web.data_version import _version_query, notices_version

AFTER = dt.datetime(2025, 3, 1, tzinfo=dt.UTC)
#: an edit the version must show, and one that undoes it (stamps moved back and forth)
EDIT = "UPDATE notices SET updated_at = '2001-01-01 00:00:00' WHERE id = (SELECT max(id) FROM notices)"
WITHDRAW = "UPDATE notices SET status = 'draft' WHERE id = (SELECT min(id) FROM notices)"


def _full(session: Session) -> tuple[tuple[str, ...], object]:
    """The version as the full statement reads it, without any kept figures."""
    conn = session.connection()
    row = tuple(conn.execute(_version_query("sqlite", True), {"after": AFTER}).one())
    following = row[-1]
    return tuple(str(v) for v in row[:-1]), following


@contextmanager
def _statements(engine: Engine) -> Iterator[list[str]]:
    seen: list[str] = []

    def note(conn: sa.Connection, cursor: object, statement: str, *args: object) -> None:
        seen.append(statement)

    sa.event.listen(engine, "before_cursor_execute", note)
    try:
        yield seen
    finally:
        sa.event.remove(engine, "before_cursor_execute", note)


def _read(engine: Engine) -> tuple[tuple[str, ...], dt.datetime | None]:
    with Session(engine) as session:
        return notices_version(session, after=AFTER)


def test_unchanged_data_is_not_read_again(engine: Engine) -> None:
    first = _read(engine)
    with _statements(engine) as seen:
        for _ in range(3):
            assert _read(engine) == first
            with Session(engine) as session:
                assert notices_version(session) == first[0]
    # one small statement a read: no stamps summed, no counts
    assert len(seen) == 6
    assert not any("julianday" in s or "count(" in s for s in seen)


def test_kept_figures_are_the_full_reads(engine: Engine) -> None:
    for _ in range(2):
        with Session(engine) as session:
            version, following = notices_version(session, after=AFTER)
            full, raw = _full(session)
            assert version == full
            raw = raw if isinstance(raw, dt.datetime) else dt.datetime.fromisoformat(str(raw))
            assert following == (raw if raw.tzinfo else raw.replace(tzinfo=dt.UTC))


def test_a_commit_by_another_process_moves_it(engine: Engine) -> None:
    before = _read(engine)
    path = engine.url.database
    code = f"import sqlite3; c = sqlite3.connect({path!r}); c.execute({WITHDRAW!r}); c.commit()"
    subprocess.run([sys.executable, "-c", code], check=True)
    after = _read(engine)
    assert after != before
    # and another engine (a fresh process's connections) reads the same version
    other = make_engine(engine.url)
    try:
        assert _read(other) == after
    finally:
        other.dispose()


# PostgreSQL: the mark is the statement's snapshot (and whether this transaction has written). The
# shared sample database is put back as it was after each test.


@contextmanager
def _restored(engine: Engine) -> Iterator[None]:
    """Every notice's status and stamp as they were, whatever the block committed."""
    with engine.connect() as conn:
        rows = conn.execute(sa.text("SELECT id, status, updated_at FROM notices")).all()
    try:
        yield
    finally:
        with engine.begin() as conn:
            for id_, status, updated in rows:
                conn.execute(
                    sa.text("UPDATE notices SET status = :s, updated_at = :u WHERE id = :i"),
                    {"s": status, "u": updated, "i": id_},
                )


@pytest.fixture
def pg(request: pytest.FixtureRequest) -> Iterator[Engine]:
    engine: Engine = request.getfixturevalue("sample_postgres")
    with _restored(engine):
        yield engine


@pytest.mark.postgres
def test_postgres_unchanged_data_is_not_read_again(pg: Engine) -> None:
    with pg.connect() as conn:  # (one connection: each keeps its own mark)
        first = notices_version(Session(bind=conn), after=AFTER)
        with _statements(pg) as seen:
            for _ in range(3):
                assert notices_version(Session(bind=conn), after=AFTER) == first
        assert len(seen) == 3
        assert not any("count(" in s or "sum(" in s for s in seen)
        assert first[0] == tuple(str(v) for v in conn.execute(_version_query("postgresql", False)).one())


@pytest.fixture(params=[pytest.param("sqlite"), pytest.param("postgres", marks=pytest.mark.postgres)])
def db(request: pytest.FixtureRequest) -> Engine:
    """The sample database on SQLite, then on PostgreSQL."""
    engine: Engine = request.getfixturevalue("pg" if request.param == "postgres" else "engine")
    return engine


def test_a_commit_through_another_connection_moves_it(db: Engine) -> None:
    before = _read(db)
    with db.connect() as reader, db.connect() as writer:
        assert notices_version(Session(bind=reader), after=AFTER) == before
        writer.execute(sa.text(WITHDRAW))
        writer.commit()
        assert notices_version(Session(bind=reader), after=AFTER) != before


def test_a_commit_through_the_same_connection_moves_it(db: Engine) -> None:
    before = _read(db)
    with Session(db) as session:
        assert notices_version(session, after=AFTER) == before  # the kept figures, on this connection
        session.execute(sa.text(EDIT))
        assert notices_version(session, after=AFTER) != before  # read inside the write
        session.commit()
        assert notices_version(session, after=AFTER) != before
    assert _read(db) != before


def test_a_rolled_back_write_leaves_the_version_as_before(db: Engine) -> None:
    before = _read(db)
    with Session(db) as session:
        session.execute(sa.text(WITHDRAW))
        assert notices_version(session, after=AFTER) != before  # read inside the write
        session.rollback()
        assert notices_version(session, after=AFTER) == before
