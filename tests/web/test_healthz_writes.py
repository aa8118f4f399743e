"""Issue 16, item 15: /healthz answers 503 when the database does not take writes.

The review's repro: with SQLite write-locked by another process, /healthz said ok while every write
failed with a 500 after 5 s.
"""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Iterator

import pytest
import sqlalchemy as sa
from fastapi.testclient import TestClient
from sqlalchemy.engine import Engine

from reminder.web.ops import check_database


@pytest.fixture
def write_locked(engine: Engine) -> Iterator[None]:
    """Another connection holds SQLite's write lock (as a stuck writer process would)."""
    other = sqlite3.connect(str(engine.url.database), isolation_level=None)
    other.execute("BEGIN IMMEDIATE")
    try:
        yield
    finally:
        other.execute("ROLLBACK")
        other.close()


def test_healthz_is_ok_when_writes_go_through(client: TestClient) -> None:
    reply = client.get("/healthz")
    assert reply.status_code == 200 and reply.json()["database"]["writable"] is True


def test_healthz_is_503_quickly_while_sqlite_is_write_locked(client: TestClient, write_locked: None) -> None:
    started = time.monotonic()
    reply = client.get("/healthz")
    assert reply.status_code == 503
    body = reply.json()
    assert body["status"] == "unavailable" and body["database"]["writable"] is False
    assert "不能写入" in body["database"]["error"]
    assert time.monotonic() - started < 3, "the probe waits for the lock briefly, not the 5 s busy timeout"


def test_the_probe_leaves_the_connection_as_it_was(engine: Engine) -> None:
    check_database(engine)
    with engine.connect() as conn:
        assert conn.execute(sa.text("PRAGMA busy_timeout")).scalar() == 5000, (
            "pooled connections keep their timeout"
        )


def test_a_read_only_postgresql_is_not_writable(pg_database: str) -> None:
    from reminder.db.engine import normalize_url
    from reminder.web.ops import NotWritable, check_writable

    url = normalize_url(pg_database)
    writable = sa.create_engine(url)
    check_writable(writable)
    writable.dispose()
    read_only = sa.create_engine(url, connect_args={"options": "-c default_transaction_read_only=on"})
    with pytest.raises(NotWritable):
        check_writable(read_only)
    read_only.dispose()
