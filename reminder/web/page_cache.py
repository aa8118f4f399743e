"""Public pages rendered once a minute per data version: the home page and ``GET /api/notices`` (issue 15),
and the admin dashboard's deadlines in 30 days (``cached_part``).

    request ── notices_version(session) (reminder.web.data_version): one cheap aggregate
            └─ key (path, query, version, minute) ─ hit: the stored bytes ─ miss: render, store

Rendering the open-notice list took ~20 ms of CPU per request (ranking every open notice, loading a
page of them, the template or JSON), the same for every visitor. The key makes a stored page as fresh
as a rendered one: a notice published, corrected, withdrawn or deleted, or a deadline changed, changes
the version at once, in every process on the database; the minute covers what time changes (a
deadline passing, "还剩 N 天"). Only anonymous answers are kept: requests whose query carries a token
are rendered each time. Concurrent misses of one key render once (the others wait for it).
"""

from __future__ import annotations

import datetime as dt
import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from dataclasses import dataclass
from typing import Any, TypeVar

from sqlmodel import Session
from starlette.requests import Request
from starlette.responses import Response

from reminder.web.app_state import per_app
from reminder.web.company.common import request_now
from reminder.web.data_version import notices_version

__all__ = ["Memo", "cached_page", "cached_part", "memo_of"]

#: rendered pages kept per app (a key per path, query and minute: old minutes fall out first)
SIZE = 256


@dataclass(frozen=True)
class _Page:
    status: int
    headers: tuple[tuple[bytes, bytes], ...]
    body: bytes

    def response(self) -> Response:
        response = Response(self.body, status_code=self.status)
        response.raw_headers = list(self.headers)
        return response


T = TypeVar("T")


class Memo:
    """A bounded, thread-safe map of keys to values made once (least recently used goes first).

    Routes run in worker threads: concurrent misses of one key make the value once, the others wait.
    """

    def __init__(self, size: int = SIZE) -> None:
        self._size = size
        self._values: OrderedDict[Hashable, Any] = OrderedDict()
        self._lock = threading.Lock()
        self._making: dict[Hashable, threading.Lock] = {}

    def __len__(self) -> int:
        return len(self._values)

    def _get(self, key: Hashable) -> Any:
        with self._lock:
            value = self._values.get(key)
            if value is not None:
                self._values.move_to_end(key)
            return value

    def get_or_make(
        self, key: Hashable, make: Callable[[], T], keep: Callable[[T], Any] = lambda v: v
    ) -> T | Any:
        """The value kept for ``key``; else ``make()``'s, kept as ``keep(value)`` unless that is None."""
        if (found := self._get(key)) is not None:
            return found
        with self._lock:
            flight = self._making.setdefault(key, threading.Lock())
        with flight:  # another thread making this key: wait for it, then read its value
            try:
                if (found := self._get(key)) is not None:
                    return found
                value = make()
                if (kept := keep(value)) is not None:
                    with self._lock:
                        self._values[key] = kept
                        while len(self._values) > self._size:
                            self._values.popitem(last=False)
                return value
            finally:
                with self._lock:
                    self._making.pop(key, None)


def memo_of(app: Any) -> Memo:
    """The app's memo (one per app: each app has its own database)."""
    return per_app(app, "page_memo", lambda _: Memo())


def _minute(request: Request) -> str:
    return request_now(request).astimezone(dt.UTC).strftime("%Y-%m-%d %H:%M")


def _storable(response: Response) -> _Page | None:
    """What is kept of a response: a 200 that sets no cookie."""
    headers = tuple(response.raw_headers)
    if response.status_code != 200 or any(name == b"set-cookie" for name, _ in headers):
        return None
    return _Page(response.status_code, headers, bytes(response.body))


def cached_page(request: Request, session: Session, render: Callable[[], Response]) -> Response:
    """``render()``'s response, rendered at most once per (path, query, data version, minute)."""
    query = request.url.query
    if "token" in query:  # a credential in the address: never kept
        return render()
    key = ("page", request.url.path, query, notices_version(session), _minute(request))
    found = memo_of(request.app).get_or_make(key, render, _storable)
    session.commit()  # a read-only page: end its transaction here, in the route's worker thread
    return found.response() if isinstance(found, _Page) else found


def cached_part(request: Request, session: Session, name: str, make: Callable[[], T]) -> T:
    """``make()``'s value (a part of a page that shows only notices and deadlines), made at most once per
    (name, data version, minute)."""
    version = getattr(request.state, "parts_version", None)
    if version is None:  # read once per request: a page's parts are made of the same notices
        version = request.state.parts_version = notices_version(session)
    key = ("part", name, version, _minute(request))
    value: T = memo_of(request.app).get_or_make(key, make)
    return value
