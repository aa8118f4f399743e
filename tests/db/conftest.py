"""Fixtures for storage tests: every test that takes ``db`` runs on SQLite and on PostgreSQL.

PostgreSQL is 127.0.0.1:5432, user postgres, trust auth: one temporary database per test session,
one schema per test (``search_path`` in the URL), both dropped afterwards. When the server is not
reachable the postgres variants are skipped with the reason.
"""

from __future__ import annotations

import datetime as dt
import os
import secrets
import shutil
from collections.abc import Callable, Iterator
from pathlib import Path

import psycopg
import pytest
import sqlalchemy as sa
from db_factories import one_notice_document
from pg_utils import throwaway_database
from sqlalchemy.engine import Engine
from sqlmodel import Session, SQLModel

import reminder.db.migrate as migrate
from reminder.config import get_settings
from reminder.db.engine import make_engine
from reminder.db.migrate import head_revision, upgrade
from reminder.extract import Document
from reminder.model import TZ

PG_HOST, PG_PORT, PG_USER, PG_ADMIN_DB = "127.0.0.1", 5432, "postgres", "test"

BACKENDS = [pytest.param("sqlite", id="sqlite"), pytest.param("postgres", id="postgres", marks=pytest.mark.postgres)]


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


def _pg_schema_url(base: str) -> Iterator[str]:
    schema = f"t_{secrets.token_hex(4)}"
    dbname = base.rsplit("/", 1)[1]
    with psycopg.connect(host=PG_HOST, port=PG_PORT, user=PG_USER, dbname=dbname, autocommit=True) as conn:
        conn.execute(f'CREATE SCHEMA "{schema}"')
        try:
            yield f"{base}?options=-csearch_path%3D{schema}"
        finally:
            conn.execute(f'DROP SCHEMA "{schema}" CASCADE')


@pytest.fixture(params=BACKENDS)
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """An empty database on each backend (the SQLite file's directory does not exist yet)."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'data' / 'reminder.db'}"
        return
    yield from _pg_schema_url(request.getfixturevalue("pg_database"))


@pytest.fixture
def empty_engine(db_url: str) -> Iterator[Engine]:
    engine = make_engine(db_url)
    yield engine
    engine.dispose()


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


def _empty_tables(engine: Engine) -> None:
    tables = SQLModel.metadata.sorted_tables
    with engine.begin() as conn:
        if engine.dialect.name == "postgresql":
            conn.execute(sa.text(f"TRUNCATE {', '.join(t.name for t in tables)} RESTART IDENTITY CASCADE"))
        else:
            for table in reversed(tables):
                conn.execute(table.delete())


@pytest.fixture(params=BACKENDS)
def db(request: pytest.FixtureRequest) -> Iterator[Engine]:
    """A database at the head revision, migrated once per session and emptied after each test.

    Tests that change the schema itself take ``empty_engine`` and migrate it themselves.
    """
    engine: Engine = request.getfixturevalue(f"migrated_{request.param}")
    yield engine
    _empty_tables(engine)


@pytest.fixture
def session(db: Engine) -> Iterator[Session]:
    with Session(db, expire_on_commit=False) as s:
        yield s


NEXT_REVISION = '''"""A schema change made after the test database was created."""

import sqlalchemy as sa
from alembic import op

revision = "9001"
down_revision = "{head}"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table("probe", sa.Column("id", sa.Integer(), primary_key=True))


def downgrade() -> None:
    op.drop_table("probe")
'''


@pytest.fixture
def scripts_copy(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A copy of the migration scripts that reminder.db.migrate uses for this test."""
    scripts = tmp_path / "migrations"
    shutil.copytree(migrate.MIGRATIONS_DIR, scripts, ignore=shutil.ignore_patterns("__pycache__"))
    monkeypatch.setattr(migrate, "MIGRATIONS_DIR", scripts)
    return scripts


@pytest.fixture
def newer_code(scripts_copy: Path) -> tuple[str, str]:
    """This version of reminder plus one more migration (9001, creating a table "probe").

    Returns:
        (the shipped head, the new head "9001").
    """
    head = head_revision()
    (scripts_copy / "versions" / "9001_probe.py").write_text(NEXT_REVISION.format(head=head), encoding="utf-8")
    return head, "9001"


@pytest.fixture
def now() -> dt.datetime:
    return dt.datetime(2025, 3, 1, 9, 0, tzinfo=TZ)


@pytest.fixture
def make_doc() -> Callable[..., Document]:
    """A one-notice document from one source; each call is a new version (fresh content hash) unless given."""
    return one_notice_document
