"""Server-side admin sessions (issue 16, item 17).

Signing in (the form, or a ``/admin?token=…`` link, whose token is then stripped by a redirect) makes a
session: the cookie holds a random session id, never the admin token, and only its sha256 is kept here.
A session ends at sign-out, ``admin_session_hours`` after sign-in, ``admin_session_idle_minutes`` after
its last use, when the operator signs out everywhere, when the admin token changes, and when the
process restarts (sessions live in memory: ``reminder serve`` is one process).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
import threading
from dataclasses import dataclass
from typing import Any

__all__ = ["AdminSession", "AdminSessions", "sessions_of", "SESSION_COOKIE"]

#: the cookie holding the session id (scoped to /admin, HttpOnly, SameSite=Strict)
SESSION_COOKIE = "admin_session"


@dataclass
class AdminSession:
    operator: str
    token_fingerprint: str
    created: dt.datetime
    last_seen: dt.datetime


def _digest(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


class AdminSessions:
    """Sessions by sha256 of their id; thread-safe (sync routes run in a thread pool)."""

    def __init__(self, lifetime: dt.timedelta, idle: dt.timedelta) -> None:
        self.lifetime, self.idle = lifetime, idle
        self._rows: dict[str, AdminSession] = {}
        self._lock = threading.Lock()

    def create(self, operator: str, admin_token: str, now: dt.datetime) -> str:
        """A new session; returns its id (for the cookie only)."""
        sid = secrets.token_urlsafe(32)
        with self._lock:
            self._rows[_digest(sid)] = AdminSession(operator, _digest(admin_token), now, now)
        return sid

    def get(self, sid: str | None, admin_token: str, now: dt.datetime) -> AdminSession | None:
        """The live session ``sid`` names (its last use moved to ``now``), or None."""
        if not sid:
            return None
        key = _digest(sid)
        with self._lock:
            row = self._rows.get(key)
            if row is None:
                return None
            stale = now - row.created > self.lifetime or now - row.last_seen > self.idle
            if stale or not secrets.compare_digest(row.token_fingerprint, _digest(admin_token)):
                del self._rows[key]
                return None
            row.last_seen = now
            return row

    def revoke(self, sid: str | None) -> None:
        if sid:
            with self._lock:
                self._rows.pop(_digest(sid), None)

    def revoke_all(self) -> int:
        with self._lock:
            count = len(self._rows)
            self._rows.clear()
        return count

    def __len__(self) -> int:
        return len(self._rows)


def sessions_of(app: Any) -> AdminSessions:
    """The app's session store, made from its settings on first use."""
    found: AdminSessions | None = getattr(app.state, "admin_sessions", None)
    if found is None:
        settings = app.state.settings
        found = AdminSessions(
            dt.timedelta(hours=settings.admin_session_hours),
            dt.timedelta(minutes=settings.admin_session_idle_minutes),
        )
        app.state.admin_sessions = found
    return found
