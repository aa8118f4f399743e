"""A ``limits`` storage in the application's database: abuse counters shared by every ``serve`` process.

    REMINDER_RATELIMIT_STORAGE=database://   →   DatabaseStorage(app engine)   (table ``ratelimit_hits``)

    acquire_entry(key, limit, expiry) ─ one transaction: (PostgreSQL) an advisory lock on the key,
                                       │ drop the key's hits older than the window, count the rest,
                                       └ under the limit: insert the hits, True; else False
    get_moving_window(key, …) ───────── (oldest hit in the window, hits in the window)

Only the moving-window strategy is supported (the one :mod:`reminder.web.throttle` uses). Keys are
stored as sha256 (a key may hold a contact address). Hits older than :data:`KEPT_SECONDS` are deleted
as new ones come in, so keys never hit again do not pile up.
"""

from __future__ import annotations

import hashlib
import time

import sqlalchemy as sa
from limits.storage import MovingWindowSupport, Storage
from sqlalchemy.engine import Connection, Engine

from reminder.db.models import RateLimitHit

__all__ = ["DatabaseStorage", "KEPT_SECONDS", "SCHEME"]

#: the ``REMINDER_RATELIMIT_STORAGE`` value that selects this storage
SCHEME = "database://"
#: hits older than this are deleted whatever their key (longer than any window in use: 20/day, 30/hour)
KEPT_SECONDS = 32 * 86400

_TABLE: sa.Table = RateLimitHit.__table__  # type: ignore[attr-defined]


def _hash(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


class DatabaseStorage(Storage, MovingWindowSupport):
    """Moving-window counters in the ``ratelimit_hits`` table of ``engine``."""

    STORAGE_SCHEME = None  # made by reminder.web.throttle with the app's engine, not from a URI

    def __init__(self, engine: Engine) -> None:
        super().__init__()
        self.engine = engine

    @property
    def base_exceptions(self) -> type[Exception] | tuple[type[Exception], ...]:
        return sa.exc.SQLAlchemyError

    def _lock(self, conn: Connection, key_hash: str) -> None:
        """Serialise acquisitions of one key: an advisory lock (PostgreSQL), the write lock (SQLite)."""
        if conn.dialect.name == "postgresql":
            conn.execute(sa.text("SELECT pg_advisory_xact_lock(hashtextextended(:k, 0))"), {"k": key_hash})

    def _window(self, conn: Connection, key_hash: str, since: float) -> tuple[float | None, int]:
        where = sa.and_(_TABLE.c.key_hash == key_hash, _TABLE.c.at > since)
        oldest, count = conn.execute(sa.select(sa.func.min(_TABLE.c.at), sa.func.count()).where(where)).one()
        return (float(oldest) if oldest is not None else None), int(count)

    def acquire_entry(self, key: str, limit: int, expiry: int, amount: int = 1) -> bool:
        """Record ``amount`` hits of ``key`` if the window of ``expiry`` s then holds at most ``limit``."""
        if amount > limit:
            return False
        key_hash, now = _hash(key), time.time()
        with self.engine.begin() as conn:
            self._lock(conn, key_hash)
            conn.execute(  # a write first: on SQLite the transaction holds the write lock from here
                sa.delete(_TABLE).where(
                    sa.or_(
                        sa.and_(_TABLE.c.key_hash == key_hash, _TABLE.c.at <= now - expiry),
                        _TABLE.c.at <= now - KEPT_SECONDS,
                    )
                )
            )
            _, count = self._window(conn, key_hash, now - expiry)
            if count + amount > limit:
                return False
            conn.execute(sa.insert(_TABLE), [{"key_hash": key_hash, "at": now}] * amount)
        return True

    def get_moving_window(self, key: str, limit: int, expiry: int) -> tuple[float, int]:
        """(start of the window: its oldest hit, or now; hits in it)."""
        now = time.time()
        with self.engine.connect() as conn:
            oldest, count = self._window(conn, _hash(key), now - expiry)
        return (oldest if oldest is not None else now), count

    # ── the rest of the Storage interface (fixed-window strategies; not used by reminder) ──

    def incr(self, key: str, expiry: int, amount: int = 1) -> int:
        self.acquire_entry(key, 2**31, expiry, amount)
        return self.get_moving_window(key, 2**31, expiry)[1]

    def get(self, key: str) -> int:
        with self.engine.connect() as conn:
            return self._window(conn, _hash(key), time.time() - KEPT_SECONDS)[1]

    def get_expiry(self, key: str) -> float:
        return time.time()

    def check(self) -> bool:
        try:
            with self.engine.connect() as conn:
                conn.execute(sa.select(1))
        except sa.exc.SQLAlchemyError:
            return False
        return True

    def reset(self) -> int | None:
        with self.engine.begin() as conn:
            return int(conn.execute(sa.delete(_TABLE)).rowcount)

    def clear(self, key: str) -> None:
        with self.engine.begin() as conn:
            conn.execute(sa.delete(_TABLE).where(_TABLE.c.key_hash == _hash(key)))
