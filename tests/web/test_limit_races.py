"""Limits hold under concurrent requests: test sends per company, registration budgets.

CI once admitted 25 of 80 simultaneous test sends from 8 companies allowed 3 each: the gate tested
every limit and then counted the send, so two requests of one company could both pass the test
before either was counted. Here many threads are released at once (the check made slower, as on a
busy server); exactly the limit is admitted, every other request is refused: 429 in Chinese for
test sends, a wait for registration budgets, also when two processes share the database's counters.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Sequence
from functools import partial
from types import SimpleNamespace
from typing import Any

import pytest
from fastapi import HTTPException
from sqlalchemy.engine import Engine

from reminder.config import Settings
from reminder.web.company.test_gate import TOO_MANY, admit_test_send
from reminder.web.ratelimit_db import DatabaseStorage
from reminder.web.throttle import Throttle, throttle_of

THREADS, LIMIT, ROUNDS = 32, 3, 30


def _at_once(calls: Sequence[Callable[[], object]]) -> list[object]:
    """Each call's result (or the exception it raised), all released together."""
    barrier = threading.Barrier(len(calls))
    results: list[object] = [None] * len(calls)

    def run(i: int) -> None:
        barrier.wait()
        try:
            results[i] = calls[i]()
        except HTTPException as refusal:
            results[i] = refusal

    threads = [threading.Thread(target=run, args=(i,)) for i in range(len(calls))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results


def _slowed(limiter: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    """Widen the gap between a request's check and its count, as a busy server does."""
    checked = limiter.test

    def slow_test(*args: Any) -> bool:
        passed = bool(checked(*args))
        time.sleep(0.001)
        return passed

    monkeypatch.setattr(limiter, "test", slow_test)


def _request(settings: Settings, engine: Engine | None = None) -> Any:
    """What ``admit_test_send`` reads of a request: its app's state (settings, database)."""
    return SimpleNamespace(app=SimpleNamespace(state=SimpleNamespace(settings=settings, engine=engine)))


def _flood(request: Any, company_id: int) -> tuple[int, list[HTTPException]]:
    results = _at_once([partial(admit_test_send, request, company_id) for _ in range(THREADS)])
    refused = [r for r in results if isinstance(r, HTTPException)]
    return len(results) - len(refused), refused


def test_simultaneous_test_sends_of_one_company_admit_exactly_its_limit(
    settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    request = _request(settings.model_copy(update={"test_send_limits": f"{LIMIT}/minute"}))
    _slowed(throttle_of(request.app)._limiter, monkeypatch)
    for company_id in range(1, ROUNDS + 1):
        admitted, refused = _flood(request, company_id)
        assert admitted == LIMIT, f"company {company_id}: {admitted} admitted"
        assert len(refused) == THREADS - LIMIT
        assert {(r.status_code, r.detail) for r in refused} == {(429, TOO_MANY)}
        assert all(1 <= int((r.headers or {})["Retry-After"]) <= 60 for r in refused)


def test_a_company_over_its_limit_does_not_use_up_another_companys(settings: Settings) -> None:
    request = _request(settings.model_copy(update={"test_send_limits": f"{LIMIT}/minute;10/hour"}))
    for _ in range(LIMIT):
        admit_test_send(request, 1)
    with pytest.raises(HTTPException) as refusal:
        admit_test_send(request, 1)
    assert refusal.value.status_code == 429 and refusal.value.detail == "测试消息发送过于频繁，请稍后再试"
    for _ in range(LIMIT):
        admit_test_send(request, 2)


def test_two_serve_processes_sharing_the_database_counters_admit_one_limit(
    db: Engine, settings: Settings
) -> None:
    """``serve --workers 2`` with REMINDER_RATELIMIT_STORAGE=database://: a company's test sends are
    counted across both processes (each had its own count in memory before)."""
    shared = settings.model_copy(
        update={"test_send_limits": f"{LIMIT}/minute", "ratelimit_storage": "database://"}
    )
    processes = [_request(shared, db) for _ in range(2)]
    results = _at_once([partial(admit_test_send, p, 7) for p in processes * 4])
    assert sum(r is None for r in results) == LIMIT
    assert all(isinstance(r, HTTPException) and r.status_code == 429 for r in results if r is not None)


def test_simultaneous_registrations_from_one_address_spend_exactly_its_budget(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    throttle = Throttle("5/minute", {"register-ip": f"{LIMIT}/hour"})
    _slowed(throttle._limiter, monkeypatch)
    for n in range(ROUNDS):
        waits = _at_once([partial(throttle.spend, "register-ip", f"10.0.0.{n}") for _ in range(THREADS)])
        assert waits.count(0) == LIMIT, f"round {n}: {waits.count(0)} registrations let through"
        assert all(isinstance(w, int) and w > 0 for w in waits if w != 0)


def test_two_apps_sharing_the_database_counters_spend_one_budget_together(
    db: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    apps = [Throttle("5/minute", {"register-ip": f"{LIMIT}/hour"}, DatabaseStorage(db)) for _ in range(2)]
    for app in apps:
        _slowed(app._limiter, monkeypatch)
    for n in range(3):
        spends = [partial(app.spend, "register-ip", f"10.1.0.{n}") for app in apps * 4]
        waits = _at_once(spends)
        assert waits.count(0) == LIMIT, f"round {n}: {waits.count(0)} registrations let through"
