"""Building the database engine and sessions, on demand (never at import time).

SQLite (the default, a file under ``data_dir``) gets its parent directory created, its file created
readable by the owner only (0600; SQLite gives its -wal and -shm files the same mode), foreign keys
enforced and WAL journaling; PostgreSQL URLs are pointed at the psycopg 3 driver.

Every engine hides statement parameters in its errors (``hide_parameters=True``): a failing insert
must never write a channel secret or a robot key into the error log (issue 16, item 8).
"""

from __future__ import annotations

import logging
import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import URL, Engine, make_url
from sqlmodel import Session

from reminder.config import get_settings
from reminder.errors import StorageError

__all__ = ["make_engine", "normalize_url", "safe_url", "session_scope"]

log = logging.getLogger(__name__)


def normalize_url(url: str | URL) -> URL:
    """The URL with PostgreSQL spellings mapped to the psycopg 3 driver.

    >>> normalize_url("postgres://u@h/db").render_as_string()
    'postgresql+psycopg://u@h/db'

    Raises:
        StorageError: the URL cannot be parsed.
    """
    try:
        parsed = make_url(url) if isinstance(url, str) else url
    except sa.exc.ArgumentError as exc:
        raise StorageError(
            f"数据库地址无效 / invalid database URL: {exc}; 例如 / e.g. sqlite:///var/reminder.db or "
            "postgresql://user:password@host:5432/dbname (set DATABASE_URL)"
        ) from None
    if parsed.drivername in ("postgres", "postgresql"):
        parsed = parsed.set(drivername="postgresql+psycopg")
    return parsed


def safe_url(url: str | URL) -> str:
    """The URL for messages and logs, password masked."""
    return normalize_url(url).render_as_string(hide_password=True)


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    try:
        cursor.execute("PRAGMA foreign_keys=ON")
        # WAL lets the web app read while an ingest writes; in-memory databases cannot use it.
        cursor.execute("PRAGMA journal_mode=WAL")
        # 32 MB of page cache (default 2 MB): bulk matching scans the companies table and writes
        # thousands of matches per notice; with the small default it re-reads pages it just had.
        cursor.execute("PRAGMA cache_size=-32000")
    finally:
        cursor.close()


def _private_file(path: Path) -> None:
    """Create the database file with mode 0600 (not the umask's 0644): it holds tokens' hashes and addresses."""
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        # Never open (and close) a file descriptor on an existing database: closing any descriptor
        # drops every POSIX lock this process holds on the file, including those of SQLite's open
        # connections, and a second engine on the same file then corrupts it (disk I/O error).
        if not path.exists():
            try:
                os.close(os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600))
            except FileExistsError:
                pass
        if path.stat().st_uid == os.getuid() and path.stat().st_mode & 0o077:
            path.chmod(0o600)  # an older 0644 file is tightened too
    except OSError as exc:  # a read-only mount: SQLite will say what is wrong when it connects
        log.warning("cannot restrict %s: %s", path, exc)


def _sqlite_engine(url: URL, echo: bool) -> Engine:
    database = url.database or ""
    in_memory = database in ("", ":memory:") or database.startswith("file::memory:")
    if database.startswith("file:") and not in_memory:  # a URI filename: SQLite parses it
        Path(database).expanduser().parent.mkdir(parents=True, exist_ok=True)
    elif not in_memory:
        _private_file(Path(database).expanduser())
    engine = sa.create_engine(url, echo=echo, hide_parameters=True)
    sa.event.listen(engine, "connect", _sqlite_pragmas)
    return engine


def make_engine(url: str | URL | None = None, *, echo: bool = False) -> Engine:
    """An engine for ``url``, or for the configured database.

    Args:
        url: a SQLAlchemy URL; default ``get_settings().sqlalchemy_url`` (SQLite under data_dir).
        echo: log every SQL statement.

    Returns:
        The engine; nothing is connected yet.

    Raises:
        StorageError: the URL is invalid or names a database we have no driver for.
    """
    if url is None:
        url = get_settings().sqlalchemy_url
    parsed = normalize_url(url)
    log.info("database %s", safe_url(parsed))
    try:
        if parsed.get_backend_name() == "sqlite":
            return _sqlite_engine(parsed, echo)
        return sa.create_engine(parsed, echo=echo, pool_pre_ping=True, hide_parameters=True)
    except (sa.exc.NoSuchModuleError, ImportError) as exc:
        raise StorageError(
            f"不支持的数据库 / unsupported database {safe_url(parsed)}: {exc}; "
            "use SQLite or PostgreSQL (pip install 'psycopg[binary]')"
        ) from exc


@contextmanager
def session_scope(engine: Engine) -> Iterator[Session]:
    """A session that commits when the block ends and rolls back when it raises.

    Objects stay readable after the block (``expire_on_commit=False``).
    """
    session = Session(engine, expire_on_commit=False)
    try:
        yield session
        session.commit()
    except BaseException:
        session.rollback()
        raise
    finally:
        session.close()
