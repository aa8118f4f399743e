"""Fixtures for storage tests: every test that takes ``db`` (tests/conftest.py) runs on SQLite and on PostgreSQL.

``db_url`` / ``empty_engine`` give an empty database instead: a SQLite file, or one PostgreSQL schema
per test (``search_path`` in the URL) in the session's throwaway database, dropped afterwards.
"""

from __future__ import annotations

import datetime as dt
import secrets
import shutil
from collections.abc import Callable, Iterator
from pathlib import Path

import psycopg
import pytest
from db_factories import one_notice_document
from pg_utils import BACKENDS, PG_HOST, PG_PORT, PG_USER
from sqlalchemy.engine import Engine

import reminder.db.migrate as migrate
from reminder.db.engine import make_engine
from reminder.db.migrate import head_revision
from reminder.extract import Document
from reminder.model import TZ


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
    (scripts_copy / "versions" / "9001_probe.py").write_text(
        NEXT_REVISION.format(head=head), encoding="utf-8"
    )
    return head, "9001"


@pytest.fixture
def now() -> dt.datetime:
    return dt.datetime(2025, 3, 1, 9, 0, tzinfo=TZ)


@pytest.fixture
def make_doc() -> Callable[..., Document]:
    """A one-notice document from one source; each call is a new version (fresh content hash) unless given."""
    return one_notice_document
