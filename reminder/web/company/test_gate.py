"""Admission and hand-off for "send test message": a per-company rate limit, then the outbox.

80 concurrent test sends to a 3-second webhook exhausted the database pool and stalled /healthz for
30 s (issue 16, item 14). Now a request only queues a one-attempt reminder (``reminder.notify.
test_sends``) and wakes the test-send lane, which sends at most ``settings.test_send_concurrency`` at
once in the background; no request waits on a receiver or holds a connection while one answers.
Each company may send ``settings.test_send_limits`` (``limits`` notation, moving window): a budget of
the app's :class:`~reminder.web.throttle.Throttle`, so it is counted where the other abuse counters are
(``REMINDER_RATELIMIT_STORAGE``: shared by every ``serve`` process when it is the database or Redis);
more are refused with 429.

    admit_test_send ── over the company's limit → 429 (Chinese, Retry-After)
    wake_test_sends ── the serving worker's lane (``reminder serve``), else the app's own lane
"""

from __future__ import annotations

import threading

from fastapi import FastAPI, HTTPException, Request

from reminder.scheduler import TestSendLane, default_worker_name
from reminder.web.throttle import TEST_SEND, throttle_of

__all__ = ["TOO_MANY", "admit_test_send", "wake_test_sends"]

#: what a company over its limit is told
TOO_MANY = "测试消息发送过于频繁，请稍后再试"

_LOCK = threading.Lock()


def admit_test_send(request: Request, company_id: int) -> None:
    """Count one test send of ``company_id``.

    Raises:
        HTTPException: 429 when this company sent too many, in Chinese, with Retry-After.
    """
    wait = throttle_of(request.app).spend(TEST_SEND, str(company_id))
    if wait:
        raise HTTPException(429, TOO_MANY, headers={"Retry-After": str(wait)})


def wake_test_sends(app: FastAPI) -> None:
    """Have the queued test sends go out now: the serving worker's lane, else one the app keeps.

    Without a worker in this process (``reminder serve`` whose scheduler could not take the SQLite
    lease, or an app built alone) the app's lane still tries; on SQLite a dispatcher elsewhere holds
    the lease and its next tick sends them instead.
    """
    worker = getattr(app.state, "scheduler", None)
    if worker is not None and getattr(worker, "lane", None) is not None:
        worker.wake()
        return
    with _LOCK:
        lane = getattr(app.state, "test_send_lane", None)
        if lane is None:
            lane = app.state.test_send_lane = TestSendLane(
                engine=app.state.engine, settings=app.state.settings, worker=default_worker_name()
            )
    lane.wake()
