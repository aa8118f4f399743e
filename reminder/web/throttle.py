"""Brute-force and abuse limits, counted per client with the ``limits`` library (moving windows).

Two uses (issue 16, items 3 and 4):
- **lockout**: a client whose token-bearing requests failed (401/403, a wrong admin login) more than
  ``auth_failure_limits`` allows is answered 429 on every token-bearing request until the window
  passes, even with the right token, so guessing cannot go on in the background of a lucky hit;
- **budgets**: :func:`spend` takes one unit of a named budget (e.g. registrations per IP and per
  address, a company's test messages) and raises 429 when it is used up.

The counters live where ``settings.ratelimit_storage`` says: "memory://" (the default) counts in the
process, so N ``reminder serve`` processes behind a proxy would each allow the full limit; they share
counters through "database://" (the app's database, table ``ratelimit_hits``: :mod:`reminder.web.ratelimit_db`)
or a ``limits`` storage URI such as "redis://host:6379" (``pip install redis``). A storage that cannot
be used fails at the first request with a :class:`~reminder.errors.StorageError` naming the setting.
"""

from __future__ import annotations

import json
import time
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any, TypeVar
from urllib.parse import parse_qsl

from fastapi import HTTPException, Request
from limits import RateLimitItem, parse_many
from limits.errors import ConfigurationError
from limits.storage import MemoryStorage, Storage, storage_from_string
from limits.strategies import MovingWindowRateLimiter
from sqlalchemy.engine import Engine
from starlette.concurrency import run_in_threadpool

from reminder.errors import StorageError
from reminder.web.app_state import per_app
from reminder.web.ratelimit_db import SCHEME as DATABASE_SCHEME
from reminder.web.ratelimit_db import DatabaseStorage

__all__ = [
    "Throttle",
    "throttle_of",
    "limits_storage",
    "spend",
    "record_failure",
    "AuthLockoutMiddleware",
    "LOCKED_MESSAGE",
    "TEST_SEND",
]

LOCKED_MESSAGE = "尝试次数过多，请稍后再试 / too many attempts, try again later"
#: the budget of a company's test messages (reminder.web.company.test_gate), by company id
TEST_SEND = "test-send"
_FAILURES = "auth-failure"
#: cookies that carry a credential (the company token, the admin session)
_CREDENTIAL_COOKIES = ("token", "admin_session")

T = TypeVar("T")
Scope = MutableMapping[str, Any]
ASGIApp = Callable[[Scope, Callable[[], Awaitable[Any]], Callable[[Any], Awaitable[None]]], Awaitable[None]]


class Throttle:
    """The app's counters: one limiter, the failure limits, and named budgets."""

    def __init__(
        self, auth_failure_limits: str, budgets: dict[str, str] | None = None, storage: Storage | None = None
    ) -> None:
        storage = storage if storage is not None else MemoryStorage()
        #: counting does I/O (database, Redis): the middleware runs it in a worker thread, off the event loop
        self.blocking = not isinstance(storage, MemoryStorage)
        self._limiter = MovingWindowRateLimiter(storage)
        self._failures = parse_many(auth_failure_limits)
        self._budgets: dict[str, list[RateLimitItem]] = {k: parse_many(v) for k, v in (budgets or {}).items()}

    def locked_for(self, client: str) -> int:
        """Seconds until ``client`` may try again (0 when not locked out)."""
        waits = [self._wait(item, _FAILURES, client) for item in self._failures]
        return max(waits, default=0)

    def failed(self, client: str) -> None:
        for item in self._failures:
            self._limiter.hit(item, _FAILURES, client)

    def spend(self, budget: str, key: str) -> int:
        """Take one unit of ``budget`` for ``key``: 0 when taken, else the seconds to wait (nothing taken)."""
        items = self._budgets.get(budget, [])
        waits = [self._wait(item, budget, key) for item in items]
        if any(waits):
            return max(waits)
        # the check above and the counting are not one step: concurrent requests (threads, or other
        # processes on a shared storage) may all pass it; each hit is atomic in the storage, so the
        # one that finds the budget gone is refused here (having possibly used an earlier limit)
        for item in items:
            if not self._limiter.hit(item, budget, key):
                return max(1, self._wait(item, budget, key))
        return 0

    def _wait(self, item: RateLimitItem, *keys: str) -> int:
        if self._limiter.test(item, *keys):
            return 0
        reset = self._limiter.get_window_stats(item, *keys).reset_time
        return max(1, int(reset - time.time()) + 1)


