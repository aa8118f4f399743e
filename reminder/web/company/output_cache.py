"""A company's rendered verdicts (page sections, API list, iCal feed), kept per process until the data changes.

Judging and rendering a company's thousand matches costs about 0.3 s of CPU; the same company's page,
calendar subscription or API client asks again long before anything it shows has changed. An entry is
used again only while all of these hold (otherwise it is rendered afresh and replaces the entry):

    the company's row        every column value the same (profile, name, reminder offsets…)
    the notices' data        ``reminder.web.data_version``: counts, stamps and last ids of notices,
                             deadlines, conditions and corrections, read in one query with the next
                             active deadline (catches another process's writes)
    this process's writes    a generation bumped whenever this process commits a change to those
                             tables (catches edits whose stamps do not move, e.g. under a fixed clock)
    the clock                ``now`` is on the same Asia/Shanghai day, not before the instant the entry
                             was rendered at and before the next active deadline after it: until then
                             no notice opens or closes, no days-left count and no next deadline changes

Each process keeps its own entries (least recently used dropped beyond ``MAX_BYTES``); nothing is shared
or written. A miss (another company) hands ``render`` a ``company_view.Shared`` keyed by the same
version without the company (and with this process's last write to a notice, deadline or condition, not
to a company): the notices read for one company are judged for the next instead of read again, and what is
made of a notice alone (``notice_parts``: page fragments, the API's notice, iCal lines) is made once.
The stored verdicts (table ``matches``) are not part of the key: what is shown is judged afresh from the
profile and the notices, which the key covers.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import itertools
import logging
import re
import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable, Iterator
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from fastapi import Request
from sqlmodel import Session

from reminder.db.models import Company
from reminder.matching.company_view import Shared, SharedNotices
from reminder.web.app_state import per_app
from reminder.web.company.common import TZ
from reminder.web.company.verdict_html import Fragments
from reminder.web.data_version import notices_version

__all__ = [
    "MAX_BYTES",
    "OutputCache",
    "cached_output",
    "data_version",
    "generation",
    "notice_parts",
    "result_fragments",
]

log = logging.getLogger(__name__)

#: bytes of rendered output one process keeps (a company with 1,000 matches: about 2 MB per kind)
MAX_BYTES = 64 * 1024 * 1024
#: tables whose rows the cached output shows
_WATCHED = frozenset({"notices", "deadlines", "conditions", "companies"})
_WRITE = re.compile(r'\s*(?:INSERT\s+(?:OR\s+\w+\s+)?INTO|UPDATE|DELETE\s+FROM)\s+"?(\w+)', re.IGNORECASE)
_MARK = "reminder_output_changed"

_counter = itertools.count(1)
_generation = 0
#: the last generation that wrote a notice, deadline or condition (what ``Shared`` keys depend on)
_notice_generation = 0
_generation_lock = threading.Lock()


def generation(*, notices: bool = False) -> int:
    """This process's write generation: changes after every committed write to a watched table (with
    ``notices``: to the notices, deadlines or conditions, not to companies)."""
    return _notice_generation if notices else _generation


def _bump(notices: bool) -> None:
    global _generation, _notice_generation
    with _generation_lock:
        _generation = next(_counter)
        if notices:
            _notice_generation = _generation


def _on_execute(conn: sa.Connection, cursor: Any, statement: str, *args: Any) -> None:
    found = _WRITE.match(statement)
    if found is not None and found.group(1).lower() in _WATCHED:
        # the mark: whether a notice-side table was written, besides which watched tables
        conn.info[_MARK] = conn.info.get(_MARK, False) or found.group(1).lower() != "companies"


def _on_commit(conn: sa.Connection) -> None:
    # before the database commits: a render started now reads a generation no later request uses…
    notices: bool | None = conn.info.pop(_MARK, None)
    if notices is not None:
        _bump(notices)
        _after_commit.pending = bool(_after_commit.pending) or notices


def _on_rollback(conn: sa.Connection) -> None:
    conn.info.pop(_MARK, None)


class _Pending(threading.local):
    #: None, or whether the pending commit wrote a notice-side table
    pending: bool | None = None


_after_commit = _Pending()


def _on_session_commit(session: Session) -> None:
    # …and after it (the session's commit, in the same thread): one that read the old rows meanwhile
    # was keyed by the generation in between, which no later request reads either
    if _after_commit.pending is not None:
        notices, _after_commit.pending = _after_commit.pending, None
        _bump(notices)


sa.event.listen(sa.Engine, "before_cursor_execute", _on_execute)
sa.event.listen(sa.Engine, "commit", _on_commit)
sa.event.listen(sa.Engine, "rollback", _on_rollback)
sa.event.listen(Session, "after_commit", _on_session_commit)


def data_version(session: Session, now: dt.datetime) -> tuple[tuple[Any, ...], dt.datetime | None]:
    """What the notices' side of the output depends on, and the next active deadline after ``now``."""
    return notices_version(session, now)


def _company_key(company: Company) -> tuple[Any, ...]:
    """Every column value of the company's row (lists and mappings as their text)."""
    mapper = sa.inspect(Company)
    return tuple(repr(getattr(company, a.key)) for a in mapper.column_attrs)


