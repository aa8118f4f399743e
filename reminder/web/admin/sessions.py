"""Server-side admin sessions (issue 16, item 17), kept in the database (table ``admin_sessions``).

Signing in (the form, or a ``/admin?token=…`` link, whose token is then stripped by a redirect) makes a
session: the cookie holds a random session id, never the admin token, and only its sha256 is stored.
A session ends at sign-out, ``admin_session_hours`` after sign-in, ``admin_session_idle_minutes`` after
its last use, when the operator signs out everywhere, and when the admin token changes. Being in the
database, a session started through one ``reminder serve`` process is known to every other one behind
the same proxy, and survives a restart; ended and expired rows are deleted as new sessions start.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Engine
from sqlalchemy.pool import StaticPool

from reminder.db.models import AdminSessionRow
from reminder.web.app_state import per_app

__all__ = ["AdminSession", "AdminSessions", "sessions_of", "SESSION_COOKIE"]

#: the cookie holding the session id (scoped to /admin, HttpOnly, SameSite=Strict)
SESSION_COOKIE = "admin_session"
#: a session's last use is written when it moved at least this much (not on every request)
_TOUCH = dt.timedelta(seconds=30)

_TABLE: sa.Table = AdminSessionRow.__table__  # type: ignore[attr-defined]


@dataclass
class AdminSession:
    operator: str
    token_fingerprint: str
    created: dt.datetime
    last_seen: dt.datetime


def _digest(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def _private_engine() -> Engine:
    """An in-memory SQLite database holding only the sessions table (a store built without the app's)."""
    engine = sa.create_engine("sqlite://", poolclass=StaticPool, connect_args={"check_same_thread": False})
    _TABLE.create(engine)
    return engine


class AdminSessions:
    """Sessions by sha256 of their id, in ``engine`` (default: a private in-memory database)."""

    def __init__(self, lifetime: dt.timedelta, idle: dt.timedelta, engine: Engine | None = None) -> None:
        self.lifetime, self.idle = lifetime, idle
        self.engine = engine if engine is not None else _private_engine()

    def _stale(self, now: dt.datetime) -> sa.ColumnElement[bool]:
        return sa.or_(_TABLE.c.created_at < now - self.lifetime, _TABLE.c.last_seen < now - self.idle)

    def create(self, operator: str, admin_token: str, now: dt.datetime) -> str:
        """A new session; returns its id (for the cookie only). Expired sessions are deleted on the way."""
        sid = secrets.token_urlsafe(32)
        row = {
            "id_hash": _digest(sid),
            "operator": operator[:100],
            "token_fingerprint": _digest(admin_token),
            "created_at": now,
            "last_seen": now,
        }
        with self.engine.begin() as conn:
            conn.execute(sa.delete(_TABLE).where(self._stale(now)))
            conn.execute(sa.insert(_TABLE).values(**row))
        return sid

    def get(self, sid: str | None, admin_token: str, now: dt.datetime) -> AdminSession | None:
        """The live session ``sid`` names (its last use moved to ``now``), or None."""
        if not sid:
            return None
        key = _digest(sid)
        with self.engine.begin() as conn:
            row = conn.execute(sa.select(_TABLE).where(_TABLE.c.id_hash == key)).mappings().first()
            if row is None:
                return None
            created, last_seen = row["created_at"], row["last_seen"]
            stale = now - created > self.lifetime or now - last_seen > self.idle
            if stale or not secrets.compare_digest(row["token_fingerprint"], _digest(admin_token)):
                conn.execute(sa.delete(_TABLE).where(_TABLE.c.id_hash == key))
                return None
            if now - last_seen >= _TOUCH:
                conn.execute(sa.update(_TABLE).where(_TABLE.c.id_hash == key).values(last_seen=now))
                last_seen = now
        return AdminSession(row["operator"], row["token_fingerprint"], created, last_seen)

    def revoke(self, sid: str | None) -> None:
        if sid:
            with self.engine.begin() as conn:
                conn.execute(sa.delete(_TABLE).where(_TABLE.c.id_hash == _digest(sid)))

    def revoke_all(self) -> int:
        """End every session (of every process); returns how many there were."""
        with self.engine.begin() as conn:
            return int(conn.execute(sa.delete(_TABLE)).rowcount)

    def __len__(self) -> int:
        with self.engine.connect() as conn:
            return int(conn.execute(sa.select(sa.func.count()).select_from(_TABLE)).scalar_one())


def sessions_of(app: Any) -> AdminSessions:
    """The app's session store (in the app's database), made from its settings on first use."""

    def make(app: Any) -> AdminSessions:
        settings = app.state.settings
        return AdminSessions(
            dt.timedelta(hours=settings.admin_session_hours),
            dt.timedelta(minutes=settings.admin_session_idle_minutes),
            app.state.engine,
        )

    return per_app(app, "admin_sessions", make)