def limits_storage(uri: str, engine: Engine) -> Storage:
    """The ``limits`` storage ``uri`` names ("database://": ``engine``'s), or a StorageError saying what to fix."""
    if uri.strip() in ("", "memory://"):
        return MemoryStorage()
    if uri.strip() == DATABASE_SCHEME:
        return DatabaseStorage(engine)
    try:
        found = storage_from_string(uri.strip())
    except ConfigurationError as exc:
        scheme = uri.split("://", 1)[0]
        raise StorageError(
            f"限额计数存储不可用 / REMINDER_RATELIMIT_STORAGE ({scheme}://…) cannot be used: {exc}; "
            "use memory:// (one process) or a reachable redis:// / memcached:// (several processes)"
        ) from exc
    if not isinstance(found, Storage):  # an asyncio storage ("async+redis://"): the limiter is synchronous
        raise StorageError(
            f"REMINDER_RATELIMIT_STORAGE 需为同步存储 / must be a synchronous storage, not {uri!r}"
        )
    return found


def throttle_of(app: Any) -> Throttle:
    """The app's :class:`Throttle`, made from its settings on first use."""

    def make(app: Any) -> Throttle:
        settings = app.state.settings
        return Throttle(
            settings.auth_failure_limits,
            {
                "register-ip": settings.register_ip_limits,
                "register-address": settings.register_address_limits,
                TEST_SEND: settings.test_send_limits,
            },
            limits_storage(settings.ratelimit_storage, app.state.engine),
        )

    return per_app(app, "throttle", make)


def client_key(request: Request) -> str:
    return request.client.host if request.client else "unknown"


def too_many(wait: int) -> HTTPException:
    return HTTPException(429, LOCKED_MESSAGE, headers={"Retry-After": str(wait)})


def spend(request: Request, budget: str, key: str) -> None:
    """Take one unit of ``budget`` for ``key``, or raise 429 with Retry-After."""
    wait = throttle_of(request.app).spend(budget, key)
    if wait:
        raise too_many(wait)


def record_failure(request: Request) -> None:
    """Count a failed credential that the answer does not show as 401/403 (e.g. a page's login redirect)."""
    throttle_of(request.app).failed(client_key(request))
    request.state.auth_failure_counted = True


def _bears_credential(scope: Scope) -> bool:
    path = str(scope.get("path", ""))
    if path == "/admin/login" and scope.get("method") == "POST" or path.startswith("/unsubscribe/"):
        return True
    headers = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope.get("headers", [])}
    if headers.get("authorization"):
        return True
    query = scope.get("query_string", b"").decode("latin-1")
    if any(key == "token" for key, _ in parse_qsl(query, keep_blank_values=True)):
        return True
    cookie = headers.get("cookie", "")
    return any(f"{name}=" in cookie for name in _CREDENTIAL_COOKIES)


async def _off_loop(throttle: Throttle, call: Callable[[str], T], client: str) -> T:
    """``call(client)``, in a worker thread when the throttle's storage does I/O."""
    return await run_in_threadpool(call, client) if throttle.blocking else call(client)


class AuthLockoutMiddleware:
    """429 for a locked-out client's token-bearing requests; counts their 401/403 answers as failures."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(
        self, scope: Scope, receive: Callable[[], Awaitable[Any]], send: Callable[[Any], Awaitable[None]]
    ) -> None:
        if scope["type"] != "http" or not _bears_credential(scope):
            await self.app(scope, receive, send)
            return
        request = Request(scope)
        throttle = throttle_of(request.app)
        client = client_key(request)
        wait = await _off_loop(throttle, throttle.locked_for, client)
        if wait:
            body = json.dumps({"detail": LOCKED_MESSAGE}, ensure_ascii=False).encode()
            await send(
                {
                    "type": "http.response.start",
                    "status": 429,
                    "headers": [
                        (b"content-type", b"application/json; charset=utf-8"),
                        (b"retry-after", str(wait).encode()),
                        (b"cache-control", b"no-store"),
                    ],
                }
            )
            await send({"type": "http.response.body", "body": body})
            return

        async def counting_send(message: Any) -> None:
            if message["type"] == "http.response.start" and message["status"] in (401, 403):
                if not getattr(request.state, "auth_failure_counted", False):
                    await _off_loop(throttle, throttle.failed, client)
            await send(message)

        await self.app(scope, receive, counting_send)
