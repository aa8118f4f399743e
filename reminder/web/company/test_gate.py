"""Admission for "send test message": per-company rate limit and a cap on sends in flight.

80 concurrent test sends to a 3-second webhook exhausted the database pool and stalled /healthz for
30 s (issue 16, item 14). Now each company may send ``settings.test_send_limits`` (``limits``
notation, moving window: the well-kept ``limits`` package, also used for logins), at most
``settings.test_send_concurrency`` test sends are in flight for the whole site (more are refused at
once, not queued on threads), and the route commits its session before the network call, so no
database connection is held while a receiver answers.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager

from fastapi import HTTPException, Request
from limits import parse_many
from limits.storage import MemoryStorage
from limits.strategies import MovingWindowRateLimiter

from reminder.config import Settings

__all__ = ["TestSendGate", "test_send_slot"]


class TestSendGate:
    """Per-company moving-window limits plus a site-wide cap on concurrent test sends."""

    def __init__(self, settings: Settings) -> None:
        self.limits = parse_many(settings.test_send_limits)
        self.limiter = MovingWindowRateLimiter(MemoryStorage())
        self.slots = threading.BoundedSemaphore(max(1, settings.test_send_concurrency))

    @contextmanager
    def admit(self, company_id: int) -> Iterator[None]:
        """Hold a slot for one test send of ``company_id``.

        Raises:
            HTTPException: 429 (this company sent too many) or 503 (too many in flight), in Chinese.
        """
        key = str(company_id)
        if not all(self.limiter.test(item, "test-send", key) for item in self.limits):
            raise HTTPException(429, "测试消息发送过于频繁，请稍后再试", headers={"Retry-After": "60"})
        if not self.slots.acquire(blocking=False):
            raise HTTPException(503, "测试发送繁忙，请稍后再试", headers={"Retry-After": "5"})
        try:
            for item in self.limits:
                self.limiter.hit(item, "test-send", key)
            yield
        finally:
            self.slots.release()


_LOCK = threading.Lock()


@contextmanager
def test_send_slot(request: Request, company_id: int) -> Iterator[None]:
    """:meth:`TestSendGate.admit` with the app's gate (made on first use)."""
    with _LOCK:
        gate = getattr(request.app.state, "test_send_gate", None)
        if gate is None:
            gate = request.app.state.test_send_gate = TestSendGate(request.app.state.settings)
    with gate.admit(company_id):
        yield
