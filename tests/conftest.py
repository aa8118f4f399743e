"""Fixtures shared by the whole test tree (being here also puts tests/ on sys.path, so helpers import).

clean_environ (autouse) ─ no inherited DATABASE_URL / REMINDER_*, cwd a fresh directory, settings re-read
db / session ──────────── a database at the head revision on SQLite and on PostgreSQL, emptied after
                          each test (PostgreSQL: 127.0.0.1:5432, user postgres, trust auth, one
                          throwaway database per session; skipped with the reason when unreachable)
loopback.py ───────────── a plain HTTP receiver on 127.0.0.1 (notify/receiver.py plays the platforms)
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from pg_utils import BACKENDS, throwaway_database
from sqlalchemy.engine import Engine
from sqlmodel import Session, SQLModel

from reminder.config import get_settings
from reminder.db.engine import make_engine
from reminder.db.migrate import upgrade


@pytest.fixture(autouse=True)
def clean_environ(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[None]:
    """No inherited DATABASE_URL / REMINDER_* and no stray .env: settings come from the test alone."""
    for name in list(os.environ):
        if name.startswith("REMINDER_") or name == "DATABASE_URL":
            monkeypatch.delenv(name)
    monkeypatch.chdir(tmp_path)
    get_settings.cache_clear()
    yield
    get_settings.cache_clear()


@pytest.fixture(scope="session")
def pg_database() -> Iterator[str]:
    """A throwaway PostgreSQL database for the session, as a SQLAlchemy URL."""
    with throwaway_database("reminder_test") as url:
        yield url


@pytest.fixture(scope="session")
def migrated_sqlite(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Engine]:
    engine = make_engine(f"sqlite:///{tmp_path_factory.mktemp('shared') / 'reminder.db'}")
    upgrade(engine)
    yield engine
    engine.dispose()


@pytest.fixture(scope="session")
def migrated_postgres(pg_database: str) -> Iterator[Engine]:
    engine = make_engine(pg_database)
    upgrade(engine)
    yield engine
    engine.dispose()


def empty_tables(engine: Engine) -> None:
    """Delete every row (DELETE is much faster than TRUNCATE on a dozen small PostgreSQL tables)."""
    with engine.begin() as conn:
        for table in reversed(SQLModel.metadata.sorted_tables):
            conn.execute(table.delete())


@pytest.fixture(params=BACKENDS)
def db(request: pytest.FixtureRequest) -> Iterator[Engine]:
    """A database at the head revision, migrated once per session and emptied after each test.

    Tests that change the schema itself take ``empty_engine`` (tests/db) and migrate it themselves.
    """
    engine: Engine = request.getfixturevalue(f"migrated_{request.param}")
    yield engine
    empty_tables(engine)


@pytest.fixture
def session(db: Engine) -> Iterator[Session]:
    with Session(db, expire_on_commit=False) as s:
        yield s
