"""The database a benchmark runs on: a SQLite file in a temporary folder, or a throwaway PostgreSQL database
on 127.0.0.1:5432 (trust auth), dropped afterwards. Shared by bench_import, bench_match and bench_web."""

from __future__ import annotations

import contextlib
import os
import secrets
from collections.abc import Iterator
from pathlib import Path

#: where throwaway PostgreSQL databases are created from
PG_ADMIN = {"host": "127.0.0.1", "port": 5432, "user": "postgres", "dbname": "test"}


@contextlib.contextmanager
def database(pg: bool, tmp: Path | str, prefix: str, *, keep: str | None = None) -> Iterator[str]:
    """The SQLAlchemy URL of an empty database: a SQLite file under ``tmp``, or a throwaway PostgreSQL
    database named ``{prefix}_{pid}_{random}``. With ``keep`` (PostgreSQL), the database of that name,
    created if absent and left in place (what an earlier run built may be reused)."""
    if not pg:
        yield f"sqlite:///{Path(tmp) / 'bench.db'}"
        return
    import psycopg

    if keep is not None:
        with psycopg.connect(**PG_ADMIN, autocommit=True) as admin:  # type: ignore[arg-type]
            if admin.execute("SELECT 1 FROM pg_database WHERE datname = %s", (keep,)).fetchone() is None:
                admin.execute(f'CREATE DATABASE "{keep}"')
        yield f"postgresql+psycopg://{PG_ADMIN['user']}@{PG_ADMIN['host']}:{PG_ADMIN['port']}/{keep}"
        return
    name = f"{prefix}_{os.getpid()}_{secrets.token_hex(3)}"
    with psycopg.connect(**PG_ADMIN, autocommit=True) as admin:  # type: ignore[arg-type]
        admin.execute(f'CREATE DATABASE "{name}"')
        try:
            yield f"postgresql+psycopg://{PG_ADMIN['user']}@{PG_ADMIN['host']}:{PG_ADMIN['port']}/{name}"
        finally:
            admin.execute(f'DROP DATABASE "{name}" WITH (FORCE)')