@dataclass(frozen=True)
class _Entry:
    version: Hashable
    #: the local day and the instants between which the output holds
    day: dt.date
    since: dt.datetime
    until: dt.datetime | None
    body: bytes

    def holds(self, version: Hashable, now: dt.datetime) -> bool:
        if version != self.version or now.astimezone(TZ).date() != self.day or now < self.since:
            return False
        return self.until is None or now < self.until


class OutputCache:
    """Rendered outputs by key, least recently used dropped beyond ``max_bytes`` (thread-safe)."""

    def __init__(self, max_bytes: int = MAX_BYTES) -> None:
        self.max_bytes = max_bytes
        self._entries: OrderedDict[Hashable, _Entry] = OrderedDict()
        self._size = 0
        self._lock = threading.Lock()
        #: the lock of each key being rendered, and how many requests hold or wait for it
        self._rendering: dict[Hashable, tuple[threading.Lock, int]] = {}
        self.hits = self.misses = 0

    def get(self, key: Hashable, version: Hashable, now: dt.datetime) -> bytes | None:
        with self._lock:
            entry = self._entries.get(key)
            if entry is None or not entry.holds(version, now):
                self.misses += 1
                return None
            self._entries.move_to_end(key)
            self.hits += 1
            return entry.body

    @contextlib.contextmanager
    def rendering(self, key: Hashable) -> Iterator[None]:
        """Held while ``key`` is rendered."""
        with self._lock:
            lock, users = self._rendering.get(key, (threading.Lock(), 0))
            self._rendering[key] = (lock, users + 1)
        try:
            with lock:
                yield
        finally:
            with self._lock:
                lock, users = self._rendering[key]
                if users == 1:
                    del self._rendering[key]
                else:
                    self._rendering[key] = (lock, users - 1)

    def put(self, key: Hashable, entry: _Entry) -> None:
        with self._lock:
            old = self._entries.pop(key, None)
            self._size -= len(old.body) if old is not None else 0
            if len(entry.body) > self.max_bytes:
                return
            self._entries[key] = entry
            self._size += len(entry.body)
            while self._size > self.max_bytes:
                _, dropped = self._entries.popitem(last=False)
                self._size -= len(dropped.body)


def _cache(request: Request) -> OutputCache:
    """The app's cache (one per app: tests build many apps over different databases)."""
    return per_app(request.app, "company_output_cache", lambda _: OutputCache())


def _shared_notices(request: Request) -> SharedNotices:
    """The app's loaded notices (per app, as the cache)."""
    return per_app(request.app, "company_shared_notices", lambda _: SharedNotices())


class _NoticeParts:
    """What is made of one notice alone (page fragments, API objects) at the latest notices' version."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._version: Hashable = None
        self._parts: dict[Hashable, Any] = {}

    def at(self, version: Hashable) -> dict[Hashable, Any]:
        with self._lock:
            if version != self._version:
                self._version, self._parts = version, {}
            return self._parts  # a render begun under an older version keeps filling its own


def notice_parts(request: Request, version: Hashable) -> dict[Hashable, Any]:
    """The app's parts made of one notice alone at ``version`` (a ``Shared.version``), by key: in it a
    notice's row, next deadline and days left stay the same, so what is made of them alone is reused for
    every company. Read-only once stored (other requests use them); keys start with what makes them."""
    return per_app(request.app, "company_notice_parts", lambda _: _NoticeParts()).at(version)


def result_fragments(request: Request) -> Fragments:
    """The app's lines made of one condition result (the page's and the API's), shared by every company."""
    return per_app(request.app, "company_fragments", lambda _: Fragments())


def cached_output(
    request: Request,
    session: Session,
    company: Company,
    now: dt.datetime,
    variant: Hashable,
    render: Callable[[Shared], bytes],
) -> bytes:
    """The output ``render`` gives for the company, rendered again only when something it shows changed.

    Args:
        request: the request (its app holds the cache).
        session: the request's session (one query for the data version).
        company: the company (its row is part of the key).
        now: the request's instant.
        variant: what else the output depends on (which output, its query options).
        render: renders the output afresh, reading the notices through the ``Shared`` it is given.

    Commits the session (the outputs are read by GET routes that write nothing).
    """
    written = generation()  # read before the data: a write committed meanwhile changes it
    notices_written = generation(notices=True)
    notices, following = data_version(session, now)
    version = (written, notices, _company_key(company))
    cache = _cache(request)
    key = (company.id, variant)
    found = cache.get(key, version, now)
    if found is None:
        with cache.rendering(key):  # concurrent misses of one key render once: the others wait, then read it
            found = cache.get(key, version, now)
            if found is None:
                # the notices' side holds for every company while the data, the day and the next deadline do
                day = now.astimezone(TZ).date()
                found = render(Shared(_shared_notices(request), (notices_written, notices, day, following)))
                cache.put(key, _Entry(version, now.astimezone(TZ).date(), now, following, found))
    # read-only outputs: the transaction ends here, in the route's worker thread (as ``page_cache`` does),
    # not in the session dependency's commit, which wakes another worker thread (issue 15)
    session.commit()
    return found
