"""A throwaway PostgreSQL database for a test session, shared by tests/db, tests/notify and tests/web.

Skips (with the reason) when PostgreSQL is not reachable on 127.0.0.1:5432.
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Iterator
from contextlib import contextmanager

import psycopg
import pytest

PG_HOST, PG_PORT, PG_USER, PG_ADMIN_DB = "127.0.0.1", 5432, "postgres", "test"
#: parametrize a database fixture with these to run on both backends
BACKENDS = [
    pytest.param("sqlite", id="sqlite"),
    pytest.param("postgres", id="postgres", marks=pytest.mark.postgres),
]


@contextmanager
def throwaway_database(prefix: str) -> Iterator[str]:
    """Create a database named ``{prefix}_{pid}_{random}``, yield its SQLAlchemy URL, drop it after."""
    try:
        admin = psycopg.connect(
            host=PG_HOST, port=PG_PORT, user=PG_USER, dbname=PG_ADMIN_DB, connect_timeout=2, autocommit=True
        )
    except psycopg.OperationalError as exc:
        pytest.skip(f"PostgreSQL not reachable on {PG_HOST}:{PG_PORT} as {PG_USER}/{PG_ADMIN_DB}: {exc}")
    name = f"{prefix}_{os.getpid()}_{secrets.token_hex(3)}"
    with admin:
        admin.execute(f'CREATE DATABASE "{name}"')
        try:
            yield f"postgresql+psycopg://{PG_USER}@{PG_HOST}:{PG_PORT}/{name}"
        finally:
            admin.execute(f'DROP DATABASE "{name}" WITH (FORCE)')
